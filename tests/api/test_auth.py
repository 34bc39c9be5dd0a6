"""Log-in, tokens (expiry, role change), API keys, rate limiting and the ``users`` CLI."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from matcher.app import create_app
from matcher.auth import security, throttle
from matcher.auth.actors import SYSTEM_CLI
from matcher.auth.service import create_user
from matcher.cli import app as cli_app
from matcher.errors import RateLimitedError
from matcher.models import AuditEvent, Role, User

from .conftest import PASSWORD

TOKEN = "/api/v1/auth/token"


def _login(api, username: str, password: str):
    return api.post(TOKEN, data={"username": username, "password": password})


def test_login_issues_a_token_that_identifies_the_user(api, world):
    r = _login(api, "ent", PASSWORD)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    me = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "ent"
    assert me.json()["enterprise_id"] == world.ids["e_own"]


def test_wrong_password_is_401_and_audited(api, store):
    r = _login(api, "ent", "wrong-password")
    assert r.status_code == 401
    assert r.json()["code"] == "bad_credentials"
    unknown = _login(api, "nobody", "wrong-password")
    assert unknown.status_code == 401 and unknown.json() == r.json()  # no user enumeration
    with store.transaction() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
    assert sorted(e.target_id for e in events) == ["ent", "nobody"]


def test_failed_logins_are_rate_limited_per_username(store, settings, world):
    limited = settings.model_copy(update={"login_attempts_per_minute": 3})
    with TestClient(create_app(limited, store=store, load_runtime=False)) as api:
        for _ in range(3):
            assert _login(api, "ent", "wrong-password").status_code == 401
        blocked = _login(api, "ent", PASSWORD)  # even the right password waits
        assert blocked.status_code == 429
        assert blocked.json()["code"] == "rate_limited"
        assert 1 <= int(blocked.headers["Retry-After"]) <= 61
        assert _login(api, "staff", PASSWORD).status_code == 200  # other users unaffected
        # a second replica on the same database agrees: the count lives in the audit trail
        with TestClient(create_app(limited, store=store, load_runtime=False)) as replica:
            assert _login(replica, "ent", PASSWORD).status_code == 429


def test_expired_and_forged_tokens_are_rejected(api, settings, world):
    key = settings.signing_key()
    expired, _ = security.issue_token(
        user_id=world.ids["user_staff"], role="staff", key=key, ttl_minutes=-1
    )
    r = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and r.json()["code"] == "token_expired"
    forged, _ = security.issue_token(
        user_id=world.ids["user_staff"],
        role="staff",
        key="not-the-signing-key-of-this-deployment",
        ttl_minutes=5,
    )
    r = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
    r = api.get("/api/v1/auth/me", headers={"Authorization": "Bearer garbage"})
    assert r.status_code == 401


def test_api_key_authenticates_and_is_stored_hashed(api, store):
    with store.transaction() as s:
        user, key = create_user(
            session=s,
            actor=SYSTEM_CLI,
            username="script",
            password=PASSWORD,
            role="staff",
            with_api_key=True,
        )
        stored = user.api_key_hash
    assert key and key not in stored and len(stored) == 64
    r = api.get("/api/v1/audit", headers={"X-API-Key": key})
    assert r.status_code == 200
    assert api.get("/api/v1/audit", headers={"X-API-Key": key + "x"}).status_code == 401


def test_role_change_invalidates_existing_tokens(api, store, world):
    headers = world.headers("staff")
    assert api.get("/api/v1/audit", headers=headers).status_code == 200
    runner = CliRunner()
    r = runner.invoke(cli_app, ["users", "set-role", "--username", "staff", "--role", "admin"])
    assert r.exit_code == 0, r.output
    assert api.get("/api/v1/audit", headers=headers).status_code == 401
    with store.transaction() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "role_changed")).one()
        assert event.detail == {"username": "staff", "from": "staff", "to": "admin"}


def test_users_cli_create_list_and_errors(store, world):
    runner = CliRunner()
    r = runner.invoke(
        cli_app,
        [
            "users",
            "create",
            "--username",
            "ent2",
            "--password-stdin",
            "--role",
            "enterprise",
            "--enterprise",
            "E2",
            "--api-key",
        ],
        input=PASSWORD + "\n",
    )
    assert r.exit_code == 0, r.output
    assert "API key" in r.output and security.API_KEY_PREFIX in r.output
    listed = runner.invoke(cli_app, ["users", "list"])
    assert "ent2\tenterprise\tenterprise=" in listed.output
    dup = runner.invoke(
        cli_app,
        ["users", "create", "--username", "ent2", "--password-stdin", "--role", "staff"],
        input=PASSWORD + "\n",
    )
    assert dup.exit_code == 1 and "conflict" in dup.output
    unbound = runner.invoke(
        cli_app,
        ["users", "create", "--username", "x", "--password-stdin", "--role", "society"],
        input=PASSWORD + "\n",
    )
    assert unbound.exit_code == 1 and "invalid_input" in unbound.output
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 5
        assert s.scalar(select(User.role).where(User.username == "ent2")) is Role.ENTERPRISE


def test_failures_from_one_address_are_limited_across_usernames(session, settings):
    limit = settings.login_attempts_per_minute
    for i in range(limit * throttle.ADDRESS_FACTOR):
        throttle.reserve(session=session, username=f"guess{i}", client_ip="10.0.0.7", limit=limit)
    with pytest.raises(RateLimitedError):
        throttle.reserve(session=session, username="fresh", client_ip="10.0.0.7", limit=limit)
    throttle.reserve(session=session, username="fresh", client_ip="10.0.0.8", limit=limit)
