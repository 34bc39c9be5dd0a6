"""``GET /api/v1/dashboard/<figure>`` over HTTP: the service's numbers, the filters as query
parameters, bad filters refused with a bilingual message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from matcher.app import create_app
from matcher.auth.service import issue_token
from matcher.config import Settings
from matcher.db import Store
from matcher.models import Role, User

from .world import NEEDS, load

V1 = "/api/v1/dashboard"


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    load(store)
    with store.transaction() as s:
        staff = User(username="staff", password_hash="x", role=Role.STAFF)
        s.add(staff)
        s.flush()
        token = issue_token(settings=settings, user=staff)[0]
    app = create_app(settings, store=store, load_runtime=False)
    with TestClient(app, raise_server_exceptions=False) as api:
        yield api, {"Authorization": f"Bearer {token}"}


def test_needs_by_city_with_a_period(client) -> None:
    api, headers = client
    r = api.get(f"{V1}/needs-by-city?since=2026-11-01&until=2026-11-30", headers=headers)
    assert r.status_code == 200, r.text
    counts = {row["label"]: row["count"] for row in r.json()}
    assert len(counts) == 19  # 18 cities + other (北京市 and no city)
    november = [n for n in NEEDS if n.created.month == 11]
    assert counts["郑州市"] == sum(n.city == "郑州市" for n in november)
    assert sum(counts.values()) == len(november)


def test_city_filter_accepts_the_short_name(client) -> None:
    api, headers = client
    r = api.get(f"{V1}/needs-by-industry", params={"city": "郑州"}, headers=headers)
    assert r.status_code == 200, r.text
    assert sum(row["count"] for row in r.json()) == sum(n.city == "郑州市" for n in NEEDS)


def test_coverage_uses_the_setting_unless_given(client, settings: Settings) -> None:
    api, headers = client
    default = api.get(f"{V1}/match-coverage", headers=headers).json()
    assert default["min_score"] == settings.dashboard_min_score == 50.0
    strict = api.get(f"{V1}/match-coverage?min_score=90", headers=headers).json()
    assert strict["open_needs"] == default["open_needs"]
    assert strict["covered"] < default["covered"]


@pytest.mark.parametrize(
    "query",
    ["since=2026-11-02&until=2026-11-01", "since=yesterday", "min_score=101", "city=" + "x" * 51],
)
def test_bad_filters_are_refused_in_both_languages(client, query: str) -> None:
    api, headers = client
    r = api.get(f"{V1}/match-coverage?{query}", headers=headers)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] in ("invalid_input", "validation_error")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])  # Chinese text


def test_every_figure_answers_staff(client) -> None:
    api, headers = client
    for figure in (
        "needs-by-month",
        "disciplines?limit=2",
        "society-load",
        "lead-response",
        "services",
    ):
        r = api.get(f"{V1}/{figure}", headers=headers)
        assert r.status_code == 200, (figure, r.text)
        assert isinstance(r.json(), list) and r.json(), figure
    assert len(api.get(f"{V1}/disciplines?limit=2", headers=headers).json()) == 2
