"""What the optimiser returns (plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from matcher.assignment.inputs import Id


class ReasonCode(StrEnum):
    """Why a need got fewer than ``per_need`` societies; the first that holds is reported.

    Only candidates not chosen for the need are considered, in this order:

    1. ``no_candidate_above_min_score`` – none scores at least ``min_score`` (or none exists);
    2. ``all_candidates_conflicted_or_forbidden`` – every one left is forbidden or conflicted;
    3. ``quota_exhausted`` – a quota group of the need (e.g. its city) is full;
    4. ``all_candidates_at_capacity`` – every one left has a full society or a full lead expert.
    """

    NO_CANDIDATE_ABOVE_MIN_SCORE = "no_candidate_above_min_score"
    ALL_CANDIDATES_CONFLICTED_OR_FORBIDDEN = "all_candidates_conflicted_or_forbidden"
    QUOTA_EXHAUSTED = "quota_exhausted"
    ALL_CANDIDATES_AT_CAPACITY = "all_candidates_at_capacity"


@dataclass(frozen=True)
class ChosenPair:
    """One pair in the result (``score`` as given); ``pinned``/``fixed`` mark forced pairs."""

    need_id: Id
    society_id: Id
    expert_id: Id | None
    score: float
    enterprise_id: Id | None = None
    pinned: bool = False
    fixed: bool = False


@dataclass(frozen=True)
class FairnessReport:
    """Coverage of the ``fair`` groups, and what it cost in total score."""

    dimension: str
    groups_total: int
    groups_covered: int
    groups_covered_without_fairness: int
    objective_without_fairness: float
    cost: float
    """``objective_without_fairness - objective`` (≥ 0)."""


@dataclass
class AssignmentResult:
    """An exact optimum: ``objective`` is the sum of the chosen pairs' scores.

    Scores are counted in the solvers' unit, 0.001 (``round(score * 1000) / 1000``), so that
    ``objective`` and ``greedy_objective`` compare exactly. ``greedy_objective`` is the baseline
    computed in the same call: forced pairs, then edges by score, highest first, each taken if
    it fits (hard constraints only, no fairness). ``unassigned`` maps every need with fewer
    than ``per_need`` pairs to one reason (precedence: ``ReasonCode``).
    """

    pairs: list[ChosenPair]
    objective: float
    greedy_objective: float
    solver: str
    solve_seconds: float
    """The exact solve(s): with ``fair`` the reference without fairness too (models included)."""
    total_seconds: float
    """The whole call: checks, indexing, solves, greedy, reasons."""
    unassigned: dict[Id, ReasonCode] = field(default_factory=dict)
    reason_counts: dict[ReasonCode, int] = field(default_factory=dict)
    fairness: FairnessReport | None = None

    @property
    def greedy_ratio(self) -> float:
        """Greedy total over the optimal total (1.0 when both are 0)."""
        return self.greedy_objective / self.objective if self.objective else 1.0
