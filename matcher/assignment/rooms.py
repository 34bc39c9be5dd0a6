"""Room left in every resource while pairs are taken one by one (greedy, saturation)."""

from __future__ import annotations

import numpy as np

from matcher.assignment.problem import Instance


class Rooms:
    """Mutable room per need, society, binding expert and quota group (plain lists: fast
    scalar access in loops)."""

    def __init__(self, instance: Instance, taken: np.ndarray | None = None) -> None:
        self.instance = instance
        need_room = instance.need_room.copy()
        society_room = instance.society_room.copy()
        expert_room = instance.expert_room.copy()
        quota_room = [dim.room.copy() for dim in instance.quotas]
        if taken is not None and taken.any():
            need_room -= np.bincount(instance.need[taken], minlength=len(need_room))
            society_room -= np.bincount(instance.society[taken], minlength=len(society_room))
            experts = instance.expert[taken]
            expert_room -= np.bincount(experts[experts >= 0], minlength=len(expert_room))
            for dim, room in zip(instance.quotas, quota_room, strict=True):
                group = dim.need_group[instance.need[taken]]
                room -= np.bincount(group[group >= 0], minlength=len(room))
        self.need = need_room.tolist()
        self.society = society_room.tolist()
        self.expert = expert_room.tolist()
        self.quota = [room.tolist() for room in quota_room]
        self.need_group = [dim.need_group.tolist() for dim in instance.quotas]

    def take_if_fits(self, need: int, society: int, expert: int) -> bool:
        """Take one pair if every resource it uses has room; says whether it did."""
        if self.need[need] <= 0 or self.society[society] <= 0:
            return False
        if expert >= 0 and self.expert[expert] <= 0:
            return False
        groups = [need_group[need] for need_group in self.need_group]
        for group, room in zip(groups, self.quota, strict=True):
            if group >= 0 and room[group] <= 0:
                return False
        self.need[need] -= 1
        self.society[society] -= 1
        if expert >= 0:
            self.expert[expert] -= 1
        for group, room in zip(groups, self.quota, strict=True):
            if group >= 0:
                room[group] -= 1
        return True


def take_in_order(instance: Instance, order: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Add the edges of ``order`` that still fit, one by one, to a copy of ``taken``."""
    out = taken.copy()
    rooms = Rooms(instance, taken)
    needs = instance.need[order].tolist()
    societies = instance.society[order].tolist()
    experts = instance.expert[order].tolist()
    for position, need, society, expert in zip(
        order.tolist(), needs, societies, experts, strict=True
    ):
        if rooms.take_if_fits(need, society, expert):
            out[position] = True
    return out


def by_score(instance: Instance) -> np.ndarray:
    """Edge positions by score, highest first (ties in input order)."""
    return np.argsort(-instance.units, kind="stable")


def greedy(instance: Instance) -> np.ndarray:
    """The baseline: edges by score, highest first, each taken while it fits."""
    return take_in_order(instance, by_score(instance), np.zeros(len(instance), dtype=bool))


def saturate(instance: Instance, taken: np.ndarray) -> np.ndarray:
    """Add every edge that still fits (in an optimum only 0-score edges can); afterwards each
    edge left out meets a full need, society, expert or quota group."""
    rooms = Rooms(instance, taken)
    need_room = np.asarray(rooms.need)
    open_edges = ~taken & (need_room[instance.need] > 0)
    open_edges &= np.asarray(rooms.society)[instance.society] > 0
    order = by_score(instance)
    order = order[open_edges[order]]
    return take_in_order(instance, order, taken) if len(order) else taken
