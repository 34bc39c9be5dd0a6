"""Industry service teams (一业一团): the cross-society team of experts that best covers the
needs of one industry, as a maximum weighted coverage MIP (HiGHS; no web, no DB).

Each candidate is an (expert, society) pair with the needs it fits and how well (0–100). A
need counts once, at its weight times the best score among the chosen members who fit it.

Variables: ``x_i`` (binary) per candidate, ``y_ij`` (continuous, 0–1) per fit.
Rows: ``Σ_i y_ij ≤ 1`` per need; ``y_ij ≤ x_i``; ``Σ x_i ≤ size``; per society
``Σ x_i ≤ per_society``; per expert listed under several societies ``Σ x_i ≤ 1``.
Objective: maximise ``Σ w_j · s_ij/100 · y_ij`` (the coverage value). A second solve keeps
that value and fills the remaining seats with the members who fit the most needs (back-ups),
so a team is never padded at random. Both solves run to a zero gap, started from the greedy
team; with a time limit the best team found so far (at least the greedy one) is returned with
a proven bound (the least of the solver's, the relaxation's and ``upper_bound``'s) and the
gap.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy import sparse

from matcher.assignment.errors import AssignmentInputError, AssignmentSolveError
from matcher.assignment.mip import _new_highs, _solution

VALUE_TOLERANCE = 1e-6
"""How much coverage value the back-up solve may give up (numerical slack only)."""


@dataclass(frozen=True)
class Candidate:
    """One expert as a member for one society, and the needs it fits: need → score (0–100)."""

    expert: Hashable
    society: Hashable
    fits: Mapping[Hashable, float]


@dataclass(frozen=True)
class TeamResult:
    members: list[Candidate]
    value: float
    """Σ over covered needs of weight × best member score / 100."""
    bound: float
    """A proven upper bound on the value of any team (equal to ``value`` when optimal)."""
    optimal: bool
    covered: dict[Hashable, list[Hashable]] = field(default_factory=dict)
    """need → the experts in the team who fit it, best first."""
    uncovered: list[Hashable] = field(default_factory=list)

    @property
    def gap(self) -> float:
        """Relative optimality gap, (bound − value) / bound (0 when proven optimal)."""
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.value) / self.bound)


def team_value(
    members: Sequence[Candidate], weights: Mapping[Hashable, float]
) -> tuple[float, dict[Hashable, list[Hashable]]]:
    """The coverage value of ``members`` and, per need they cover, the experts who fit it."""
    best: dict[Hashable, list[tuple[float, Hashable]]] = defaultdict(list)
    for member in members:
        for need, score in member.fits.items():
            if need in weights:
                best[need].append((score, member.expert))
    value = 0.0
    covered: dict[Hashable, list[Hashable]] = {}
    for need, fits in best.items():
        fits.sort(key=lambda f: -f[0])
        value += weights[need] * fits[0][0] / 100.0
        covered[need] = [expert for _, expert in fits]
    return value, covered


def _check(
    candidates: Sequence[Candidate], weights: Mapping[Hashable, float], size: int, per: int
) -> None:
    if size < 1 or per < 1:
        raise AssignmentInputError(
            "团队人数上限和每个学会的人数上限都须至少为 1",
            "the team size and the per-society limit must both be at least 1",
            details={"size": size, "per_society": per},
        )
    bad = [w for w in weights.values() if not (math.isfinite(w) and w >= 0)]
    bad += [s for c in candidates for s in c.fits.values() if not (0 <= s <= 100)]
    if bad:
        raise AssignmentInputError(
            "权重须为非负数，匹配分须在 0–100 之间",
            "weights must be non-negative and scores within 0–100",
            details={"bad_values": [str(b) for b in bad[:5]]},
        )
    pairs = [(c.expert, c.society) for c in candidates]
    if len(set(pairs)) != len(pairs):
        raise AssignmentInputError(
            "同一专家在同一学会下重复出现", "an (expert, society) candidate is listed twice"
        )


class _Builder:
    """Sparse rows ``lower ≤ A·v ≤ upper`` over the columns (x then y)."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.upper: list[float] = []

    def row(self, cols: Sequence[int], vals: Sequence[float], upper: float) -> None:
        r = len(self.upper)
        self.rows += [r] * len(cols)
        self.cols += list(cols)
        self.vals += list(vals)
        self.upper.append(upper)


