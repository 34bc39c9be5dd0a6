"""What the optimiser takes: candidate edges, forced pairs and exclusions (plain dataclasses)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

Id = Hashable
"""Any hashable id (str or int); the optimiser never interprets it."""


@dataclass(frozen=True)
class Edge:
    """One candidate: ``society_id`` (optionally led by ``expert_id``) for ``need_id``.

    ``score`` is the calibrated 0–100 match score, comparable across needs.
    """

    need_id: Id
    society_id: Id
    score: float
    enterprise_id: Id | None = None
    expert_id: Id | None = None


@dataclass
class EdgeTable:
    """The same candidates as column arrays, for large inputs (one row per edge).

    ``expert_id`` entries that are ``None`` name no expert; ``enterprise_id`` may be omitted.
    """

    need_id: np.ndarray
    society_id: np.ndarray
    score: np.ndarray
    enterprise_id: np.ndarray | None = None
    expert_id: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.need_id)

    @classmethod
    def from_edges(cls, edges: Iterable[Edge]) -> EdgeTable:
        edges = list(edges)
        return cls(
            need_id=_object_array([e.need_id for e in edges]),
            society_id=_object_array([e.society_id for e in edges]),
            score=np.array([e.score for e in edges], dtype=np.float64),
            enterprise_id=_object_array([e.enterprise_id for e in edges]),
            expert_id=_object_array([e.expert_id for e in edges]),
        )


def _object_array(values: Sequence[object]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@dataclass(frozen=True)
class Pair:
    """A pinned or already-fixed (need, society) pair.

    Fields left ``None`` are taken from the matching candidate edge, if any; a pair that is
    not a candidate scores ``score`` or 0.
    """

    need_id: Id
    society_id: Id
    expert_id: Id | None = None
    score: float | None = None
    enterprise_id: Id | None = None


@dataclass(frozen=True)
class Exclusions:
    """Pairs never to be chosen, by kind (forbidden pairs and conflicts of interest alike)."""

    need_society: frozenset[tuple[Id, Id]] = field(default_factory=frozenset)
    enterprise_society: frozenset[tuple[Id, Id]] = field(default_factory=frozenset)
    enterprise_expert: frozenset[tuple[Id, Id]] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for name in ("need_society", "enterprise_society", "enterprise_expert"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))

    def __bool__(self) -> bool:
        return bool(self.need_society or self.enterprise_society or self.enterprise_expert)

    def __or__(self, other: Exclusions) -> Exclusions:
        return Exclusions(
            self.need_society | other.need_society,
            self.enterprise_society | other.enterprise_society,
            self.enterprise_expert | other.enterprise_expert,
        )

    def excludes(
        self, need_id: Id, society_id: Id, enterprise_id: Id | None, expert_id: Id | None
    ) -> bool:
        if (need_id, society_id) in self.need_society:
            return True
        if enterprise_id is None:
            return False
        if (enterprise_id, society_id) in self.enterprise_society:
            return True
        return expert_id is not None and (enterprise_id, expert_id) in self.enterprise_expert
