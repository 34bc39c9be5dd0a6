"""The fast top-m means give the plain ones (``np.partition``, its best values sorted, a
float32 mean) bit for bit: distinct values (sums that round by order), many ties, mostly
zeros, runs below, at and above the fast path's size, one query and many."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.ranking import topm
from matcher.ranking.topm import Plan, plain_top_m_means, top_m_means

SIZES = [0, 1, 5, 6, 40, 63, 64, 65, 300, 7, 1000, 4000, 0]


def _scores(kind: str, n_q: int, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "distinct":
        return (rng.random((n_q, n)) ** 4).astype(np.float32)
    if kind == "ties":
        return (rng.integers(0, 6, (n_q, n)) / 8).astype(np.float32)
    out = np.zeros((n_q, n), np.float32)  # mostly zeros: a few positives per run
    hit = rng.random((n_q, n)) < 0.002
    out[hit] = rng.random(int(hit.sum()), dtype=np.float32)
    return out


@pytest.mark.parametrize("kind", ["distinct", "ties", "sparse"])
@pytest.mark.parametrize("m", [1, 3, 5, 6, 7, 9, 16, 17])
@pytest.mark.parametrize("n_q", [1, 7])
def test_top_m_means_equal_partition_means_bit_for_bit(kind, m, n_q):
    bounds = np.cumsum([0, *SIZES])
    scores = _scores(kind, n_q, int(bounds[-1]), seed=m * 10 + n_q)
    want = np.zeros((len(SIZES), n_q), np.float32)
    plain_top_m_means(scores, bounds, m, np.arange(len(SIZES)), want)
    plan = Plan.of(bounds, m)
    assert (len(plan.fast) > 0) == (m <= topm.PARTS)
    got = top_m_means(scores, bounds, m, plan)
    assert got.dtype == want.dtype and np.array_equal(got, want)
    for j in range(n_q):  # one query at a time: its column of the batch
        one = top_m_means(scores[j : j + 1], bounds, m, plan)
        assert np.array_equal(one[:, 0], want[:, j])


def test_float64_scores_give_the_plain_means():
    bounds = np.cumsum([0, *SIZES])
    scores = _scores("distinct", 3, int(bounds[-1]), seed=5).astype(np.float64)
    want = np.zeros((len(SIZES), 3), np.float32)
    plain_top_m_means(scores, bounds, 5, np.arange(len(SIZES)), want)
    assert np.array_equal(top_m_means(scores, bounds, 5, Plan.of(bounds, 5)), want)


def test_plain_means_are_the_means_of_each_runs_best_values():
    bounds = np.cumsum([0, *SIZES])
    scores = _scores("distinct", 3, int(bounds[-1]), seed=1)
    got = top_m_means(scores, bounds, 5, Plan.of(bounds, 5))
    for s in range(len(SIZES)):
        for j in range(3):
            best = np.sort(scores[j, bounds[s] : bounds[s + 1]])[::-1][:5]
            assert got[s, j] == pytest.approx(best.mean() if len(best) else 0.0, rel=1e-6)


def test_nan_scores_fall_back_to_partition():
    bounds = np.cumsum([0, 300, 500])
    scores = _scores("distinct", 2, 800, seed=2)
    scores[0, 10] = np.nan
    want = np.zeros((2, 2), np.float32)
    plain_top_m_means(scores, bounds, 5, np.arange(2), want)
    got = top_m_means(scores, bounds, 5, Plan.of(bounds, 5))
    assert np.array_equal(got, want, equal_nan=True)


@pytest.mark.parametrize("block", [1, 3])
def test_blocks_of_queries_give_the_same_means(block, monkeypatch):
    """Queries read a few at a time (bounded temporaries) give the batch's numbers."""
    bounds = np.cumsum([0, *SIZES])
    scores = _scores("distinct", 7, int(bounds[-1]), seed=3)
    plan = Plan.of(bounds, 5)
    want = top_m_means(scores, bounds, 5, plan)
    monkeypatch.setattr(topm, "BLOCK_ENTRIES", block * int(bounds[-1]))
    assert np.array_equal(top_m_means(scores, bounds, 5, plan), want)


@pytest.mark.parametrize("k", [1, 3, 16])
def test_best_in_runs_is_a_stable_argsort_of_each_run(k):
    """Ties at and around the k-th value (in run order), -inf scores, runs of several sizes."""
    rng = np.random.default_rng(k)
    sizes = np.array([64, 100, 300, 64, 1000])
    scores = (rng.integers(0, 9, int(sizes.sum())) / 4).astype(np.float32)
    scores[rng.random(len(scores)) < 0.3] = -np.inf
    got = topm.best_in_runs(scores, sizes, k)
    starts = np.cumsum(sizes) - sizes
    for r, (a, n) in enumerate(zip(starts.tolist(), sizes.tolist(), strict=True)):
        want = a + np.argsort(-scores[a : a + n], kind="stable")[:k]
        assert got[r].tolist() == want.tolist()
    assert topm.best_in_runs(scores, sizes, 0) is None
    nan = scores.copy()
    nan[:64] = np.nan
    assert topm.best_in_runs(nan, sizes, k) is None


@pytest.mark.parametrize("seed", range(4))
def test_grouped_best_first_orders_as_lexsort(seed):
    """Keys ascending, values descending: negative, tiny, huge, infinite, tied values; an
    int64 key beyond 32 bits and float64 values take lexsort itself."""
    rng = np.random.default_rng(seed)
    n = 2000
    key = rng.integers(0, 40, n).astype(np.int64)
    values = (rng.standard_normal(n) * rng.choice([1e-30, 1.0, 1e30], n)).astype(np.float32)
    values[rng.random(n) < 0.1] = 0.5
    values[rng.random(n) < 0.02] = -np.inf
    values[rng.random(n) < 0.02] = np.inf
    order = np.lexsort((-values, key))
    for k, v in ([key, values], [key << 33, values], [key, values.astype(np.float64)]):
        got_key, got_values = topm.grouped_best_first(k, v)
        assert np.array_equal(got_key, k[order]) and np.array_equal(got_values, v[order])
        assert got_key.dtype == k.dtype and got_values.dtype == v.dtype