def _model(
    candidates: Sequence[Candidate], weights: Mapping[Hashable, float], size: int, per: int
) -> tuple[highspy.HighsLp, np.ndarray, np.ndarray, list[tuple[int, Hashable, float]]]:
    """The LP (maximise coverage value), the coverage cost and the back-up cost per column,
    and the fits (candidate, need, score) behind the ``y`` columns, in column order."""
    n = len(candidates)
    fits = [
        (i, need, score)
        for i, c in enumerate(candidates)
        for need, score in c.fits.items()
        if need in weights and weights[need] > 0 and score > 0
    ]
    n_col = n + len(fits)
    value_cost = np.zeros(n_col)
    backup_cost = np.zeros(n_col)
    rows = _Builder()
    by_need: dict[Hashable, list[int]] = defaultdict(list)
    for k, (i, need, score) in enumerate(fits):
        col = n + k
        value_cost[col] = weights[need] * score / 100.0
        backup_cost[i] += 1.0
        by_need[need].append(col)
        rows.row([col, i], [1.0, -1.0], 0.0)  # y_ij ≤ x_i
    for cols in by_need.values():
        rows.row(cols, [1.0] * len(cols), 1.0)
    rows.row(range(n), [1.0] * n, float(size))
    groups: dict[tuple[str, Hashable], list[int]] = defaultdict(list)
    for i, c in enumerate(candidates):
        groups[("society", c.society)].append(i)
        groups[("expert", c.expert)].append(i)
    for (kind, _key), members in groups.items():
        limit = per if kind == "society" else 1
        if len(members) > limit:
            rows.row(members, [1.0] * len(members), float(limit))
    matrix = sparse.csc_matrix((rows.vals, (rows.rows, rows.cols)), shape=(len(rows.upper), n_col))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_col, len(rows.upper)
    lp.col_cost_ = value_cost
    lp.col_lower_ = np.zeros(n_col)
    lp.col_upper_ = np.ones(n_col)
    lp.row_lower_ = np.full(len(rows.upper), -np.inf)
    lp.row_upper_ = np.asarray(rows.upper, dtype=np.float64)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n + [
        highspy.HighsVarType.kContinuous
    ] * len(fits)
    return lp, value_cost, backup_cost, fits


def _run(highs: highspy.Highs) -> tuple[np.ndarray | None, float, bool]:
    """(solution or None if none was found in time, proven bound, optimal)."""
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    optimal = status == highspy.HighsModelStatus.kOptimal
    if optimal:
        value = float(info.objective_function_value)
        return np.asarray(highs.getSolution().col_value), value, True
    if status not in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt):
        raise AssignmentSolveError(
            "团队优化求解失败",
            "the team optimiser failed",
            details={"status": highs.modelStatusToString(status)},
        )
    found = info.primal_solution_status == 2
    solution = np.asarray(highs.getSolution().col_value) if found else None
    return solution, float(info.mip_dual_bound), False


def _levels(members: Iterable[Candidate], weights: Mapping[Hashable, float]) -> dict:
    """need → weight × best member score / 100, over ``members``."""
    best: dict[Hashable, float] = {}
    for c in members:
        for n, s in c.fits.items():
            if n in weights:
                best[n] = max(best.get(n, 0.0), weights[n] * s / 100.0)
    return best


def _gain(c: Candidate, weights: Mapping[Hashable, float], best: Mapping) -> float:
    """What adding ``c`` to a team whose levels are ``best`` adds to its value."""
    return sum(
        max(0.0, weights[n] * s / 100.0 - best.get(n, 0.0))
        for n, s in c.fits.items()
        if n in weights
    )


def greedy_team(
    candidates: Sequence[Candidate], weights: Mapping[Hashable, float], size: int, per: int
) -> list[int]:
    """Indices of a team built one member at a time, each the largest gain in value allowed
    by the limits (the solver's start, and the answer if it finds nothing better in time)."""
    chosen: list[int] = []
    societies: Counter = Counter()
    experts: set[Hashable] = set()
    while len(chosen) < size:
        best = _levels((candidates[i] for i in chosen), weights)
        gains = {
            i: _gain(c, weights, best)
            for i, c in enumerate(candidates)
            if i not in chosen and c.expert not in experts and societies[c.society] < per
        }
        if not gains:
            break
        pick = max(gains, key=lambda i: (gains[i], len(candidates[i].fits), -i))
        if gains[pick] <= 0:
            break
        chosen.append(pick)
        societies[candidates[pick].society] += 1
        experts.add(candidates[pick].expert)
    return chosen


