"""``GET /dashboard/<figure>``: the data behind each dashboard figure (staff only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from matcher.api.deps import SessionDep, SettingsDep, StaffDep
from matcher.api.fields import City
from matcher.dashboard import service
from matcher.dashboard.schemas import (
    Coverage,
    DashboardFilter,
    DisciplineCount,
    LabelCount,
    LeadResponseRate,
    MonthStatusCount,
    ServicesMonth,
    SocietyLoad,
)

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


def _filters(
    since: Annotated[date | None, Query(description="from this day (inclusive, UTC)")] = None,
    until: Annotated[date | None, Query(description="to this day (inclusive, UTC)")] = None,
    city: Annotated[City | None, Query(description="only this city")] = None,
) -> DashboardFilter:
    return DashboardFilter(since=since, until=until, city=city)


FilterDep = Annotated[DashboardFilter, Depends(_filters)]


@router.get("/needs-by-city", response_model=list[LabelCount])
def needs_by_city(session: SessionDep, actor: StaffDep, filters: FilterDep):
    """Needs per Henan city (all 18, most first), then other or no city."""
    return service.needs_by_city(session=session, actor=actor, filters=filters)


@router.get("/needs-by-industry", response_model=list[LabelCount])
def needs_by_industry(session: SessionDep, actor: StaffDep, filters: FilterDep):
    """Needs per industry, most first."""
    return service.needs_by_industry(session=session, actor=actor, filters=filters)


@router.get("/needs-by-month", response_model=list[MonthStatusCount])
def needs_by_month(session: SessionDep, actor: StaffDep, filters: FilterDep):
    """Needs posted per month, by current status."""
    return service.needs_by_month(session=session, actor=actor, filters=filters)


@router.get("/disciplines", response_model=list[DisciplineCount])
def top_disciplines(
    session: SessionDep,
    actor: StaffDep,
    filters: FilterDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 15,
):
    """The disciplines (学科分类) most needs name."""
    return service.top_disciplines(session=session, actor=actor, filters=filters, limit=limit)


@router.get("/match-coverage", response_model=Coverage)
def match_coverage(
    session: SessionDep,
    actor: StaffDep,
    settings: SettingsDep,
    filters: FilterDep,
    min_score: Annotated[
        float | None, Query(ge=0, le=100, description="default MATCHER_DASHBOARD_MIN_SCORE")
    ] = None,
):
    """Share of waiting needs with a society scoring at least ``min_score`` (0–100)."""
    threshold = settings.dashboard_min_score if min_score is None else min_score
    return service.match_coverage(
        session=session, actor=actor, filters=filters, min_score=threshold
    )


@router.get("/society-load", response_model=list[SocietyLoad])
def society_load(session: SessionDep, actor: StaffDep, filters: FilterDep):
    """Each society's active assignments against its capacity."""
    return service.society_load(session=session, actor=actor, filters=filters)


@router.get("/lead-response", response_model=list[LeadResponseRate])
def lead_response(session: SessionDep, actor: StaffDep, filters: FilterDep):
    """Societies' answer rate to their leads and median answer time."""
    return service.lead_response(session=session, actor=actor, filters=filters)


@router.get("/services", response_model=list[ServicesMonth])
def services_by_month(session: SessionDep, actor: StaffDep, filters: FilterDep):
    """Services completed per month and their mean rating."""
    return service.services_by_month(session=session, actor=actor, filters=filters)
