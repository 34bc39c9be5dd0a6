"""Need groupings that nest (a laminar family) as a tree under the flow's source.

Groupings nest when, for every two of them, each group of the finer one lies within one
group of the coarser one (e.g. enterprises within cities, or chain leaders, each a group of
its own, within anything). Then source → coarse group → finer group → need is a tree, and the
quota of every group is the capacity of the arc into its node.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.assignment.groups import GroupDim
from matcher.assignment.indexing import unique_pairs


def refines(fine: GroupDim, coarse: GroupDim, needs: np.ndarray) -> bool:
    """Whether every group of ``fine`` lies within one group of ``coarse`` (or within none),
    looking at ``needs`` only."""
    fine_group = fine.need_group[needs]
    grouped = fine_group >= 0
    groups, _ = unique_pairs(fine_group[grouped], coarse.need_group[needs][grouped] + 1)
    return not (np.diff(groups) == 0).any()


def nested_order(dims: list[GroupDim], needs: np.ndarray) -> list[GroupDim] | None:
    """``dims`` coarsest first if they nest over ``needs``, else None."""

    def size(dim: GroupDim) -> int:
        return len(np.unique(dim.need_group[needs]))

    ordered = sorted(dims, key=size)
    for j, fine in enumerate(ordered):
        if not all(refines(fine, coarse, needs) for coarse in ordered[:j]):
            return None
    return ordered


@dataclass
class NeedTree:
    """Group nodes of all layers, numbered layer by layer (``offsets``); parents are group node
    numbers, -1 for the source."""

    layers: list[GroupDim]
    offsets: np.ndarray
    group_parent: np.ndarray
    need_parent: np.ndarray
    group_cap: np.ndarray

    def layer_nodes(self, k: int) -> np.ndarray:
        return np.arange(self.offsets[k], self.offsets[k + 1])


def need_tree(layers: list[GroupDim], needs: np.ndarray, need_cap: np.ndarray) -> NeedTree:
    """The tree over ``needs`` (codes) for nested ``layers`` (coarsest first); ``need_cap`` is
    per entry of ``needs``. A group's capacity is its room, at most what its children carry."""
    offsets = np.cumsum([0, *(len(layer.names) for layer in layers)])
    n_groups = int(offsets[-1])
    deepest = np.full(len(needs), -1, dtype=np.int64)
    group_parent = np.full(n_groups, -1, dtype=np.int64)
    for k, layer in enumerate(layers):
        group = layer.need_group[needs]
        has = group >= 0
        group_parent[offsets[k] + group[has]] = deepest[has]  # nesting: all needs agree
        deepest = np.where(has, offsets[k] + group, deepest)

    carried = np.zeros(n_groups, dtype=np.int64)
    np.add.at(carried, deepest[deepest >= 0], need_cap[deepest >= 0])
    group_cap = np.zeros(n_groups, dtype=np.int64)
    for k in reversed(range(len(layers))):
        nodes = np.arange(offsets[k], offsets[k + 1])
        group_cap[nodes] = np.minimum(layers[k].room, carried[nodes])
        parent = group_parent[nodes]
        has = parent >= 0
        np.add.at(carried, parent[has], group_cap[nodes][has])
    return NeedTree(layers, offsets, group_parent, deepest, group_cap)
