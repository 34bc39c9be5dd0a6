"""Enterprise-level pairing: ``assign`` with each enterprise as its own need."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from matcher.assignment.inputs import Edge, Exclusions, Id, Pair
from matcher.assignment.result import AssignmentResult
from matcher.assignment.solve import Solver, assign

CHAIN_LEADER = "chain_leader"


@dataclass(frozen=True)
class EnterpriseEdge:
    """A candidate society for an enterprise, with its 0–100 score."""

    enterprise_id: Id
    society_id: Id
    score: float


def pair_enterprises(
    edges: Sequence[EnterpriseEdge],
    society_capacity: Mapping[Id, int],
    *,
    per_enterprise: int = 1,
    chain_leaders: Iterable[Id] = (),
    enterprises: Iterable[Id] = (),
    min_score: float = 0.0,
    pinned: Iterable[tuple[Id, Id]] = (),
    fixed: Iterable[tuple[Id, Id]] = (),
    forbidden: Iterable[tuple[Id, Id]] = (),
    solver: Solver = "auto",
) -> AssignmentResult:
    """At most ``per_enterprise`` societies per enterprise, maximising the total score exactly.

    Chain leaders come first: the result pairs as many of them as any feasible pairing can (all,
    when feasible), then has the highest total among those; ``fairness`` reports how many and
    at what cost. Pairs are (enterprise, society) tuples; in the result ``need_id`` is the
    enterprise id.
    """
    leaders = list(dict.fromkeys(chain_leaders))
    return assign(
        [
            Edge(e.enterprise_id, e.society_id, e.score, enterprise_id=e.enterprise_id)
            for e in edges
        ],
        society_capacity,
        needs=[*enterprises, *leaders],
        per_need=per_enterprise,
        min_score=min_score,
        default_expert_capacity=None,
        pinned=[Pair(e, s, enterprise_id=e) for e, s in pinned],
        fixed=[Pair(e, s, enterprise_id=e) for e, s in fixed],
        forbidden=Exclusions(need_society=frozenset(forbidden)),
        groups={CHAIN_LEADER: {leader: leader for leader in leaders}},
        fair=CHAIN_LEADER if leaders else None,
        solver=solver,
    )
