"""Per society and query, the mean of the society's ``m`` best member scores, summed in
ascending order (a float32 sum depends on the order of its terms: this one is fixed, so any
way of finding the ``m`` best gives the same bits), without partitioning every society's run.

The fast path finds each long run's ``m`` best values from a few candidates: the values at
least the ``m``-th best of the maxima of ``PARTS`` slices of the run (at least ``m`` values
reach that bound, so every one of the ``m`` best is a candidate). Short runs, runs with a NaN
score and ``m`` above ``PARTS`` go through ``np.partition`` and a sort of its ``m`` best."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PARTS = 16
"""Slices per run whose maxima bound its ``m``-th best value from below."""
MIN_RUN = 4 * PARTS
"""Runs shorter than this are partitioned as they are (few, and cheap)."""
BLOCK_ENTRIES = 1 << 22
"""The fast path reads this many scores at a time (bounded temporaries: the fusion fit's
batches are 512 queries × every member)."""


@dataclass(frozen=True)
class Plan:
    """Which runs the fast path serves and where their slices start (``np.maximum.reduceat``
    indices: every non-empty run's start, a fast run's slices too; ``slices`` picks the fast
    runs' slice maxima out of the result, by run then slice)."""

    fast: np.ndarray
    slow: np.ndarray  # the other runs
    starts: np.ndarray
    slices: np.ndarray
    run_of: np.ndarray  # per member column, its run

    @classmethod
    def of(cls, bounds: np.ndarray, m: int) -> Plan:
        sizes = np.diff(bounds)
        served = 0 < m <= PARTS
        fast = np.flatnonzero(sizes >= MIN_RUN) if served else np.zeros(0, np.int64)
        first = bounds[:-1][sizes > 0]
        cuts = bounds[fast][:, None] + sizes[fast][:, None] * np.arange(PARTS) // PARTS
        starts = np.unique(np.concatenate([first, cuts.ravel()]))
        slices = np.searchsorted(starts, cuts.ravel())
        run_of = np.repeat(np.arange(len(sizes)), sizes)
        return cls(fast, np.setdiff1d(np.arange(len(sizes)), fast), starts, slices, run_of)


def plain_top_m_means(
    by_query: np.ndarray, bounds: np.ndarray, m: int, runs: np.ndarray, out: np.ndarray
) -> None:
    """``out[s]`` for each run ``s`` of ``runs``: the mean of its ``m`` best values per row of
    ``by_query`` (queries × members) in ascending order, by ``np.partition`` (all of them, in
    their order, when ``m`` or fewer)."""
    n_q = by_query.shape[0]
    best = np.zeros((len(runs), n_q, m), by_query.dtype)
    above = np.zeros(len(runs), bool)
    for i, s in enumerate(runs.tolist()):
        lo, hi = int(bounds[s]), int(bounds[s + 1])
        if hi - lo > m:
            best[i] = np.partition(by_query[:, lo:hi], hi - lo - m, axis=1)[:, -m:]
            above[i] = True
        elif hi > lo:
            out[s] = by_query[:, lo:hi].mean(axis=1)
    out[runs[above]] = np.sort(best[above], axis=2).mean(axis=2)


def fast_top_m_means(by_query: np.ndarray, bounds: np.ndarray, m: int, plan: Plan, out):
    """``plain_top_m_means`` of the runs ``plan.fast`` (see the module's docstring)."""
    n_q, n_s = by_query.shape[0], len(bounds) - 1
    maxima = np.maximum.reduceat(by_query, plan.starts, axis=1)[:, plan.slices]
    maxima = maxima.reshape(n_q, len(plan.fast), PARTS)
    floor = np.full((n_q, n_s), np.nan, by_query.dtype)  # (nothing is >= NaN)
    bound = np.partition(maxima, PARTS - m, axis=2)[..., PARTS - m]
    bound[np.isnan(maxima).any(axis=2)] = np.nan  # (a NaN score: partition it as it is)
    floor[:, plan.fast] = bound
    at = np.flatnonzero(by_query >= np.repeat(floor, np.diff(bounds), axis=1))
    values = by_query.ravel()[at]
    q, col = np.divmod(at, by_query.shape[1])
    key = q * n_s + plan.run_of[col]
    key, values = grouped_best_first(key, values)
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    if len(first) != n_q * len(plan.fast) or np.diff(np.r_[first, len(key)]).min() < m:
        return plain_top_m_means(by_query, bounds, m, plan.fast, out)  # (NaN scores)
    ascending = values[first[:, None] + np.arange(m - 1, -1, -1)]
    q, s = np.divmod(key[first], n_s)
    out[s, q] = ascending[:, None, :].mean(axis=2)[:, 0]


def grouped_best_first(key: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``key`` and ``values`` (int64 and float32 alike) ordered by key, then by value, largest
    first (equal values in any order; +0.0 before -0.0): one sort of 64-bit composites, the
    key above the value's bits ranked as an unsigned number (lexsort for other inputs)."""
    if values.dtype != np.float32 or (
        len(key) and not 0 <= int(key.min()) <= int(key.max()) < 1 << 32
    ):
        order = np.lexsort((-values, key))
        return key[order], values[order]
    bits = values.view(np.uint32)
    rank = np.where(bits >> 31 > 0, bits, ~bits & 0x7FFFFFFF)  # larger values: lower ranks
    both = np.sort(key.astype(np.uint64) << 32 | rank.astype(np.uint64))
    rank = (both & 0xFFFFFFFF).astype(np.uint32)
    bits = np.where(rank >> 31 > 0, rank, ~rank & 0x7FFFFFFF)
    return (both >> 32).astype(np.int64), bits.astype(np.uint32).view(np.float32)


def top_m_means(by_query: np.ndarray, bounds: np.ndarray, m: int, plan: Plan) -> np.ndarray:
    """Societies × queries: per society run of ``bounds`` (``member_layout``'s) and row of
    ``by_query`` (queries × members), the float32 mean of the run's ``m`` best values (0 for
    an empty run): ``plain_top_m_means`` of every run, bit for bit."""
    out = np.zeros((len(bounds) - 1, by_query.shape[0]), np.float32)
    plain_top_m_means(by_query, bounds, m, plan.slow, out)
    step = max(1, BLOCK_ENTRIES // max(by_query.shape[1], 1))
    for i in range(0, by_query.shape[0] if len(plan.fast) else 0, step):
        fast_top_m_means(by_query[i : i + step], bounds, m, plan, out[:, i : i + step])
    return out


def best_in_runs(scores: np.ndarray, sizes: np.ndarray, k: int) -> np.ndarray | None:
    """Per run of ``scores`` (consecutive runs of ``sizes``, each at least ``MIN_RUN`` long),
    the positions in ``scores`` of its ``k`` best, best first, ties in run order: what a
    stable argsort of each run's negated scores lists first; None when some run has fewer
    than ``k`` candidates (NaN scores) or ``k`` is outside ``1..PARTS``."""
    if not 0 < k <= PARTS or not len(sizes):
        return None
    ends = np.cumsum(sizes)
    starts = ends - sizes
    cuts = (starts[:, None] + sizes[:, None] * np.arange(PARTS) // PARTS).ravel()
    maxima = np.maximum.reduceat(scores, cuts).reshape(len(sizes), PARTS)
    floor = np.partition(maxima, PARTS - k, axis=1)[:, PARTS - k]
    pick = np.flatnonzero(scores >= np.repeat(floor, sizes))
    run = np.repeat(np.arange(len(sizes)), sizes)[pick]
    order = np.lexsort((pick, -scores[pick], run))
    first = np.searchsorted(run[order], np.arange(len(sizes)))
    if np.diff(np.r_[first, len(pick)]).min() < k:
        return None
    return pick[order][first[:, None] + np.arange(k)]
