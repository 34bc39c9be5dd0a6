"""Candidate edges as integer codes: index, duplicate and enterprise checks, exclusions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from matcher.assignment.indexing import codes, key_set, pair_keys, unique_pairs
from matcher.assignment.inputs import EdgeTable, Exclusions, Id
from matcher.assignment.validate import check_scores, fail, some


@dataclass
class EdgeCodes:
    """One code per edge for its need, society, lead expert (-1: none) and the need's
    enterprise (-1: unknown); the indexes map ids to codes and grow as forced pairs add ids."""

    need: np.ndarray
    society: np.ndarray
    expert: np.ndarray
    enterprise: np.ndarray
    score: np.ndarray
    expert_id: np.ndarray | None
    need_index: dict[Id, int]
    society_index: dict[Id, int]
    expert_index: dict[Id, int]
    enterprise_index: dict[Id, int]
    need_enterprise: list[Id | None]
    sorted_keys: np.ndarray
    order: np.ndarray

    def edge_of(self, need: int, society: int) -> int:
        """The edge of (need, society) codes, or -1."""
        key = need * max(len(self.society_index), 1) + society
        pos = int(np.searchsorted(self.sorted_keys, key))
        found = pos < len(self.sorted_keys) and self.sorted_keys[pos] == key
        return int(self.order[pos]) if found else -1


def index_edges(
    table: EdgeTable, society_capacity: Mapping[Id, int], needs: Iterable[Id]
) -> EdgeCodes:
    """Codes for every edge; rejects NaN or out-of-range scores, societies without a capacity,
    duplicate (need, society) pairs and needs with two enterprises."""
    score = np.asarray(table.score, dtype=np.float64)
    check_scores(score)
    need_index: dict[Id, int] = {}
    society_index = {sid: i for i, sid in enumerate(society_capacity)}
    expert_index: dict[Id, int] = {}
    enterprise_index: dict[Id, int] = {}
    need = codes(table.need_id, need_index, grow=True)
    society = codes(table.society_id, society_index, grow=False)
    if (society < 0).any():
        unknown = np.asarray(table.society_id, dtype=object)[society < 0]
        raise fail(
            "候选中有未给出容量的学会",
            "candidate societies without a capacity",
            field="society_capacity",
            ids=some(dict.fromkeys(unknown.tolist())),
        )
    none = np.full(len(need), -1, dtype=np.int64)
    expert = none if table.expert_id is None else codes(table.expert_id, expert_index, grow=True)
    keys = pair_keys(need, society, len(society_index))
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    duplicate = sorted_keys[1:] == sorted_keys[:-1]
    if duplicate.any():
        raise fail(
            "同一需求与学会的候选重复",
            "duplicate (need, society) candidate edges",
            field="edges",
            rows=order[1:][duplicate][:10].tolist(),
        )
    codes(list(needs), need_index, grow=True)
    enterprise = (
        none
        if table.enterprise_id is None
        else codes(table.enterprise_id, enterprise_index, grow=True)
    )
    need_ent = _need_enterprises(need, enterprise, len(need_index))
    enterprise_ids = list(enterprise_index)
    return EdgeCodes(
        need=need,
        society=society,
        expert=expert,
        enterprise=need_ent[need],
        score=score,
        expert_id=table.expert_id,
        need_index=need_index,
        society_index=society_index,
        expert_index=expert_index,
        enterprise_index=enterprise_index,
        need_enterprise=[enterprise_ids[c] if c >= 0 else None for c in need_ent.tolist()],
        sorted_keys=sorted_keys,
        order=order,
    )


def _need_enterprises(edge_need: np.ndarray, edge_ent: np.ndarray, n_need: int) -> np.ndarray:
    """The enterprise code of every need (-1 unknown); a need with two enterprises is an error."""
    out = np.full(n_need, -1, dtype=np.int64)
    known = edge_ent >= 0
    need, ent = unique_pairs(edge_need[known], edge_ent[known])
    if (np.diff(need) == 0).any():
        raise fail(
            "同一需求对应多个企业",
            "a need belongs to more than one enterprise",
            field="enterprise_id",
        )
    out[need] = ent
    return out


def excluded(exclusions: Exclusions, edges: EdgeCodes) -> np.ndarray:
    """Edges that a forbidden or conflicting pair rules out (unknown ids there are ignored)."""
    out = np.zeros(len(edges.need), dtype=bool)
    checks = (
        (exclusions.need_society, edges.need_index, edges.society_index, edges.need, edges.society),
        (
            exclusions.enterprise_society,
            edges.enterprise_index,
            edges.society_index,
            edges.enterprise,
            edges.society,
        ),
        (
            exclusions.enterprise_expert,
            edges.enterprise_index,
            edges.expert_index,
            edges.enterprise,
            edges.expert,
        ),
    )
    for pairs, first_index, second_index, first, second in checks:
        if not pairs:
            continue
        n_second = len(second_index)
        wanted = key_set(
            [(first_index.get(a, -1), second_index.get(b, -1)) for a, b in pairs], n_second
        )
        valid = (first >= 0) & (second >= 0)
        out |= valid & np.isin(pair_keys(first, second, n_second), wanted)
    return out
