"""Exact solve as one min-cost flow (OR-Tools ``SimpleMinCostFlow``), when the constraints nest.

Network: source → [need group] → need → [lead expert] → society → sink, plus a free
source → sink arc so that any amount of flow may be sent. An edge arc has capacity 1 and cost
``-units``; the other arcs carry the rooms left (per_need, quota, expert, society capacity).
This is exact (integral optimum of a network flow) when every constraint family nests:

* the need groupings with a quota, and the ``fair`` one, nest (``laminar``): e.g. one
  dimension, or enterprises within cities;
* every lead expert whose room can bind leads for one society only.

Coverage fairness splits a group's arc in two: the first unit earns a bonus ``M`` larger than
any total score, so the optimum covers the most groups, then maximises the score.

When the constraints do not nest, ``relaxation`` drops the ones a flow cannot model; if the
relaxed optimum happens to respect them (``respects``), it is the exact optimum as well.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.assignment.errors import AssignmentSolveError
from matcher.assignment.groups import GroupDim
from matcher.assignment.indexing import unique_pairs
from matcher.assignment.laminar import need_tree, nested_order
from matcher.assignment.problem import Instance


def _active_needs(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Needs with an eligible edge and room, and the most pairs each can take."""
    edges_per_need = np.bincount(instance.need, minlength=len(instance.need_room))
    need_cap = np.minimum(instance.need_room, edges_per_need)
    active = np.flatnonzero(need_cap > 0)
    return active, need_cap[active]


def _need_dims(instance: Instance, fair: bool) -> list[GroupDim]:
    dims = {dim.name: dim for dim in instance.quotas}
    if fair and instance.cover is not None:
        dims[instance.cover.name] = instance.cover
    return list(dims.values())


def need_layers(instance: Instance, fair: bool) -> list[GroupDim] | str:
    """The need groupings the flow must model, coarsest first, or why they do not nest."""
    dims = _need_dims(instance, fair)
    layers = nested_order(dims, _active_needs(instance)[0])
    if layers is None:
        return f"quota/fair dimensions {sorted(d.name for d in dims)} cross"
    return layers


def expert_societies(instance: Instance) -> np.ndarray | str:
    """The one society of every binding expert, or a reason why one flow cannot model them."""
    named = instance.expert >= 0
    society = np.full(len(instance.expert_room), -1, dtype=np.int64)
    if not named.any():
        return society
    expert, soc = unique_pairs(instance.expert[named], instance.society[named])
    if (np.diff(expert) == 0).any():
        return "a lead expert with binding capacity leads for more than one society"
    society[expert] = soc
    return society


def flow_blocker(instance: Instance, fair: bool) -> str | None:
    """Why one min-cost flow cannot model this instance exactly (None: it can)."""
    for found in (need_layers(instance, fair), expert_societies(instance)):
        if isinstance(found, str):
            return found
    return None


def relaxation(instance: Instance, fair: bool) -> Instance:
    """``instance`` without what one flow cannot model: the quota dimensions that do not nest
    with the ``fair`` one and the ones kept before them, and the rooms of experts leading for
    several societies."""
    needs = _active_needs(instance)[0]
    kept = [instance.cover] if fair and instance.cover is not None else []
    for dim in instance.quotas:
        if all(d.name != dim.name for d in kept) and nested_order([*kept, dim], needs):
            kept.append(dim)
    quotas = [dim for dim in instance.quotas if any(d.name == dim.name for d in kept)]
    expert = instance.expert.copy()
    named = expert >= 0
    leads, _ = unique_pairs(expert[named], instance.society[named])
    several = leads[1:][np.diff(leads) == 0]
    expert[np.isin(expert, several)] = -1
    return replace(instance, expert=expert, quotas=quotas)


def respects(instance: Instance, chosen: np.ndarray) -> bool:
    """Whether ``chosen`` keeps within every expert and quota room of ``instance`` (a flow
    always keeps within the need and society rooms)."""
    experts = instance.expert[chosen]
    used = np.bincount(experts[experts >= 0], minlength=len(instance.expert_room))
    if (used > instance.expert_room).any():
        return False
    for dim in instance.quotas:
        group = dim.need_group[instance.need[chosen]]
        if (np.bincount(group[group >= 0], minlength=len(dim.room)) > dim.room).any():
            return False
    return True


