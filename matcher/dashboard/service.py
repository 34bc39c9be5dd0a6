"""One function per dashboard figure: SQL aggregates over the whole store (staff only).

Every figure takes the same ``DashboardFilter``: the period applies to when the counted thing
happened (a need's posting, a service's completion), the city to the need's (or, for
services, the enterprise's; for load, the society's) city.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session

from matcher.auth.policy import routable, staff_only
from matcher.dashboard.schemas import (
    OTHER_CITY,
    UNSPECIFIED,
    Coverage,
    DashboardFilter,
    DisciplineCount,
    LabelCount,
    LeadResponseRate,
    MonthStatusCount,
    ServicesMonth,
    SocietyLoad,
)
from matcher.dashboard.sql import hours_between, month_of
from matcher.imports.cities import HENAN_CITY_NAMES
from matcher.models import (
    Assignment,
    AssignmentStatus,
    Enterprise,
    LeadResponse,
    MatchResult,
    NeedStatus,
    Society,
    TargetKind,
    TechNeed,
    User,
)
from matcher.models.assignment import ACTIVE_STATUSES
from matcher.timeutil import within_days

AWAITING = (NeedStatus.OPEN, NeedStatus.MATCHED, NeedStatus.NEEDS_DETAIL)
"""Needs still waiting for a society: what match coverage is about."""


def _period(filters: DashboardFilter, column: Any) -> list[ColumnElement[bool]]:
    """``column`` within the filter's days (UTC, both ends inclusive)."""
    return within_days(column, filters.since, filters.until)


def _city(filters: DashboardFilter, column: Any) -> list[ColumnElement[bool]]:
    return [column == filters.city] if filters.city else []


def _needs(filters: DashboardFilter) -> list[ColumnElement[bool]]:
    return _period(filters, TechNeed.created_at) + _city(filters, TechNeed.city)


def _labelled(rows: list[tuple[str | None, int]]) -> list[LabelCount]:
    """Grouped counts, largest first, blank labels merged as "unspecified"."""
    merged: dict[str, int] = {}
    for label, count in rows:
        key = label.strip() if label and label.strip() else UNSPECIFIED
        merged[key] = merged.get(key, 0) + count
    ordered = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    return [LabelCount(label=k, count=v) for k, v in ordered]


@staff_only
def needs_by_city(*, session: Session, actor: User, filters: DashboardFilter) -> list[LabelCount]:
    """Needs per Henan city, all 18 (0 when none), most first; then those of other or no
    city. The figure is by city, so the city filter does not narrow it."""
    stmt = select(TechNeed.city, func.count()).where(*_period(filters, TechNeed.created_at))
    rows: dict[str | None, int] = dict(list(session.execute(stmt.group_by(TechNeed.city))))
    cities = [LabelCount(label=c, count=rows.get(c, 0)) for c in HENAN_CITY_NAMES]
    cities.sort(key=lambda c: -c.count)  # stable: ties keep the official order
    other = sum(n for c, n in rows.items() if c not in HENAN_CITY_NAMES)
    return cities + ([LabelCount(label=OTHER_CITY, count=other)] if other else [])


@staff_only
def needs_by_industry(
    *, session: Session, actor: User, filters: DashboardFilter
) -> list[LabelCount]:
    """Needs per industry (行业), most first."""
    stmt = select(TechNeed.industry, func.count()).where(*_needs(filters))
    return _labelled(list(session.execute(stmt.group_by(TechNeed.industry))))


@staff_only
def top_disciplines(
    *, session: Session, actor: User, filters: DashboardFilter, limit: int = 15
) -> list[DisciplineCount]:
    """The disciplines (学科分类) in most demand, most first: as the need states it, else
    those of the society ranked first for it (each of that society's disciplines)."""
    stated = (TechNeed.discipline.is_not(None), TechNeed.discipline != "")
    by_need = (
        select(TechNeed.discipline, func.count())
        .where(*_needs(filters), *stated)
        .group_by(TechNeed.discipline)
    )
    counts: dict[str, list[int]] = {d: [n, 0] for d, n in session.execute(by_need)}
    firsts = (  # needs without one, per society ranked first (few rows: societies)
        select(MatchResult.target_id.label("sid"), func.count().label("n"))
        .join(TechNeed, TechNeed.id == MatchResult.need_id)
        .where(
            *_needs(filters),
            ~and_(*stated),
            MatchResult.target_kind == TargetKind.SOCIETY,
            MatchResult.rank == 1,
        )
        .group_by(MatchResult.target_id)
        .subquery()
    )
    by_top_society = select(Society.disciplines, firsts.c.n).join(
        firsts, firsts.c.sid == Society.id
    )
    for disciplines, n in session.execute(by_top_society):
        for discipline in dict.fromkeys(disciplines or []):
            counts.setdefault(discipline, [0, 0])[1] += n
    rows = [DisciplineCount(label=d, stated=a, inferred=b) for d, (a, b) in counts.items()]
    return sorted(rows, key=lambda r: (-r.count, r.label))[:limit]


@staff_only
def needs_by_month(
    *, session: Session, actor: User, filters: DashboardFilter
) -> list[MonthStatusCount]:
    """Needs posted per month (UTC), split by their current status."""
    month = month_of(TechNeed.created_at)
    stmt = (
        select(month, TechNeed.status, func.count())
        .where(*_needs(filters))
        .group_by(month, TechNeed.status)
        .order_by(month, TechNeed.status)
    )
    return [MonthStatusCount(month=m, status=s, count=n) for m, s, n in session.execute(stmt)]


