"""The programme's figures from plain rows (no DB): totals against the goals, activities by
type and by month, and the same figures by city and by priority industry.

Rows are already limited to one round (pairs: active or ended pairs of the round;
activities: the round's, disputed ones left out; solved: needs whose service completed in
the round's year; stations: workstations started that year). Each row carries the city and
the priority industry of its enterprise.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from matcher.models.programme import PLATFORM_KINDS, PRIORITY_INDUSTRIES, SERVICE_TYPES

GOAL_SOCIETIES = 100
GOAL_ENTERPRISES = 1000
OTHER = "其他"
NO_CITY = "未填"
MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class Place:
    """Where a row counts: its enterprise's city and priority industry (``OTHER`` if none)."""

    city: str
    industry: str


@dataclass(frozen=True)
class PairRow:
    society_id: int
    enterprise_id: int
    chain_leader: bool
    place: Place


@dataclass(frozen=True)
class ActivityRow:
    society_id: int
    enterprise_id: int
    service_type: str
    platform_kind: str | None
    month: int
    hours: float
    place: Place


@dataclass(frozen=True)
class SolvedRow:
    need_id: int
    society_id: int
    place: Place


@dataclass(frozen=True)
class StationRow:
    society_id: int
    enterprise_id: int
    place: Place


@dataclass(frozen=True)
class Totals:
    societies_engaged: int
    enterprises_paired: int
    chain_leaders_paired: int
    activities: int
    volunteer_hours: float
    needs_solved: int
    workstations: int
    platforms: int
    """Platforms recorded as 平台建设 activities (企业科协, 学会专家工作站, 海智工作站)."""


@dataclass(frozen=True)
class Figures:
    totals: Totals
    by_type: dict[str, int]
    by_month: dict[int, int]
    hours_by_month: dict[int, float]
    platforms_by_kind: dict[str, int]
    by_city: dict[str, Totals] = field(default_factory=dict)
    by_industry: dict[str, Totals] = field(default_factory=dict)
    goal_societies: int = GOAL_SOCIETIES
    goal_enterprises: int = GOAL_ENTERPRISES


def _totals(
    pairs: Sequence[PairRow],
    activities: Sequence[ActivityRow],
    solved: Sequence[SolvedRow],
    stations: Sequence[StationRow],
) -> Totals:
    engaged = {p.society_id for p in pairs} | {a.society_id for a in activities}
    return Totals(
        societies_engaged=len(engaged),
        enterprises_paired=len({p.enterprise_id for p in pairs}),
        chain_leaders_paired=len({p.enterprise_id for p in pairs if p.chain_leader}),
        activities=len(activities),
        volunteer_hours=round(sum(a.hours for a in activities), 2),
        needs_solved=len({s.need_id for s in solved}),
        workstations=len(stations),
        platforms=sum(1 for a in activities if a.platform_kind),
    )


def _split(
    key: Callable[[Place], str],
    pairs: Sequence[PairRow],
    activities: Sequence[ActivityRow],
    solved: Sequence[SolvedRow],
    stations: Sequence[StationRow],
) -> dict[str, Totals]:
    groups: dict[str, list[list]] = defaultdict(lambda: [[], [], [], []])
    for i, rows in enumerate((pairs, activities, solved, stations)):
        for row in rows:
            groups[key(row.place)][i].append(row)
    return {name: _totals(*groups[name]) for name in sorted(groups)}


def _priority_first(groups: dict[str, Totals]) -> dict[str, Totals]:
    """The priority industries in their listed order, then any other name, ``OTHER`` last."""
    names = [p for p in PRIORITY_INDUSTRIES if p in groups]
    names += sorted(k for k in groups if k not in names and k != OTHER)
    names += [OTHER] if OTHER in groups else []
    return {k: groups[k] for k in names}


def _ordered(counts: Counter, vocabulary: Iterable[str]) -> dict[str, int]:
    """Counts in the vocabulary's order, then any other value."""
    vocabulary = list(vocabulary)
    extra = sorted(k for k in counts if k not in vocabulary)
    return {k: counts.get(k, 0) for k in [*vocabulary, *extra]}


def programme_figures(
    pairs: Sequence[PairRow],
    activities: Sequence[ActivityRow],
    solved: Sequence[SolvedRow],
    stations: Sequence[StationRow],
) -> Figures:
    rows = (pairs, activities, solved, stations)
    hours: dict[int, float] = dict.fromkeys(MONTHS, 0.0)
    for a in activities:
        hours[a.month] = round(hours[a.month] + a.hours, 2)
    months = Counter(a.month for a in activities)
    return Figures(
        totals=_totals(*rows),
        by_type=_ordered(Counter(a.service_type for a in activities), SERVICE_TYPES),
        by_month={m: months.get(m, 0) for m in MONTHS},
        hours_by_month=hours,
        platforms_by_kind=_ordered(
            Counter(a.platform_kind for a in activities if a.platform_kind), PLATFORM_KINDS
        ),
        by_city=_split(lambda p: p.city, *rows),
        by_industry=_priority_first(_split(lambda p: p.industry, *rows)),
    )
