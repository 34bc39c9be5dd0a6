"""Pinned and fixed pairs: resolved against the candidates, checked, and the room they leave."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from matcher.assignment.edges import EdgeCodes
from matcher.assignment.inputs import Exclusions, Id, Pair
from matcher.assignment.units import to_units
from matcher.assignment.validate import check_score, fail, some


@dataclass(frozen=True)
class Forced:
    """A pinned or fixed pair, as codes; ``edge`` is its candidate edge or -1."""

    need: int
    society: int
    expert: int
    units: int
    score: float
    enterprise: Id | None
    pinned: bool
    edge: int


def forced_pairs(fixed: Iterable[Pair], pinned: Iterable[Pair], edges: EdgeCodes) -> list[Forced]:
    """Fixed pairs (facts: an unseen need joins the run) then pins (their need must be known).

    A pair takes its expert, score and enterprise from its candidate edge unless given; a pair
    that is no candidate scores its given score or 0. New needs and experts are added to the
    indexes of ``edges``.
    """
    out: list[Forced] = []
    seen: set[tuple[int, int]] = set()
    for is_pin, pairs in ((False, fixed), (True, pinned)):
        where = "pinned" if is_pin else "fixed"
        for pair in pairs:
            if not is_pin and pair.need_id not in edges.need_index:
                edges.need_index[pair.need_id] = len(edges.need_index)
                edges.need_enterprise.append(None)
            need = edges.need_index.get(pair.need_id, -1)
            society = edges.society_index.get(pair.society_id, -1)
            if need < 0 or society < 0:
                raise fail(
                    "固定对接中有未知的需求或学会",
                    f"unknown need or society in {where}",
                    field=where,
                    need_id=pair.need_id,
                    society_id=pair.society_id,
                )
            if (need, society) in seen:
                raise fail(
                    "固定对接重复",
                    f"duplicate pair in pinned/fixed ({where})",
                    field=where,
                    need_id=pair.need_id,
                    society_id=pair.society_id,
                )
            seen.add((need, society))
            edge = edges.edge_of(need, society)
            expert_id = pair.expert_id
            if expert_id is None and edge >= 0 and edges.expert_id is not None:
                expert_id = edges.expert_id[edge]
            value = (
                pair.score if pair.score is not None else (edges.score[edge] if edge >= 0 else 0)
            )
            check_score(value, where)
            if edges.need_enterprise[need] is None:
                edges.need_enterprise[need] = pair.enterprise_id
            expert = -1
            if expert_id is not None:
                expert = edges.expert_index.setdefault(expert_id, len(edges.expert_index))
            out.append(
                Forced(
                    need=need,
                    society=society,
                    expert=expert,
                    units=int(to_units(value)),
                    score=float(value),
                    enterprise=(
                        edges.need_enterprise[need]
                        if pair.enterprise_id is None
                        else pair.enterprise_id
                    ),
                    pinned=is_pin,
                    edge=edge,
                )
            )
    return out


def check_pins_allowed(forced: list[Forced], exclusions: Exclusions, edges: EdgeCodes) -> None:
    """A pin that is forbidden or conflicted is an error."""
    need_ids, society_ids = list(edges.need_index), list(edges.society_index)
    expert_ids = list(edges.expert_index)
    for pair in forced:
        expert_id = expert_ids[pair.expert] if pair.expert >= 0 else None
        society_id = society_ids[pair.society]
        if pair.pinned and exclusions.excludes(
            need_ids[pair.need], society_id, pair.enterprise, expert_id
        ):
            raise fail(
                "固定对接的组合被禁止或存在利益冲突",
                "a pinned pair is forbidden or conflicted",
                field="pinned",
                need_id=need_ids[pair.need],
                society_id=society_id,
            )


def room(
    cap: np.ndarray, used_by: np.ndarray, pinned: np.ndarray, field: str, ids: list[Id]
) -> np.ndarray:
    """``cap`` less what forced pairs use; pins that do not fit are an error, fixed pairs are
    kept as facts (the room is then 0)."""
    used = np.bincount(used_by, minlength=len(cap)).astype(np.int64)
    used_pins = np.bincount(used_by[pinned], minlength=len(cap))
    over = (used > cap) & (used_pins > 0)
    if over.any():
        raise fail(
            "固定对接超出容量或对接数上限",
            f"pinned pairs exceed {field}",
            field=field,
            ids=some(ids[i] for i in np.flatnonzero(over)),
        )
    return np.maximum(cap - used, 0)
