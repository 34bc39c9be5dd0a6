"""BM25's weights, computed in place, are bit for bit those of the plain formula."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matcher.ranking.bm25 import BM25
from matcher.text.counts import restrict_columns


def _plain(counts: sp.csr_matrix, k1: float = 1.5, b: float = 0.75) -> sp.csr_matrix:
    """The formula as first written: a copy, every term a temporary."""
    n = counts.shape[0]
    counts = sp.csr_matrix(counts, dtype=np.float32, copy=True)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1e-9))
    rows = np.repeat(np.arange(n), np.diff(counts.indptr))
    counts.data = idf[counts.indices] * counts.data * (k1 + 1) / (counts.data + norm[rows])
    counts.sort_indices()
    return counts.astype(np.float32)


def _counts(seed: int, n: int = 300, terms: int = 80) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    m = sp.random(n, terms, density=0.1, format="csr", dtype=np.float32, random_state=seed)
    m.data = rng.integers(1, 6, len(m.data)).astype(np.float32)  # term counts
    return m


@pytest.mark.parametrize("seed", range(5))
def test_in_place_weights_are_the_plain_formulas(seed):
    counts = _counts(seed)
    vocab = {f"t{j}": j for j in range(counts.shape[1])}
    got = BM25.from_counts(counts, vocab)
    keep = np.flatnonzero(np.bincount(counts.indices, minlength=counts.shape[1]))
    want = _plain(restrict_columns(counts, keep))
    assert got.by_row.dtype == np.float32 and got.by_row.has_sorted_indices
    assert np.array_equal(got.by_row.indptr, want.indptr)
    assert np.array_equal(got.by_row.indices, want.indices)
    assert np.array_equal(got.by_row.data, want.data)  # bit for bit


def test_unsorted_input_is_sorted_and_left_as_it_was():
    counts = _counts(7)
    shuffled = counts.copy()
    for r in range(shuffled.shape[0]):  # each row's entries reversed: unsorted indices
        a, b = shuffled.indptr[r], shuffled.indptr[r + 1]
        shuffled.indices[a:b] = shuffled.indices[a:b][::-1].copy()
        shuffled.data[a:b] = shuffled.data[a:b][::-1].copy()
    shuffled.has_sorted_indices = False
    before = (shuffled.indices.copy(), shuffled.data.copy())
    bm = BM25.__new__(BM25)
    bm._fit(shuffled, {f"t{j}": j for j in range(counts.shape[1])}, 1.5, 0.75)
    assert np.array_equal(bm.by_row.data, _plain(counts).data)
    assert np.array_equal(shuffled.indices, before[0])  # the input is not changed
    assert np.array_equal(shuffled.data, before[1])
