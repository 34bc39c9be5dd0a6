"""A build counts each text once: the character spaces while the texts are cut, and the
embedded model's counts read off the same ``TextCounts`` (not counted again)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matcher.embeddings import static_fit
from matcher.embeddings.encoders import StaticVectors
from matcher.matching.text_counts import TextCounts, count_chars, embedding_counts_of
from matcher.text.char_counts import char_gram_counts, embedding_counts
from matcher.text.counts import SPACES, count_vocab, widen

S_TEXTS = ["水库大坝学会", "数控机床学会：主轴"]
E_TEXTS = [
    "水库大坝渗流监测，水库灌溉",
    "数控机床主轴精度 ab 12.5%",
    "",
    "催化剂加氢反应器",
    "x",
    "水库 数控 催化",
]
S_TOKENS = [["水库", "大坝", "学会"], ["数控", "机床", "学会", "主轴"]]
E_TOKENS = [  # "水库" and "数控" are words and bigrams alike: one term each
    ["水库", "大坝", "渗流", "监测", "水库", "灌溉"],
    ["数控", "机床", "主轴", "精度", "ab", "12.5%"],
    [],
    ["催化剂", "加氢", "反应器"],
    ["x"],
    ["水库", "数控", "催化"],
]


def _count() -> TextCounts:
    return TextCounts.count(e_texts=E_TEXTS, s_texts=S_TEXTS, e_tokens=E_TOKENS, s_tokens=S_TOKENS)


def test_counts_are_each_space_counted_societies_first():
    """The straightforward counting: per space, the societies' texts then the experts'."""
    got = _count()
    for key in SPACES:
        vocab: dict[str, int] = {}
        if key == "word":
            own, _ = count_vocab(S_TOKENS, vocab)
            experts, _ = count_vocab(E_TOKENS, vocab)
        else:
            own = char_gram_counts(S_TEXTS, vocab, unigrams=key == "char12")
            experts = char_gram_counts(E_TEXTS, vocab, unigrams=key == "char12")
        assert list(got.vocab[key]) == list(vocab)
        for have, want in ((got.own[key], own), (got.experts[key], experts)):
            assert abs(have - widen(want, len(vocab))).max() == 0


def test_char_spaces_counted_apart_give_the_same_counts_and_leave_the_vocabulary():
    vocab = {"char12": {"已": 0}, "char": {"已有": 0}, "word": {}}
    chars = count_chars(vocab, e_texts=E_TEXTS, s_texts=S_TEXTS)
    assert vocab == {"char12": {"已": 0}, "char": {"已有": 0}, "word": {}}  # grown: copies
    assert next(iter(chars.vocab["char"])) == "已有"
    apart = TextCounts.count(
        e_texts=E_TEXTS,
        s_texts=S_TEXTS,
        e_tokens=E_TOKENS,
        s_tokens=S_TOKENS,
        chars=count_chars({}, e_texts=E_TEXTS, s_texts=S_TEXTS),
    )
    whole = _count()
    for key in SPACES:
        assert list(apart.vocab[key]) == list(whole.vocab[key])
        for part in ("own", "experts"):
            assert (getattr(apart, part)[key] != getattr(whole, part)[key]).nnz == 0


def _as_dicts(counts: sp.csr_matrix, words: list[str]) -> list[dict[str, float]]:
    counts = sp.csr_matrix(counts)
    return [
        {words[j]: float(v) for j, v in zip(row.indices, row.data, strict=True)}
        for row in (counts.getrow(i) for i in range(counts.shape[0]))
    ]


def test_embedding_counts_read_off_the_text_counts_are_the_counted_ones():
    """Experts then societies, every term's count the same; only the terms' order differs."""
    want, want_words = embedding_counts(E_TOKENS + S_TOKENS, E_TEXTS + S_TEXTS)
    got, got_words = embedding_counts_of(_count())
    assert sorted(got_words) == sorted(want_words) and len(set(got_words)) == len(got_words)
    assert got.dtype == want.dtype == np.float32
    assert _as_dicts(got, got_words) == _as_dicts(want, want_words)
    assert got_words != want_words  # (another order: what the next test covers)


@pytest.mark.parametrize("exact_rows", [static_fit.EXACT_SVD_ROWS, 3])  # 3: the randomised SVD
def test_the_embedded_fit_and_encoding_do_not_depend_on_the_terms_order(monkeypatch, exact_rows):
    monkeypatch.setattr(static_fit, "EXACT_SVD_ROWS", exact_rows)
    labels = ["a", "b", None, "a", None, "b", "s1", "s2"]
    want_counts, want_words = embedding_counts(E_TOKENS + S_TOKENS, E_TEXTS + S_TEXTS)
    got_counts, got_words = embedding_counts_of(_count())
    want = static_fit.fit_static_counts(want_counts, want_words, labels=labels, dim=8)
    got = static_fit.fit_static_counts(got_counts, got_words, labels=labels, dim=8)
    assert got[0] == want[0] and np.array_equal(got[1], want[1])
    model = StaticVectors(*want)
    assert np.array_equal(
        model.encode_counts(got_counts, got_words), model.encode_counts(want_counts, want_words)
    )


def test_a_build_counts_the_characters_while_cutting_the_texts():
    from types import SimpleNamespace

    from matcher.matching.lifecycle import _count_while_cutting
    from matcher.matching.tokens import TokenCache
    from matcher.text.segmenter import Segmenter

    seg = Segmenter(None)
    rows = [SimpleNamespace(text=t) for t in (*E_TEXTS, *S_TEXTS)]
    experts, societies = rows[: len(E_TEXTS)], rows[len(E_TEXTS) :]
    cache = TokenCache()
    counts, (e_tokens, s_tokens) = _count_while_cutting(
        SimpleNamespace(segmenter=seg), cache, experts, societies
    )
    assert e_tokens == seg.tokens_many(E_TEXTS) and s_tokens == seg.tokens_many(S_TEXTS)
    assert len(cache.entries) == len(set(E_TEXTS + S_TEXTS))  # the cache holds them
    want = TextCounts.count(e_texts=E_TEXTS, s_texts=S_TEXTS, e_tokens=e_tokens, s_tokens=s_tokens)
    for key in SPACES:
        assert list(counts.vocab[key]) == list(want.vocab[key])
        for part in ("own", "experts"):
            assert (getattr(counts, part)[key] != getattr(want, part)[key]).nnz == 0
