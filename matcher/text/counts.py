"""Sparse document × vocabulary term counts, the input of every lexical model."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp


def count_matrix(
    docs: Sequence[Sequence[str]], vocab: dict[str, int], dtype: type = np.float32
) -> sp.csr_matrix:
    """Document × vocabulary term counts (tokens outside ``vocab`` ignored); the token loop
    runs in C (``map`` over ``dict.get``), which matters at 100k documents."""
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    cols = np.fromiter(
        map(vocab.get, chain.from_iterable(docs), repeat(-1)), dtype=np.int64, count=lengths.sum()
    )
    rows = np.repeat(np.arange(len(docs)), lengths)
    keep = cols >= 0
    m = sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype), (rows[keep], cols[keep])),
        shape=(len(docs), max(len(vocab), 1)),
    )
    m.sum_duplicates()
    return m


def count_vocab(
    docs: Sequence[Sequence[str]], vocab: dict[str, int] | None = None
) -> tuple[sp.csr_matrix, dict[str, int]]:
    """Term counts and the vocabulary they grew (tokens in first-seen order), in one pass;
    ``vocab`` is extended in place when given (so several collections share columns)."""
    vocab = {} if vocab is None else vocab
    for t in dict.fromkeys(chain.from_iterable(docs)):  # unique tokens: a C pass first
        if t not in vocab:
            vocab[t] = len(vocab)
    return count_matrix(docs, vocab), vocab


def widen(m: sp.csr_matrix, width: int) -> sp.csr_matrix:
    """``m`` with more (empty) columns, up to ``width``."""
    return sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], max(width, 1)))
