"""``GET /dashboard/<figure>``: the data behind each dashboard figure (staff only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

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


def _figure(path: str, figure: Callable[..., Any], model: Any) -> None:
    """A route for a figure that takes only the filters; its service docstring documents it."""

    def endpoint(session: SessionDep, actor: StaffDep, filters: FilterDep) -> Any:
        return figure(session=session, actor=actor, filters=filters)

    router.add_api_route(
        path,
        endpoint,
        methods=["GET"],
        response_model=model,
        name=figure.__name__,
        description=figure.__doc__,
    )


for _path, _figure_fn, _model in (
    ("/needs-by-city", service.needs_by_city, list[LabelCount]),
    ("/needs-by-industry", service.needs_by_industry, list[LabelCount]),
    ("/needs-by-month", service.needs_by_month, list[MonthStatusCount]),
    ("/society-load", service.society_load, list[SocietyLoad]),
    ("/lead-response", service.lead_response, list[LeadResponseRate]),
    ("/services", service.services_by_month, list[ServicesMonth]),
):
    _figure(_path, _figure_fn, _model)


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
