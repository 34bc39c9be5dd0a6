"""``assign``: the exact bulk assignment of societies to needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from time import perf_counter
from typing import Literal

import numpy as np

from matcher.assignment.errors import AssignmentInputError
from matcher.assignment.flow import flow_blocker, relaxation, respects, solve_flow
from matcher.assignment.inputs import Edge, EdgeTable, Exclusions, Id, Pair
from matcher.assignment.mip import solve_mip
from matcher.assignment.problem import Instance, Problem, build_problem
from matcher.assignment.reasons import unassigned_reasons
from matcher.assignment.result import AssignmentResult, ChosenPair, FairnessReport
from matcher.assignment.rooms import greedy, saturate
from matcher.assignment.units import to_score

Solver = Literal["auto", "flow", "mip"]
SOLVER_NAMES = {"flow": "min_cost_flow", "mip": "highs_mip"}


def assign(
    edges: Sequence[Edge] | EdgeTable,
    society_capacity: Mapping[Id, int],
    *,
    needs: Iterable[Id] = (),
    per_need: int = 1,
    min_score: float = 0.0,
    expert_capacity: Mapping[Id, int] | None = None,
    default_expert_capacity: int | None = 3,
    pinned: Iterable[Pair] = (),
    fixed: Iterable[Pair] = (),
    forbidden: Exclusions | None = None,
    conflicts: Exclusions | None = None,
    groups: Mapping[str, Mapping[Id, Id]] | None = None,
    quotas: Mapping[str, Mapping[Id, int]] | None = None,
    fair: str | None = None,
    solver: Solver = "auto",
) -> AssignmentResult:
    """Choose at most ``per_need`` societies per need, maximising the total score exactly.

    - ``society_capacity``: how many pairs each society may hold in the result, fixed and
      pinned pairs included; every candidate society must be listed.
    - ``needs``: needs to report on beyond those in ``edges`` (e.g. needs with no candidate).
    - ``expert_capacity`` / ``default_expert_capacity``: pairs a lead expert may hold (default
      3, ``None`` = no limit); only edges naming an expert count.
    - ``pinned``: forced in (they must fit, or ``AssignmentInputError``); ``fixed``: confirmed
      pairs, kept as they are; both use capacity and count toward ``per_need`` and quotas.
    - ``forbidden`` / ``conflicts``: pairs never chosen.
    - ``groups``: need → group per dimension, e.g. ``{"city": {...}, "industry": {...}}``
      (``"enterprise"`` comes from the edges); ``quotas``: most pairs per group, e.g.
      ``{"city": {"郑州市": 30}}``.
    - ``fair``: a dimension whose groups are covered first: the result covers as many groups as
      any feasible assignment can, and has the highest total among those that do.
    - ``solver``: ``"auto"`` uses one min-cost flow when the constraints nest (see ``flow``);
      otherwise it solves the flow without the constraints that do not nest and keeps that
      optimum if it respects them, else solves the HiGHS MIP. Every path is exact; ``"flow"``
      and ``"mip"`` force one solver (``"flow"`` refuses what it cannot model).

    With ``fair`` the optimum without fairness is solved first (``fairness`` reports it); when
    it already covers every group that has a candidate it is the fair optimum too, otherwise
    the fair problem is solved as well.
    """
    begin = perf_counter()
    problem = build_problem(
        edges,
        society_capacity,
        needs=needs,
        per_need=per_need,
        min_score=min_score,
        expert_capacity=expert_capacity,
        default_expert_capacity=default_expert_capacity,
        pinned=pinned,
        fixed=fixed,
        forbidden=forbidden,
        conflicts=conflicts,
        groups=groups,
        quotas=quotas,
        fair=fair,
    )
    instance = problem.instance
    forced_units = sum(f.units for f in problem.forced)
    start = perf_counter()
    relax_first = solver == "auto"
    chosen, method = _exact(instance, False, _method(instance, False, solver), relax_first)
    reference = chosen
    if fair is not None and _covered(problem, chosen) < _coverable(problem):
        chosen, method = _exact(
            instance, True, _method(instance, True, solver), relax_first
        )  # (when the reference covers every coverable group, it is the fair optimum)
    solve_seconds = perf_counter() - start
    chosen = saturate(instance, chosen)
    objective = forced_units + int(instance.units[chosen].sum())
    greedy_units = forced_units + int(instance.units[greedy(instance)].sum())
    fairness = None
    if fair is not None:
        reference_units = forced_units + int(instance.units[reference].sum())
        fairness = FairnessReport(
            dimension=fair,
            groups_total=len(problem.cover.names) if problem.cover else 0,
            groups_covered=_covered(problem, chosen),
            groups_covered_without_fairness=_covered(problem, reference),
            objective_without_fairness=to_score(reference_units),
            cost=to_score(reference_units - objective),
        )
    reasons = unassigned_reasons(problem, chosen)
    unassigned = {problem.need_ids[need]: code for need, code in reasons.items()}
    return AssignmentResult(
        pairs=_pairs(problem, chosen),
        objective=to_score(objective),
        greedy_objective=to_score(greedy_units),
        solver=SOLVER_NAMES[method],
        solve_seconds=solve_seconds,
        total_seconds=perf_counter() - begin,
        unassigned=unassigned,
        reason_counts=dict(Counter(unassigned.values())),
        fairness=fairness,
    )


def _method(instance: Instance, fair: bool, solver: Solver) -> str:
    if solver not in ("auto", "flow", "mip"):
        raise AssignmentInputError("未知的求解器", "unknown solver", details={"solver": solver})
    blocker = flow_blocker(instance, fair) if solver != "mip" else None
    if solver == "flow" and blocker:
        raise AssignmentInputError(
            "该问题不能用最小费用流精确求解",
            f"min-cost flow cannot model this: {blocker}",
            details={"solver": solver, "reason": blocker},
        )
    return "mip" if solver == "mip" or blocker else "flow"


def _exact(
    instance: Instance, fair: bool, method: str, relax_first: bool
) -> tuple[np.ndarray, str]:
    """The optimum and the method that proved it (a relaxed flow that turns out feasible is
    exact too, so ``relax_first`` tries it before the MIP)."""
    if method == "flow":
        return solve_flow(instance, fair=fair), "flow"
    if relax_first:
        chosen = solve_flow(relaxation(instance, fair), fair=fair)
        if respects(instance, chosen):
            return chosen, "flow"
    return solve_mip(instance, fair=fair), "mip"


def _covered(problem: Problem, chosen: np.ndarray) -> int:
    cover = problem.cover
    assert cover is not None
    covered = cover.covered.copy()
    group = cover.need_group[problem.instance.need[chosen]]
    covered[group[group >= 0]] = True
    return int(covered.sum())


def _coverable(problem: Problem) -> int:
    """Groups already covered by forced pairs or with an eligible edge: an upper bound."""
    cover = problem.cover
    assert cover is not None
    coverable = cover.covered.copy()
    group = cover.need_group[problem.instance.need]
    coverable[group[group >= 0]] = True
    return int(coverable.sum())


def _pairs(problem: Problem, chosen: np.ndarray) -> list[ChosenPair]:
    """Forced pairs first (fixed, then pinned), then the chosen edges by need and score."""
    need_ids, society_ids, expert_ids = problem.need_ids, problem.society_ids, problem.expert_ids
    out = [
        ChosenPair(
            need_id=need_ids[f.need],
            society_id=society_ids[f.society],
            expert_id=expert_ids[f.expert] if f.expert >= 0 else None,
            score=f.score,
            enterprise_id=f.enterprise,
            pinned=f.pinned,
            fixed=not f.pinned,
        )
        for f in problem.forced
    ]
    edges = problem.eligible[chosen]
    edges = edges[np.lexsort((-problem.edge_units[edges], problem.edge_need[edges]))]
    for need, society, expert, score in zip(
        problem.edge_need[edges].tolist(),
        problem.edge_society[edges].tolist(),
        problem.edge_expert[edges].tolist(),
        problem.edge_score[edges].tolist(),
        strict=True,
    ):
        out.append(
            ChosenPair(
                need_id=need_ids[need],
                society_id=society_ids[society],
                expert_id=expert_ids[expert] if expert >= 0 else None,
                score=score,
                enterprise_id=problem.need_enterprise[need],
            )
        )
    return out
