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
