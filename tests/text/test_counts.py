"""Helpers of ``matcher.text.counts`` not covered through their callers."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matcher.text import counts
from matcher.text.counts import column_counts, row_pass_product, stacked


def test_blocks_stacked_as_vstack_and_let_go():
    """``stacked`` is ``sp.vstack`` of the blocks (empty ones too), and empties the list it
    was given: each block is freed once copied, so a large matrix is not held twice."""
    rng = np.random.default_rng(0)
    blocks = [
        sp.random(n, 9, density=0.3, format="csr", dtype=np.float32, random_state=rng)
        for n in (4, 0, 7, 1)
    ]
    want = sp.vstack(blocks, format="csr")
    given = list(blocks)
    got = stacked(given)
    assert given == [] and got.shape == want.shape
    np.testing.assert_array_equal(got.toarray(), want.toarray())
    np.testing.assert_array_equal(got.indptr, want.indptr)
    with pytest.raises(ValueError, match="widths"):
        stacked([sp.csr_matrix((1, 2)), sp.csr_matrix((1, 3))])


def test_column_counts_in_blocks_are_bincount(monkeypatch):
    rng = np.random.default_rng(5)
    m = sp.random(50, 30, density=0.2, format="csr", dtype=np.float32, random_state=rng)
    monkeypatch.setattr("matcher.text.counts.COLUMN_BLOCK", 7)
    got = column_counts(m)
    assert got.tolist() == np.bincount(m.indices, minlength=30).tolist()
    assert column_counts(sp.csr_matrix((3, 4), dtype=np.float32)).tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize("sparse", [True, False])
def test_a_row_pass_product_is_the_product_read_in_row_blocks(monkeypatch, sparse):
    """Labels' or societies' sums of rows spread over a matrix, read a few rows at a time
    (in row order, once): each one's own sum, a row in two of them counted in both, a
    society without rows zero; integer counts summed exactly."""
    rng = np.random.default_rng(5)
    right = rng.integers(0, 4, (50, 6)).astype(np.float32)
    rows = [[3, 17, 49], [], [0, 3, 20, 21, 48]]
    left = sp.csr_matrix(
        (np.ones(8, np.float32), ([0] * 3 + [2] * 5, [3, 17, 49, 0, 3, 20, 21, 48])), shape=(3, 50)
    )
    want = np.array([right[r].astype(np.float64).sum(axis=0) for r in rows])
    monkeypatch.setattr(counts, "ROW_PASS_VALUES", 7)
    got = row_pass_product(left, sp.csr_matrix(right) if sparse else right)
    assert got.dtype == np.float64 and np.array_equal(got, want)
    assert not got[1].any() and got[0].any() and got[2].any()


@pytest.mark.parametrize("block", [1, 3, 1 << 22])
def test_columns_renumbered_a_block_at_a_time(monkeypatch, block):
    """``restrict_columns`` renumbers the kept columns a block of entries at a time: the
    matrix ``m[:, keep]``; a dropped column's entry found in any block falls back to scipy."""
    from matcher.text.counts import restrict_columns

    m = sp.csr_matrix(np.array([[0, 2, 0, 1], [3, 0, 0, 4], [0, 0, 0, 5]], np.float32))
    monkeypatch.setattr(counts, "COLUMN_BLOCK", block)
    got = restrict_columns(m, np.array([0, 1, 3]))
    assert np.array_equal(got.toarray(), m.toarray()[:, [0, 1, 3]])
    assert np.array_equal(restrict_columns(m, np.array([1, 2])).toarray(), m.toarray()[:, [1, 2]])
