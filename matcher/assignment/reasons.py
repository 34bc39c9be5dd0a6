"""One reason per need left with fewer than ``per_need`` pairs (precedence: ``ReasonCode``)."""

from __future__ import annotations

import numpy as np

from matcher.assignment.errors import AssignmentSolveError
from matcher.assignment.indexing import lookup
from matcher.assignment.problem import Problem
from matcher.assignment.result import ReasonCode


def unassigned_reasons(problem: Problem, chosen: np.ndarray) -> dict[int, ReasonCode]:
    """Need code → reason, given the final choice ``chosen`` (mask over ``problem.eligible``).

    ``chosen`` must be maximal (``rooms.saturate``): then every allowed candidate left out meets
    a full quota group, society or lead expert, and the reason found is true.
    """
    n_need = len(problem.need_ids)
    taken = np.zeros(len(problem.edge_need), dtype=bool)
    taken[problem.eligible[chosen]] = True
    f_need = np.array([f.need for f in problem.forced], dtype=np.int64)
    f_soc = np.array([f.society for f in problem.forced], dtype=np.int64)
    f_exp = np.array([f.expert for f in problem.forced], dtype=np.int64)
    f_exp = f_exp[f_exp >= 0]

    count = np.bincount(problem.edge_need[taken], minlength=n_need)
    count += np.bincount(f_need, minlength=n_need)
    society_room = problem.society_cap - np.bincount(
        np.concatenate([problem.edge_society[taken], f_soc]), minlength=len(problem.society_cap)
    )
    experts = problem.edge_expert[taken]
    expert_room = problem.expert_cap - np.bincount(
        np.concatenate([experts[experts >= 0], f_exp]), minlength=len(problem.expert_cap)
    )
    quota_full = np.zeros(n_need, dtype=bool)
    for dim in problem.quotas:
        group = dim.need_group[problem.edge_need[taken]]
        room = dim.room - np.bincount(group[group >= 0], minlength=len(dim.room))
        quota_full |= lookup(room, dim.need_group, 1) <= 0

    open_edge = problem.edge_above & ~taken & ~problem.edge_forced
    allowed = open_edge & ~problem.edge_excluded
    n_open = np.bincount(problem.edge_need[open_edge], minlength=n_need)
    n_allowed = np.bincount(problem.edge_need[allowed], minlength=n_need)
    edge_expert = problem.edge_expert
    full = society_room[problem.edge_society] <= 0
    full |= lookup(expert_room, edge_expert, 1) <= 0
    n_blocked = np.bincount(problem.edge_need[allowed & full], minlength=n_need)

    out: dict[int, ReasonCode] = {}
    for need in np.flatnonzero(count < problem.per_need).tolist():
        if n_open[need] == 0:
            out[need] = ReasonCode.NO_CANDIDATE_ABOVE_MIN_SCORE
        elif n_allowed[need] == 0:
            out[need] = ReasonCode.ALL_CANDIDATES_CONFLICTED_OR_FORBIDDEN
        elif quota_full[need]:
            out[need] = ReasonCode.QUOTA_EXHAUSTED
        elif n_blocked[need] == n_allowed[need]:
            out[need] = ReasonCode.ALL_CANDIDATES_AT_CAPACITY
        else:  # impossible after saturation: an allowed candidate that still fits
            raise AssignmentSolveError(
                "结果未饱和",
                "a need was left short although a candidate still fits",
                details={"need_id": problem.need_ids[need]},
            )
    return out
