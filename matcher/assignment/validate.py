"""Checks on the optimiser's scalar inputs and the small helpers that raise its typed error."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

from matcher.assignment.errors import AssignmentInputError
from matcher.assignment.inputs import Id


def fail(message_zh: str, message_en: str, **details: object) -> AssignmentInputError:
    """The typed error, with ``details`` as a plain dict (ids listed at most 10 at a time)."""
    return AssignmentInputError(message_zh, message_en, details=details)


def some(ids: Iterable[object], limit: int = 10) -> list[object]:
    """At most ``limit`` items, for error details."""
    out = []
    for item in ids:
        if len(out) == limit:
            break
        out.append(item)
    return out


def check_per_need(per_need: int) -> None:
    if isinstance(per_need, bool) or not isinstance(per_need, int | np.integer) or per_need < 1:
        raise fail(
            "每个需求的对接数须为不小于 1 的整数",
            "per_need must be an integer >= 1",
            field="per_need",
            value=per_need,
        )


def check_min_score(min_score: float) -> None:
    if not isinstance(min_score, int | float | np.number) or not 0 <= float(min_score) <= 100:
        raise fail(
            "最低分须在 0–100 之间",
            "min_score must be within 0-100",
            field="min_score",
            value=min_score,
        )


def check_score(score: float, where: str) -> None:
    if not isinstance(score, int | float | np.number) or math.isnan(score) or not 0 <= score <= 100:
        raise fail(
            "分数须为 0–100 之间的数",
            "a score must be a number within 0-100",
            field=where,
            value=score,
        )


def check_scores(scores: np.ndarray) -> None:
    """Every score finite and within 0–100 (NaN is rejected)."""
    bad = ~((scores >= 0) & (scores <= 100))  # NaN compares False both ways
    if bad.any():
        first = np.flatnonzero(bad)[:10]
        raise fail(
            "候选分数须为 0–100 之间的数（不得为 NaN）",
            "candidate scores must be numbers within 0-100 (no NaN)",
            field="score",
            count=int(bad.sum()),
            rows=first.tolist(),
            values=[float(v) for v in scores[first]],
        )


def check_capacity(value: object, field: str, key: Id | None = None) -> int:
    """A capacity or quota: an integer ≥ 0."""
    ok = isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= 0
    if not ok:
        raise fail(
            "容量与限额须为非负整数",
            "capacities and quotas must be integers >= 0",
            field=field,
            id=key,
            value=value,
        )
    return int(value)  # type: ignore[arg-type]


def check_capacities(capacity: Mapping[Id, int], field: str) -> dict[Id, int]:
    return {key: check_capacity(value, field, key) for key, value in capacity.items()}