@staff_only
def match_coverage(
    *, session: Session, actor: User, filters: DashboardFilter, min_score: float
) -> Coverage:
    """Of the needs still waiting for a society, how many have one scoring ``min_score``."""
    strong = exists().where(
        MatchResult.need_id == TechNeed.id,
        MatchResult.target_kind == TargetKind.SOCIETY,
        MatchResult.score >= min_score,
    )
    stmt = select(func.count(), func.coalesce(func.sum(case((strong, 1), else_=0)), 0)).where(
        *_needs(filters), TechNeed.status.in_(AWAITING)
    )
    total, covered = session.execute(stmt).one()
    total, covered = int(total), int(covered)
    return Coverage(
        min_score=min_score,
        open_needs=total,
        covered=covered,
        share=covered / total if total else 0.0,
    )


@staff_only
def society_load(*, session: Session, actor: User, filters: DashboardFilter) -> list[SocietyLoad]:
    """Each society's active assignments against its capacity, the most loaded first (the
    load is current: the period does not apply)."""
    active = (
        select(Assignment.society_id, func.count().label("n"))
        .where(Assignment.status.in_(ACTIVE_STATUSES))
        .group_by(Assignment.society_id)
        .subquery()
    )
    stmt = (
        select(Society.id, Society.name, Society.city, Society.capacity, active.c.n)
        .outerjoin(active, active.c.society_id == Society.id)
        .where(*_city(filters, Society.city))
    )
    rows = [
        SocietyLoad(
            society_id=sid,
            name=name,
            city=city,
            capacity=capacity,
            active=n or 0,
            utilisation=(n or 0) / capacity if capacity else 0.0,
        )
        for sid, name, city, capacity, n in session.execute(stmt)
    ]
    return sorted(rows, key=lambda r: (-r.utilisation, -r.active, r.name))


def _answered() -> ColumnElement[bool]:
    return and_(
        LeadResponse.need_id == MatchResult.need_id,
        LeadResponse.society_id == MatchResult.target_id,
    )


def _leads(filters: DashboardFilter) -> list[ColumnElement[bool]]:
    return [MatchResult.target_kind == TargetKind.SOCIETY, routable(), *_needs(filters)]


def _median_hours(session: Session, filters: DashboardFilter) -> dict[int, float]:
    """Per society, the median hours from a need's posting to the society's first answer
    (window functions: the middle one or two answers of each society, averaged)."""
    hours = hours_between(LeadResponse.created_at, TechNeed.created_at)
    ranked = (
        select(
            MatchResult.target_id.label("sid"),
            hours.label("h"),
            func.row_number().over(partition_by=MatchResult.target_id, order_by=hours).label("rn"),
            func.count().over(partition_by=MatchResult.target_id).label("n"),
        )
        .join(TechNeed, TechNeed.id == MatchResult.need_id)
        .join(LeadResponse, _answered())
        .where(*_leads(filters))
        .subquery()
    )
    middle = and_(ranked.c.rn * 2 >= ranked.c.n, ranked.c.rn * 2 <= ranked.c.n + 2)
    stmt = select(ranked.c.sid, func.avg(ranked.c.h)).where(middle).group_by(ranked.c.sid)
    return {sid: float(h) for sid, h in session.execute(stmt)}


@staff_only
def lead_response(
    *, session: Session, actor: User, filters: DashboardFilter
) -> list[LeadResponseRate]:
    """Per society with leads: how many it answered and how fast, the lowest rate first."""
    stmt = (
        select(
            MatchResult.target_id,
            Society.name,
            func.count(MatchResult.id),
            func.count(LeadResponse.id),
        )
        .join(TechNeed, TechNeed.id == MatchResult.need_id)
        .join(Society, Society.id == MatchResult.target_id)
        .outerjoin(LeadResponse, _answered())
        .where(*_leads(filters))
        .group_by(MatchResult.target_id, Society.name)
    )
    medians = _median_hours(session, filters)
    rows = [
        LeadResponseRate(
            society_id=sid,
            name=name,
            leads=leads,
            responded=answered,
            rate=answered / leads,
            median_hours=medians.get(sid),
        )
        for sid, name, leads, answered in session.execute(stmt)
    ]
    return sorted(rows, key=lambda r: (r.rate, -r.leads, r.name))


@staff_only
def services_by_month(
    *, session: Session, actor: User, filters: DashboardFilter
) -> list[ServicesMonth]:
    """Services completed per month (UTC) and their mean rating (1–5, of those rated)."""
    month = month_of(Assignment.completed_at)
    stmt = (
        select(month, func.count(), func.count(Assignment.rating), func.avg(Assignment.rating))
        .join(Enterprise, Enterprise.id == Assignment.enterprise_id)
        .where(
            Assignment.status == AssignmentStatus.COMPLETED,
            Assignment.completed_at.is_not(None),
            *_period(filters, Assignment.completed_at),
            *_city(filters, Enterprise.city),
        )
        .group_by(month)
        .order_by(month)
    )
    return [
        ServicesMonth(
            month=m,
            completed=n,
            rated=rated,
            mean_rating=float(mean) if mean is not None else None,
        )
        for m, n, rated, mean in session.execute(stmt)
    ]
