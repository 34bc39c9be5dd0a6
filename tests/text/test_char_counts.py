"""Vectorised character-gram counts: the same matrix and vocabulary as counting the token
lists of ``char_unigrams_bigrams`` / ``char_bigrams``."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.text.char_counts import char_gram_counts
from matcher.text.counts import count_vocab
from matcher.text.ngrams import char_bigrams, char_unigrams_bigrams

TEXTS = [
    "数控机床主轴精度提升，轴承故障诊断。",
    "",
    None,
    "a",
    "数",
    "x。y z",
    "Ｈｅｌｌｏ　世界!! 12.5% 的AB-c",
    "多行\n文本\t制表",
    "é ü ß 水库大坝渗流监测水库",
]


@pytest.mark.parametrize(
    ("unigrams", "cut"), [(True, char_unigrams_bigrams), (False, char_bigrams)]
)
def test_counts_and_vocabulary_equal_counting_the_token_lists(unigrams, cut):
    want_vocab, got_vocab = {"已有": 0}, {"已有": 0}  # a shared vocabulary grows in place
    want, _ = count_vocab([cut(t) for t in TEXTS], want_vocab)
    got = char_gram_counts(TEXTS, got_vocab, unigrams=unigrams)
    assert list(got_vocab) == list(want_vocab)  # same columns, in first-seen order
    assert got.shape == want.shape and got.dtype == np.float32
    assert abs(got - want).max() == 0
    more = ["新词汇zz", "数控"]
    want, _ = count_vocab([cut(t) for t in more], want_vocab)
    got = char_gram_counts(more, got_vocab, unigrams=unigrams)
    assert list(got_vocab) == list(want_vocab) and abs(got - want).max() == 0


def test_no_texts():
    assert char_gram_counts([], {}, unigrams=True).shape == (0, 1)


def test_texts_counted_in_chunks_give_the_same_matrix(monkeypatch):
    from matcher.text import char_counts

    whole_vocab: dict[str, int] = {}
    whole = char_gram_counts(TEXTS, whole_vocab, unigrams=True)
    monkeypatch.setattr(char_counts, "CHUNK", 2)
    vocab: dict[str, int] = {}
    chunked = char_gram_counts(TEXTS, vocab, unigrams=True)
    assert list(vocab) == list(whole_vocab) and abs(chunked - whole).max() == 0


def test_embedding_counts_are_the_counts_of_the_embedding_tokens():
    from matcher.text.char_counts import embedding_counts
    from matcher.text.ngrams import embedding_tokens

    texts = [t for t in TEXTS if t]
    words = [["数控", "机床"], ["a"], [], ["x"], ["世界", "ab"], ["文本"], ["水库", "水库"]]
    counts, vocab = embedding_counts(words, texts)
    for row, (w, t) in enumerate(zip(words, texts, strict=True)):
        want: dict[str, float] = {}
        for tok in embedding_tokens(w, t):
            want[tok] = want.get(tok, 0) + 1
        got = counts.getrow(row)
        assert {vocab[j]: v for j, v in zip(got.indices, got.data, strict=True)} == want


@pytest.mark.parametrize(
    ("unigrams", "cut"), [(True, char_unigrams_bigrams), (False, char_bigrams)]
)
def test_counts_over_a_fixed_vocabulary_ignore_unknown_grams(unigrams, cut):
    from matcher.text.counts import count_matrix

    vocab = {g: i for i, g in enumerate(["数控", "水库", "a", "世", "没有的", "界", "x"])}
    got = char_gram_counts(TEXTS, vocab, unigrams=unigrams, grow=False)
    want = count_matrix([cut(t) for t in TEXTS], vocab)
    assert len(vocab) == 7  # nothing added
    assert got.shape == want.shape and got.nnz == want.nnz > 0
    assert abs(got - want).max() == 0


@pytest.mark.parametrize("factorize_from", [0, 1 << 20])  # pandas' hash table, np.unique
def test_first_seen_is_np_unique_in_first_seen_order(factorize_from, monkeypatch):
    from matcher.text import char_counts
    from matcher.text.char_counts import first_seen

    monkeypatch.setattr(char_counts, "FACTORIZE_FROM", factorize_from)
    codes = np.random.default_rng(0).integers(0, 50, 2_000) * (1 << 30)
    inverse, uniques = first_seen(codes)
    want, first = np.unique(codes, return_index=True)
    assert uniques.tolist() == want[np.argsort(first)].tolist()  # not sorted: first seen
    assert uniques.tolist() != sorted(uniques.tolist())
    assert (uniques[inverse] == codes).all() and inverse.dtype.kind == "i"


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_few_tokens_are_counted_as_scipys_conversion_counts_them(dtype, monkeypatch):
    """``sorted_counts`` (a need's few tokens) gives the very matrix of the scipy path:
    values, dtype, index arrays and their dtype, canonical flag (empty documents, unknown
    and repeated tokens, rows out of order in a document)."""
    from matcher.text import counts

    vocab = {t: i for i, t in enumerate(["甲", "乙", "丙", "丁", "戊", "a", "b"])}
    docs = [["乙", "甲", "乙", "未知", "b"], [], ["未知"], ["b", "a", "b", "b", "丁"], ["甲"]]
    few = counts.FEW_TOKENS
    for some in (docs, docs[:1], docs[3:4], docs[1:2], docs[2:3]):  # (one: its own path)
        monkeypatch.setattr(counts, "FEW_TOKENS", few)
        fast = counts.count_matrix(some, vocab, dtype)
        monkeypatch.setattr(counts, "FEW_TOKENS", -1)
        plain = counts.count_matrix(some, vocab, dtype)
        assert fast.dtype == plain.dtype and fast.shape == plain.shape == (len(some), 7)
        for name in ("data", "indices", "indptr"):
            a, b = getattr(fast, name), getattr(plain, name)
            assert a.dtype == b.dtype and np.array_equal(a, b), name
        assert fast.has_canonical_format and plain.has_canonical_format
    whole = counts.count_matrix(docs, vocab, dtype)
    assert whole[3, vocab["b"]] == 3 and whole.nnz == 7