def upper_bound(
    candidates: Sequence[Candidate],
    weights: Mapping[Hashable, float],
    team: Sequence[Candidate],
    size: int,
) -> float:
    """A proven bound on any team of at most ``size``: the value is monotone submodular, so
    no team beats ``team``'s value plus the ``size`` largest gains any candidate adds to it,
    nor every need at its best candidate's score."""
    best = _levels(team, weights)
    gains = sorted((_gain(c, weights, best) for c in candidates), reverse=True)
    return min(sum(best.values()) + sum(gains[:size]), sum(_levels(candidates, weights).values()))


def _start(n: int, fits: Sequence[tuple[int, Hashable, float]], team: Sequence[int]) -> np.ndarray:
    """The column values of ``team``: its ``x``, and ``y`` on each need's best member."""
    values = np.zeros(n + len(fits))
    values[list(team)] = 1.0
    members = set(team)
    best: dict[Hashable, tuple[float, int]] = {}
    for k, (i, need, score) in enumerate(fits):
        if i in members and score > best.get(need, (-1.0, -1))[0]:
            best[need] = (score, n + k)
    for _score, col in best.values():
        values[col] = 1.0
    return values


LP_SLACK = 1e-6
"""Relative slack on the interior-point relaxation's value (solved without crossover)."""


def _lp_bound(lp: highspy.HighsLp, time_limit: float | None) -> float:
    """The linear relaxation's optimum (a proven bound on the MIP), by the interior-point
    method — seconds where the simplex root takes minutes on large instances; ``inf`` if it
    does not finish in time."""
    lp.integrality_ = []
    highs = _new_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("solver", "ipm")
    highs.setOptionValue("run_crossover", "off")
    if time_limit is not None:
        highs.setOptionValue("time_limit", max(1.0, float(time_limit)))
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return float("inf")
    value = float(highs.getInfo().objective_function_value)
    return value + LP_SLACK * max(1.0, abs(value))


def best_team(
    candidates: Sequence[Candidate],
    weights: Mapping[Hashable, float],
    *,
    size: int,
    per_society: int,
    time_limit: float | None = None,
) -> TeamResult:
    """The team of at most ``size`` experts, at most ``per_society`` per society and each
    expert once, that maximises the weighted coverage of the needs in ``weights``."""
    _check(candidates, weights, size, per_society)
    if not candidates:
        return TeamResult([], 0.0, 0.0, True, {}, sorted(weights, key=str))
    lp, value_cost, backup_cost, fits = _model(candidates, weights, size, per_society)
    start = _start(len(candidates), fits, greedy_team(candidates, weights, size, per_society))
    highs = _new_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", 0.0)
    if time_limit is not None:
        highs.setOptionValue("time_limit", float(time_limit))
    highs.passModel(lp)
    highs.setSolution(_solution(start))
    solution, bound, optimal = _run(highs)
    if solution is None or float(value_cost @ solution) < float(value_cost @ start):
        solution = start
    value = float(value_cost @ solution)
    if optimal:  # keep the value, fill the free seats with the broadest back-ups
        cols = np.arange(len(value_cost), dtype=np.int32)
        highs.addRow(
            value - VALUE_TOLERANCE,
            np.inf,
            int(np.count_nonzero(value_cost)),
            np.flatnonzero(value_cost).astype(np.int32),
            value_cost[value_cost != 0],
        )
        highs.changeColsCost(len(cols), cols, backup_cost)
        highs.setSolution(_solution(solution))
        backed = _run(highs)[0]
        if backed is not None and float(value_cost @ backed) >= value - 1e-4 * max(1.0, value):
            solution = backed
    chosen = [c for i, c in enumerate(candidates) if solution[i] > 0.5]
    team_val, covered = team_value(chosen, weights)
    uncovered = [need for need in weights if need not in covered]
    if not optimal:
        bound = min(
            bound, upper_bound(candidates, weights, chosen, size), _lp_bound(lp, time_limit)
        )
    return TeamResult(chosen, team_val, max(bound, team_val), optimal, covered, uncovered)