def solve_flow(instance: Instance, *, fair: bool) -> np.ndarray:
    """The chosen edges (boolean mask) of a maximum-score assignment, covering the most
    ``cover`` groups first when ``fair``."""
    layers = need_layers(instance, fair)
    expert_society = expert_societies(instance)
    if isinstance(layers, str) or isinstance(expert_society, str):
        raise ValueError("instance needs the MIP")
    n_edges = len(instance)
    if n_edges == 0:
        return np.zeros(0, dtype=bool)
    n_need, n_soc = len(instance.need_room), len(instance.society_room)
    n_exp = len(instance.expert_room)
    need_0, soc_0 = 2, 2 + n_need
    exp_0 = soc_0 + n_soc
    group_0 = exp_0 + n_exp
    source, sink = 0, 1
    tails, heads, caps, costs = [], [], [], []

    def arcs(tail: np.ndarray, head: np.ndarray, cap: np.ndarray, cost: np.ndarray | int) -> None:
        tails.append(np.asarray(tail, dtype=np.int64))
        heads.append(np.asarray(head, dtype=np.int64))
        caps.append(np.asarray(cap, dtype=np.int64))
        costs.append(np.broadcast_to(np.asarray(cost, dtype=np.int64), len(tails[-1])))

    led = instance.expert >= 0
    arcs(
        need_0 + instance.need,
        np.where(led, exp_0 + instance.expert, soc_0 + instance.society),
        np.ones(n_edges),
        -instance.units,
    )
    experts = np.flatnonzero(expert_society >= 0)
    arcs(exp_0 + experts, soc_0 + expert_society[experts], instance.expert_room[experts], 0)
    arcs(soc_0 + np.arange(n_soc), np.full(n_soc, sink), instance.society_room, 0)

    active, need_cap = _active_needs(instance)
    tree = need_tree(layers, active, need_cap)

    def node(parent: np.ndarray) -> np.ndarray:
        return np.where(parent >= 0, group_0 + parent, source)

    arcs(node(tree.need_parent), need_0 + active, need_cap, 0)
    supply = int(need_cap[tree.need_parent < 0].sum())
    bonus = np.zeros(len(tree.group_cap), dtype=np.int64)
    if fair and instance.cover is not None and tree.layers:
        k = next(i for i, layer in enumerate(tree.layers) if layer is instance.cover)
        nodes = tree.layer_nodes(k)
        bonus[nodes] = (tree.group_cap[nodes] > 0) & ~instance.cover.covered
        best = np.zeros(n_need, dtype=np.int64)
        np.maximum.at(best, instance.need, instance.units)
        big_m = min(int(instance.units.sum()), int((best[active] * need_cap).sum())) + 1
        with_bonus = np.flatnonzero(bonus)
        arcs(node(tree.group_parent[with_bonus]), group_0 + with_bonus, bonus[with_bonus], -big_m)
    groups = np.arange(len(tree.group_cap))
    arcs(node(tree.group_parent), group_0 + groups, tree.group_cap - bonus, 0)
    supply += int(tree.group_cap[tree.group_parent < 0].sum())
    arcs(np.array([source]), np.array([sink]), np.array([supply]), 0)

    solver = min_cost_flow.SimpleMinCostFlow()
    all_arcs = solver.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails).astype(np.int32),
        np.concatenate(heads).astype(np.int32),
        np.concatenate(caps),
        np.concatenate(costs),
    )
    solver.set_nodes_supplies(
        np.array([source, sink], dtype=np.int32), np.array([supply, -supply], dtype=np.int64)
    )
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise AssignmentSolveError(
            "最小费用流求解失败",
            "min-cost flow did not reach an optimum",
            details={"status": str(status)},
        )
    return solver.flows(np.asarray(all_arcs[:n_edges], dtype=np.int32)) > 0
