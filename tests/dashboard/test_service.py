"""Each dashboard figure against counts made here from the rows (``world.py``), on SQLite and
PostgreSQL, with and without the period and city filters."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date

import pytest

from matcher.auth.actors import SYSTEM_CLI
from matcher.dashboard import service
from matcher.dashboard.schemas import OTHER_CITY, UNSPECIFIED, DashboardFilter
from matcher.db import Store
from matcher.errors import InvalidInputError, PermissionDeniedError
from matcher.imports.cities import HENAN_CITY_NAMES
from matcher.models import AssignmentStatus, NeedStatus, Role, User
from matcher.models.assignment import ACTIVE_STATUSES

from .world import NEEDS, SERVICES, SOCIETIES, NeedRow, load

WAITING = {NeedStatus.OPEN, NeedStatus.MATCHED, NeedStatus.NEEDS_DETAIL}
FILTERS = [
    DashboardFilter(),
    DashboardFilter(since=date(2026, 10, 1), until=date(2026, 11, 10)),
    DashboardFilter(city="郑州"),  # normalised to 郑州市
    DashboardFilter(since=date(2026, 11, 1), city="郑州市"),
]


@pytest.fixture
def store_with_rows(store: Store) -> Store:
    load(store)
    return store


def _kept(row: NeedRow, f: DashboardFilter, *, by_city: bool = True) -> bool:
    day = row.created.date()
    return (
        (f.since is None or day >= f.since)
        and (f.until is None or day <= f.until)
        and (not by_city or f.city is None or row.city == f.city)
    )


def _call(store: Store, fn, **kw):
    with store.transaction() as session:
        return fn(session=session, actor=SYSTEM_CLI, **kw)


@pytest.mark.parametrize("f", FILTERS)
def test_needs_by_city_lists_all_18_cities_sorted(store_with_rows: Store, f) -> None:
    got = _call(store_with_rows, service.needs_by_city, filters=f)
    counted = Counter(r.city for r in NEEDS if _kept(r, f, by_city=False))
    other = sum(n for c, n in counted.items() if c not in HENAN_CITY_NAMES)
    assert {g.label: g.count for g in got} == {
        **{c: counted.get(c, 0) for c in HENAN_CITY_NAMES},
        **({OTHER_CITY: other} if other else {}),
    }
    cities = [g.count for g in got if g.label != OTHER_CITY]
    assert len(cities) == 18 and cities == sorted(cities, reverse=True)


@pytest.mark.parametrize("f", FILTERS)
def test_needs_by_industry(store_with_rows: Store, f) -> None:
    got = _call(store_with_rows, service.needs_by_industry, filters=f)
    counted = Counter((r.industry or "").strip() or UNSPECIFIED for r in NEEDS if _kept(r, f))
    assert {g.label: g.count for g in got} == counted
    assert [g.count for g in got] == sorted(counted.values(), reverse=True)


@pytest.mark.parametrize("f", FILTERS)
def test_needs_by_month_and_status(store_with_rows: Store, f) -> None:
    got = _call(store_with_rows, service.needs_by_month, filters=f)
    counted = Counter((r.created.strftime("%Y-%m"), r.status) for r in NEEDS if _kept(r, f))
    assert {(g.month, g.status): g.count for g in got} == counted
    assert counted.get(("2026-10", NeedStatus.OPEN)) in (None, 1)  # 31 Oct 23:00 UTC


@pytest.mark.parametrize("f", FILTERS)
@pytest.mark.parametrize("min_score", [0.0, 50.0, 90.0])
def test_match_coverage(store_with_rows: Store, f, min_score: float) -> None:
    got = _call(store_with_rows, service.match_coverage, filters=f, min_score=min_score)
    waiting = [r for r in NEEDS if _kept(r, f) and r.status in WAITING]
    covered = [r for r in waiting if any(score >= min_score for _, score in r.matches)]
    assert (got.open_needs, got.covered) == (len(waiting), len(covered))
    assert got.share == pytest.approx(len(covered) / len(waiting) if waiting else 0.0)


@pytest.mark.parametrize("f", FILTERS)
def test_top_disciplines_stated_else_first_society(store_with_rows: Store, f) -> None:
    got = _call(store_with_rows, service.top_disciplines, filters=f)
    stated = Counter(r.discipline for r in NEEDS if _kept(r, f) and r.discipline)
    inferred: Counter[str] = Counter()
    for r in NEEDS:
        if _kept(r, f) and not r.discipline and r.matches:
            inferred.update(SOCIETIES[r.matches[0][0]][2])
    assert {g.label: (g.stated, g.inferred) for g in got} == {
        d: (stated[d], inferred[d]) for d in stated | inferred
    }
    assert [g.count for g in got] == sorted((stated + inferred).values(), reverse=True)
    assert len(_call(store_with_rows, service.top_disciplines, filters=f, limit=1)) <= 1


@pytest.mark.parametrize("f", [DashboardFilter(), DashboardFilter(city="洛阳市")])
def test_society_load_against_capacity(store_with_rows: Store, f) -> None:
    got = _call(store_with_rows, service.society_load, filters=f)
    active = Counter(s.society for s in SERVICES if s.status in ACTIVE_STATUSES)
    expected = {
        name: (cap, active[name], active[name] / cap if cap else 0.0)
        for name, (city, cap, _) in SOCIETIES.items()
        if f.city is None or city == f.city
    }
    assert {g.name: (g.capacity, g.active, g.utilisation) for g in got} == expected
    assert [g.utilisation for g in got] == sorted((u for *_, u in expected.values()), reverse=True)


@pytest.mark.parametrize("f", FILTERS)
def test_lead_response_rate_and_median_hours(store_with_rows: Store, f) -> None:
    got = _call(store_with_rows, service.lead_response, filters=f)
    leads: Counter[str] = Counter()
    hours: dict[str, list[float]] = {}
    for r in NEEDS:
        if not _kept(r, f) or r.status is NeedStatus.NEEDS_DETAIL:  # not routed: no lead
            continue
        leads.update(name for name, _ in r.matches)
        for name, h in r.answers:
            hours.setdefault(name, []).append(h)
    assert {g.name: (g.leads, g.responded) for g in got} == {
        name: (n, len(hours.get(name, []))) for name, n in leads.items()
    }
    for g in got:
        assert g.rate == pytest.approx(g.responded / g.leads)
        expected = statistics.median(hours[g.name]) if g.name in hours else None
        assert g.median_hours == pytest.approx(expected, abs=1e-3)
    assert [g.rate for g in got] == sorted(g.rate for g in got)


@pytest.mark.parametrize(
    "f",
    [
        DashboardFilter(),
        DashboardFilter(since=date(2026, 10, 1), until=date(2026, 10, 15)),
        DashboardFilter(city="洛阳市"),
    ],
)
def test_services_per_month_and_mean_rating(store_with_rows: Store, f) -> None:
    from .world import ENTERPRISES

    got = _call(store_with_rows, service.services_by_month, filters=f)
    done = [
        s
        for s in SERVICES
        if s.status is AssignmentStatus.COMPLETED
        and (f.since is None or s.completed.date() >= f.since)
        and (f.until is None or s.completed.date() <= f.until)
        and (f.city is None or ENTERPRISES[s.enterprise] == f.city)
    ]
    months = sorted({s.completed.strftime("%Y-%m") for s in done})
    expected = []
    for m in months:
        rows = [s for s in done if s.completed.strftime("%Y-%m") == m]
        ratings = [s.rating for s in rows if s.rating is not None]
        expected.append((m, len(rows), len(ratings), statistics.mean(ratings) if ratings else None))
    assert [(g.month, g.completed, g.rated, g.mean_rating) for g in got] == expected


def test_figures_are_staff_only(store_with_rows: Store) -> None:
    enterprise = User(username="e", password_hash="x", role=Role.ENTERPRISE)
    with store_with_rows.transaction() as session, pytest.raises(PermissionDeniedError):
        service.needs_by_city(session=session, actor=enterprise, filters=DashboardFilter())


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="晚于"):
        DashboardFilter(since=date(2026, 11, 2), until=date(2026, 11, 1))
