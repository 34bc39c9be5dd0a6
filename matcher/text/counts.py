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


def restrict_columns(m: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """``m[:, keep]`` (``keep`` ascending, distinct). When every stored entry's column is kept
    (documents counted over their own vocabulary, only its unused columns dropped) the
    columns are renumbered in one gather: rows keep their order, a canonical matrix stays
    canonical (no sort, the same numbers); else scipy's column selection."""
    m = sp.csr_matrix(m)
    remap = np.full(m.shape[1], -1, np.int64)
    remap[keep] = np.arange(len(keep))
    cols = remap[m.indices]
    if len(cols) and int(cols.min()) < 0:
        return sp.csr_matrix(m[:, keep])
    out = sp.csr_matrix(
        (m.data, cols.astype(m.indices.dtype), m.indptr), shape=(m.shape[0], len(keep))
    )
    if m.has_canonical_format:
        out.has_canonical_format = True
    return out


def take_rows(
    old: sp.csr_matrix | None, fresh: sp.csr_matrix, src: np.ndarray, width: int
) -> sp.csr_matrix:
    """Row ``i``: ``old[src[i]]`` when ``src[i] >= 0``, else the next row of ``fresh``. Runs
    of consecutive rows are copied as blocks: after a few edits, a few copies."""
    new = np.flatnonzero(src < 0)
    if len(new) != fresh.shape[0]:
        raise ValueError("one new row of counts per row without a source")
    fresh = sp.csr_matrix(fresh, dtype=np.float32)
    if old is None or len(new) == len(src):
        return widen(fresh, width)
    pick = np.array(src, np.int64, copy=True)
    pick[new] = old.shape[0] + np.arange(len(new))  # rows of old, then of fresh
    starts = np.concatenate([old.indptr[:-1], old.indptr[-1] + fresh.indptr[:-1]])
    lengths = np.concatenate([np.diff(old.indptr), np.diff(fresh.indptr)])[pick]
    indptr = np.zeros(len(src) + 1, np.int64)
    np.cumsum(lengths, out=indptr[1:])
    data = np.empty(indptr[-1], np.float32)
    indices = np.empty(indptr[-1], old.indices.dtype)
    cuts = np.flatnonzero((np.diff(pick) != 1) | (pick[1:] == old.shape[0])) + 1
    for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), len(pick)], strict=True):
        lo, hi = int(starts[pick[a]]), int(starts[pick[a]] + indptr[b] - indptr[a])
        source = old if pick[a] < old.shape[0] else fresh
        if source is fresh:
            lo, hi = lo - int(old.indptr[-1]), hi - int(old.indptr[-1])
        data[indptr[a] : indptr[b]] = source.data[lo:hi]
        indices[indptr[a] : indptr[b]] = source.indices[lo:hi]
    return sp.csr_matrix((data, indices, indptr), shape=(len(src), width))
