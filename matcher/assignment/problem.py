"""The inputs as index arrays: candidate edges, forced pairs, rooms left and eligible edges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matcher.assignment.edges import excluded, index_edges
from matcher.assignment.forced import Forced, check_pins_allowed, forced_pairs, room
from matcher.assignment.groups import GroupDim, group_dims
from matcher.assignment.indexing import lookup
from matcher.assignment.inputs import Edge, EdgeTable, Exclusions, Id, Pair
from matcher.assignment.units import UNLIMITED, to_units
from matcher.assignment.validate import (
    check_capacities,
    check_capacity,
    check_min_score,
    check_per_need,
)


@dataclass
class Instance:
    """Eligible edges and the room left once forced pairs are in: all that a solver sees.

    ``expert`` is -1 for edges whose expert has no constraint that can bind.
    """

    need: np.ndarray
    society: np.ndarray
    expert: np.ndarray
    units: np.ndarray
    need_room: np.ndarray
    society_room: np.ndarray
    expert_room: np.ndarray
    quotas: list[GroupDim]
    cover: GroupDim | None

    def __len__(self) -> int:
        return len(self.need)


@dataclass
class Problem:
    """Everything about one run, by integer code: every candidate edge (``edge_*``), the
    forced pairs, the capacities, and the ``instance`` over the ``eligible`` edges."""

    need_ids: list[Id]
    society_ids: list[Id]
    expert_ids: list[Id]
    need_enterprise: list[Id | None]
    per_need: int
    edge_need: np.ndarray
    edge_society: np.ndarray
    edge_expert: np.ndarray
    edge_units: np.ndarray
    edge_score: np.ndarray
    edge_above: np.ndarray
    edge_excluded: np.ndarray
    edge_forced: np.ndarray
    forced: list[Forced]
    society_cap: np.ndarray
    expert_cap: np.ndarray
    quotas: list[GroupDim]
    cover: GroupDim | None
    eligible: np.ndarray
    instance: Instance


def build_problem(
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
) -> Problem:
    """Validate the inputs and index them (see ``assign``); raises ``AssignmentInputError``."""
    check_per_need(per_need)
    check_min_score(min_score)
    soc_cap_by_id = check_capacities(society_capacity, "society_capacity")
    exp_cap_by_id = check_capacities(expert_capacity or {}, "expert_capacity")
    if default_expert_capacity is not None:
        check_capacity(default_expert_capacity, "default_expert_capacity")
    table = edges if isinstance(edges, EdgeTable) else EdgeTable.from_edges(edges)
    codes = index_edges(table, soc_cap_by_id, needs)
    forced = forced_pairs(fixed, pinned, codes)
    exclusions = (forbidden or Exclusions()) | (conflicts or Exclusions())
    check_pins_allowed(forced, exclusions, codes)
    is_excluded = excluded(exclusions, codes)
    is_forced = np.zeros(len(codes.need), dtype=bool)
    is_forced[[f.edge for f in forced if f.edge >= 0]] = True
    need_ids, society_ids = list(codes.need_index), list(codes.society_index)
    expert_ids = list(codes.expert_index)

    soc_cap = np.array([soc_cap_by_id[s] for s in society_ids], dtype=np.int64)
    fallback = UNLIMITED if default_expert_capacity is None else default_expert_capacity
    exp_cap = np.array([exp_cap_by_id.get(x, fallback) for x in expert_ids], dtype=np.int64)
    f_need, f_soc, f_exp = (
        np.array([getattr(f, k) for f in forced], dtype=np.int64)
        for k in ("need", "society", "expert")
    )
    f_pin = np.array([f.pinned for f in forced], dtype=bool)
    need_cap = np.full(len(need_ids), per_need, dtype=np.int64)
    need_room = room(need_cap, f_need, f_pin, "per_need", need_ids)
    soc_room = room(soc_cap, f_soc, f_pin, "society_capacity", society_ids)
    led = f_exp >= 0
    exp_room = room(exp_cap, f_exp[led], f_pin[led], "expert_capacity", expert_ids)
    quota_dims, cover = group_dims(
        need_ids, codes.need_enterprise, groups or {}, quotas or {}, fair, f_need, f_pin
    )

    above = codes.score >= min_score
    keep = above & ~is_excluded & ~is_forced
    keep &= (need_room[codes.need] > 0) & (soc_room[codes.society] > 0)
    keep &= lookup(exp_room, codes.expert, 1) > 0
    for dim in quota_dims:
        keep &= lookup(dim.room, dim.need_group[codes.need], 1) > 0
    eligible = np.flatnonzero(keep)
    units = to_units(codes.score)
    instance = Instance(
        need=codes.need[eligible],
        society=codes.society[eligible],
        expert=_binding_experts(codes.expert[eligible], exp_room),
        units=units[eligible],
        need_room=need_room,
        society_room=soc_room,
        expert_room=exp_room,
        quotas=quota_dims,
        cover=cover,
    )
    return Problem(
        need_ids=need_ids,
        society_ids=society_ids,
        expert_ids=expert_ids,
        need_enterprise=codes.need_enterprise,
        per_need=per_need,
        edge_need=codes.need,
        edge_society=codes.society,
        edge_expert=codes.expert,
        edge_units=units,
        edge_score=codes.score,
        edge_above=above,
        edge_excluded=is_excluded,
        edge_forced=is_forced,
        forced=forced,
        society_cap=soc_cap,
        expert_cap=exp_cap,
        quotas=quota_dims,
        cover=cover,
        eligible=eligible,
        instance=instance,
    )


def _binding_experts(expert: np.ndarray, room_left: np.ndarray) -> np.ndarray:
    """Edge experts, with -1 for experts whose room covers all their eligible edges."""
    named = expert >= 0
    count = np.bincount(expert[named], minlength=len(room_left))
    out = expert.copy()
    out[named] = np.where(count[expert[named]] > room_left[expert[named]], expert[named], -1)
    return out
