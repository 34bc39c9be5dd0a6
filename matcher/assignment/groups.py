"""Need groups (city, industry, enterprise, …) for quotas and coverage fairness."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from matcher.assignment.inputs import Id
from matcher.assignment.units import UNLIMITED
from matcher.assignment.validate import check_capacity, fail, some


@dataclass
class GroupDim:
    """One grouping of needs: ``need_group`` is the group code per need (-1: none).

    ``room`` is each group's quota left after forced pairs (``UNLIMITED`` without a quota);
    ``covered`` marks groups that forced pairs already cover.
    """

    name: str
    need_group: np.ndarray
    names: list[Id]
    room: np.ndarray
    covered: np.ndarray


def _grouping(
    name: str,
    need_ids: list[Id],
    need_enterprise: list[Id | None],
    groups: Mapping[str, Mapping[Id, Id]],
) -> tuple[np.ndarray, list[Id]]:
    if name in groups:
        mapping = groups[name]
        values = [mapping.get(n) for n in need_ids]
    elif name == "enterprise":
        values = need_enterprise
    else:
        raise fail(
            "未知的分组维度",
            "unknown grouping dimension",
            field="groups",
            dimension=name,
            known=[*groups, "enterprise"],
        )
    index: dict[Id, int] = {}
    need_group = np.array(
        [-1 if v is None else index.setdefault(v, len(index)) for v in values], dtype=np.int64
    )
    return need_group, list(index)


def group_dims(
    need_ids: list[Id],
    need_enterprise: list[Id | None],
    groups: Mapping[str, Mapping[Id, Id]],
    quotas: Mapping[str, Mapping[Id, int]],
    fair: str | None,
    forced_need: np.ndarray,
    forced_pinned: np.ndarray,
) -> tuple[list[GroupDim], GroupDim | None]:
    """The quota dimensions (those with at least one quota) and the coverage dimension.

    A quota group must appear in the grouping (``groups[dim]`` values, or the needs'
    enterprises). Forced pairs count toward quotas; pins that exceed a quota are an error.
    """
    dims: dict[str, GroupDim] = {}

    def dim(name: str) -> GroupDim:
        if name not in dims:
            need_group, names = _grouping(name, need_ids, need_enterprise, groups)
            forced_group = need_group[forced_need] if len(forced_need) else forced_need
            used = np.bincount(forced_group[forced_group >= 0], minlength=len(names))
            dims[name] = GroupDim(
                name=name,
                need_group=need_group,
                names=names,
                room=np.full(len(names), UNLIMITED, dtype=np.int64),
                covered=used > 0,
            )
        return dims[name]

    quota_dims: list[GroupDim] = []
    for name, limits in quotas.items():
        if not limits:
            continue
        current = dim(name)
        position = {g: i for i, g in enumerate(current.names)}
        known = set(groups[name].values()) if name in groups else set(position)
        unknown = [g for g in limits if g not in position and g not in known]
        if unknown:
            raise fail(
                "限额中有未知的分组",
                "quota groups not found in the grouping",
                field="quotas",
                dimension=name,
                ids=some(unknown),
            )
        forced_group = current.need_group[forced_need] if len(forced_need) else forced_need
        used = np.bincount(forced_group[forced_group >= 0], minlength=len(current.names))
        used_pins = np.bincount(
            forced_group[(forced_group >= 0) & forced_pinned], minlength=len(current.names)
        )
        for group, limit in limits.items():
            cap = check_capacity(limit, "quotas", group)
            if group not in position:  # a known group with no need in this run
                continue
            i = position[group]
            if used[i] > cap and used_pins[i] > 0:
                raise fail(
                    "固定对接超出分组限额",
                    "pinned pairs exceed a quota",
                    field="quotas",
                    dimension=name,
                    id=group,
                )
            current.room[i] = max(cap - int(used[i]), 0)
        quota_dims.append(current)
    cover = dim(fair) if fair is not None else None
    return quota_dims, cover
