"""Hostile input never yields a 500: every 4xx is JSON with a stable code."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.models import AuditEvent, TechNeed


def _assert_error(r, status: int, code: str | None = None):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"code", "message", "details"}
    if code:
        assert body["code"] == code


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/needs/-1",
        "/api/v1/needs/0",
        "/api/v1/needs/9223372036854775808",
        "/api/v1/needs/99999999999999999999999999",
        "/api/v1/needs/abc",
        "/api/v1/needs?limit=100000",
        "/api/v1/needs?limit=0",
        "/api/v1/needs?offset=-5",
        "/api/v1/needs?status=bogus",
        "/api/v1/needs?enterprise_id=9223372036854775808",
        "/api/v1/societies/1/leads?min_score=nan",
        "/api/v1/needs/1/matches?target=planets",
        "/api/v1/needs/1/matches?top_k=100000",
    ],
)
def test_bad_parameters_are_422(api, world, path):
    _assert_error(api.get(path, headers=world.headers("staff")), 422, "validation_error")


def test_validation_error_names_the_field(api, world):
    r = api.post(
        "/api/v1/needs", json={"title": 5, "keywords": "x"}, headers=world.headers("enterprise")
    )
    _assert_error(r, 422, "validation_error")
    fields = {d["field"] for d in r.json()["details"]}
    assert {"body.title", "body.keywords"} <= fields


@pytest.mark.parametrize(
    "payload",
    [
        b'{"title": "\xff\xfe broken"}',
        b'{"title": ',
        b"[1, 2, 3]",
        b'{"title": "NUL \\u0000 inside"}',
        b'{"title": "lone \\ud800 surrogate"}',
        ('{"title": "' + "长" * 300 + '"}').encode(),
    ],
)
def test_broken_bodies_are_rejected_cleanly(api, world, store, payload):
    r = api.post(
        "/api/v1/needs",
        content=payload,
        headers={**world.headers("enterprise"), "Content-Type": "application/json"},
    )
    assert 400 <= r.status_code < 500, r.text
    assert set(r.json()) == {"code", "message", "details"}
    with store.transaction() as s:
        assert not s.scalars(select(TechNeed).where(TechNeed.title.contains("NUL"))).all()


def test_oversized_body_is_413(api, world, settings, monkeypatch):
    big = b"x" * (settings.max_upload_bytes + 1)
    r = api.post("/api/v1/imports/needs", content=big, headers=world.headers("staff"))
    _assert_error(r, 413, "payload_too_large")


def test_unknown_route_and_method_are_json(api, world):
    _assert_error(api.get("/api/v1/nothing-here"), 404, "not_found")
    _assert_error(api.delete("/api/v1/needs", headers=world.headers("staff")), 405)


def test_duplicate_external_id_is_409_and_nothing_written(api, world, store):
    r = api.post(
        "/api/v1/enterprises",
        json={"name": "重复", "external_id": "E1"},
        headers=world.headers("staff"),
    )
    _assert_error(r, 409, "conflict")
    with store.transaction() as s:
        assert not s.scalars(
            select(AuditEvent).where(AuditEvent.action == "enterprise_created")
        ).all()


def test_metrics_count_requests_by_route_template(api, world):
    api.get(f"/api/v1/needs/{world.ids['need_own']}", headers=world.headers("staff"))
    api.get(f"/api/v1/needs/{world.ids['need_other']}", headers=world.headers("enterprise"))
    text = api.get("/metrics", headers=world.headers("staff")).text
    assert 'route="/api/v1/needs/{need_id}",status="200"' in text
    assert 'route="/api/v1/needs/{need_id}",status="404"' in text
    assert "matcher_http_request_seconds_bucket" in text


def test_openapi_docs_and_security_schemes(api):
    assert api.get("/docs").status_code == 200
    schema = api.get("/openapi.json").json()
    assert {"OAuth2PasswordBearer", "APIKeyHeader"} <= set(schema["components"]["securitySchemes"])
    needs = schema["paths"]["/api/v1/needs/{need_id}"]["get"]["responses"]
    assert {"200", "401", "404", "422"} <= set(needs)
