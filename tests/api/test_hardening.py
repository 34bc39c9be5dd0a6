"""Web and local hardening: private files, the signing key, security headers, CORS,
``/metrics`` access, token claims, password policy and life cycle, the audit time filter."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from matcher.app import create_app
from matcher.auth import security
from matcher.cli import app as cli_app
from matcher.config import Settings
from matcher.db import open_store
from matcher.errors import ConfigurationError
from matcher.models import AuditEvent, User

from .conftest import PASSWORD

V1 = "/api/v1"
runner = CliRunner()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---- local files ----------------------------------------------------------------------------


def test_data_directory_key_and_sqlite_store_are_private(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "umask", os.umask)  # restore whatever the test changes
    old = os.umask(0o022)  # a usual umask: files would be 0644 without care
    try:
        settings = Settings(data_dir=tmp_path / "fresh" / "data")
        store = open_store(settings.sqlalchemy_url)
        with store.transaction() as s:
            s.add(AuditEvent(action="probe", target_type="test"))
        key = settings.signing_key()
    finally:
        os.umask(old)
    data = settings.data_dir
    assert _mode(data) == 0o700
    assert _mode(data / ".secret_key") == 0o600 and len(key) >= 32
    assert _mode(data / "matcher.db") == 0o600
    wal = data / "matcher.db-wal"
    assert not wal.exists() or _mode(wal) == 0o600
    store.dispose()


@pytest.mark.parametrize(
    "key",
    ["a", "x" * 64, "abcdefgh" * 8, "short-but-not-32-characters"],
)
def test_weak_configured_secret_key_is_refused(tmp_path, key):
    settings = Settings(data_dir=tmp_path, secret_key=key)
    with pytest.raises(ConfigurationError) as caught:
        create_app(settings, load_runtime=False)
    assert "MATCHER_SECRET_KEY" in caught.value.message_zh
    assert "MATCHER_SECRET_KEY" in caught.value.message_en


def test_weak_key_stops_the_cli_with_a_clean_message(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MATCHER_SECRET_KEY", "a")
    from matcher.config import get_settings

    get_settings.cache_clear()
    try:
        r = runner.invoke(cli_app, ["serve"])
    finally:
        get_settings.cache_clear()
    assert r.exit_code == 1
    assert "bad_configuration" in r.output and "too short" in r.output
    assert "Traceback" not in r.output


def test_a_strong_configured_key_is_accepted(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key="k8Jq2mZx7vR4nW9pL1sT6yB3cF5hD0gA")
    assert settings.signing_key() == settings.secret_key


# ---- headers and CORS -----------------------------------------------------------------------


def test_security_headers_on_json_errors_and_docs(api, world):
    for r in (
        api.get(f"{V1}/auth/me", headers=world.headers("enterprise")),
        api.get(f"{V1}/auth/me"),  # 401
        api.get(f"{V1}/needs/abc", headers=world.headers("staff")),  # 422
    ):
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert r.headers["Cache-Control"] == "no-store"
    docs = api.get("/docs")
    assert docs.status_code == 200
    assert "frame-ancestors 'none'" in docs.headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline';" in docs.headers["Content-Security-Policy"]
    export = api.get(f"{V1}/exports/needs?format=csv", headers=world.headers("staff"))
    assert export.headers["Cache-Control"] == "no-store"


def _preflight(client: TestClient, origin: str):
    return client.options(
        f"{V1}/needs",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )


def test_cors_is_closed_by_default_and_opens_to_configured_origins(store, settings, world):
    with TestClient(create_app(settings, store=store, load_runtime=False)) as closed:
        r = _preflight(closed, "https://evil.example")
        assert "access-control-allow-origin" not in r.headers
        r = closed.get(f"{V1}/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
    opened = settings.model_copy(update={"cors_origins": "https://ui.example, https://b.example"})
    with TestClient(create_app(opened, store=store, load_runtime=False)) as client:
        r = _preflight(client, "https://ui.example")
        assert r.headers["access-control-allow-origin"] == "https://ui.example"
        assert (
            "access-control-allow-origin" not in _preflight(client, "https://evil.example").headers
        )


# ---- /metrics -------------------------------------------------------------------------------


def test_metrics_need_staff_unless_public(api, store, settings, world):
    assert api.get("/metrics").status_code == 401
    assert api.get("/metrics", headers=world.headers("enterprise")).status_code == 403
    assert api.get("/metrics", headers=world.headers("society")).status_code == 403
    assert api.get("/metrics", headers=world.headers("staff")).status_code == 200
    public = settings.model_copy(update={"metrics_public": True})
    with TestClient(create_app(public, store=store, load_runtime=False)) as client:
        assert client.get("/metrics").status_code == 200


def test_api_key_works_as_bearer_for_scrapers(api, store, world):
    r = runner.invoke(cli_app, ["users", "new-key", "--username", "staff"])
    assert r.exit_code == 0, r.output
    key = r.output.strip().rsplit(" ", 1)[-1]
    assert api.get("/metrics", headers={"Authorization": f"Bearer {key}"}).status_code == 200


# ---- tokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize("sub", ["9" * 30, "٤", "４", "1e3", "-1", "0", " 4", "4\n", "2147483648"])
def test_token_subject_must_be_ascii_digits_in_range(api, settings, world, sub):
    claims = {
        "sub": sub,
        "role": "staff",
        "ver": 0,
        "exp": datetime.now(UTC) + timedelta(minutes=5),
    }
    token = jwt.encode(claims, settings.signing_key(), algorithm=security.ALGORITHM)
    r = api.get(f"{V1}/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, (sub, r.text)
    assert r.json()["code"] == "invalid_token"


def test_token_without_version_is_refused(api, settings, world):
    claims = {
        "sub": str(world.ids["user_staff"]),
        "role": "staff",
        "exp": datetime.now(UTC) + timedelta(minutes=5),
    }
    token = jwt.encode(claims, settings.signing_key(), algorithm=security.ALGORITHM)
    assert api.get(f"{V1}/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def _login(api, username, password):
    return api.post(f"{V1}/auth/token", data={"username": username, "password": password})


def test_password_change_invalidates_tokens_and_old_password(api, store, world):
    headers = world.headers("enterprise")
    assert api.get(f"{V1}/auth/me", headers=headers).status_code == 200
    new = "a-brand-new-secret-42"
    r = runner.invoke(
        cli_app, ["users", "passwd", "--username", "ent", "--password-stdin"], input=new + "\n"
    )
    assert r.exit_code == 0, r.output
    r = api.get(f"{V1}/auth/me", headers=headers)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
    assert _login(api, "ent", PASSWORD).status_code == 401
    fresh = _login(api, "ent", new)
    assert fresh.status_code == 200
    me = api.get(
        f"{V1}/auth/me", headers={"Authorization": f"Bearer {fresh.json()['access_token']}"}
    )
    assert me.status_code == 200
    with store.transaction() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "password_changed")).one()
        assert event.actor_label == "system:cli" and event.actor_id is None


def test_passwd_prompts_twice_and_refuses_a_mismatch(store, world):
    r = runner.invoke(
        cli_app,
        ["users", "passwd", "--username", "ent"],
        input="first-secret-123\nsecond-secret-456\nfirst-secret-123\nfirst-secret-123\n",
    )
    assert r.exit_code == 0, r.output
    assert "Password" in r.output and "Repeat" in r.output
    assert "first-secret-123" not in r.output  # hidden input


def test_disable_stops_tokens_api_keys_and_logins(api, store, world):
    key = runner.invoke(cli_app, ["users", "new-key", "--username", "staff"]).output.split()[-1]
    assert api.get(f"{V1}/audit", headers={"X-API-Key": key}).status_code == 200
    r = runner.invoke(cli_app, ["users", "disable", "--username", "staff"])
    assert r.exit_code == 0, r.output
    assert api.get(f"{V1}/audit", headers=world.headers("staff")).status_code == 401
    assert api.get(f"{V1}/audit", headers={"X-API-Key": key}).status_code == 401
    assert _login(api, "staff", PASSWORD).status_code == 401
    listed = runner.invoke(cli_app, ["users", "list"]).output
    assert any(line.endswith("inactive") and "\tstaff\t" in line for line in listed.splitlines())
    assert runner.invoke(cli_app, ["users", "enable", "--username", "staff"]).exit_code == 0
    assert _login(api, "staff", PASSWORD).status_code == 200


def test_api_keys_are_revocable_and_rotatable(api, store, world):
    first = runner.invoke(cli_app, ["users", "new-key", "--username", "admin"]).output.split()[-1]
    second = runner.invoke(cli_app, ["users", "new-key", "--username", "admin"]).output.split()[-1]
    assert api.get(f"{V1}/auth/me", headers={"X-API-Key": first}).status_code == 401
    assert api.get(f"{V1}/auth/me", headers={"X-API-Key": second}).status_code == 200
    r = runner.invoke(cli_app, ["users", "revoke-key", "--username", "admin"])
    assert r.exit_code == 0 and "revoked" in r.output
    assert api.get(f"{V1}/auth/me", headers={"X-API-Key": second}).status_code == 401
    with store.transaction() as s:
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "user")))
    assert {"api_key_issued", "api_key_revoked"} <= actions


# ---- passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "zh", "en"),
    [
        (" " * 12, "空白", "blank"),
        ("short-1", "至少 10", "at least 10"),
        ("password123", "常见", "common"),
        ("PASSWORD123", "常见", "common"),
        ("aaaaaaaaaaaa", "简单", "simple"),
        ("newstaff-01", "用户名", "username"),
    ],
)
def test_password_policy_is_bilingual(store, world, password, zh, en):
    r = runner.invoke(
        cli_app,
        ["users", "create", "--username", "newstaff-01", "--role", "staff", "--password-stdin"],
        input=password + "\n",
    )
    assert r.exit_code == 1, r.output
    assert "weak_password" in r.output and zh in r.output and en in r.output
    with store.transaction() as s:
        assert s.scalar(select(User).where(User.username == "newstaff-01")) is None


def test_passwords_are_never_taken_from_argv(store, world):
    r = runner.invoke(
        cli_app,
        ["users", "create", "--username", "x1", "--role", "staff", "--password", PASSWORD],
    )
    assert r.exit_code == 2  # no such option
    r = runner.invoke(
        cli_app,
        ["users", "create", "--username", "x1", "--role", "staff"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert r.exit_code == 0, r.output
    assert PASSWORD not in r.output


# ---- the audit trail ----------------------------------------------------------------------


def test_audit_since_honours_the_time_zone(api, store, world):
    with store.transaction() as s:
        s.add(AuditEvent(action="tz_probe", target_type="test"))
    now = datetime.now(UTC)
    beijing = timedelta(hours=8)

    def count(since: datetime) -> int:
        r = api.get(
            f"{V1}/audit",
            params={"action": "tz_probe", "since": since.isoformat()},
            headers=world.headers("staff"),
        )
        assert r.status_code == 200, r.text
        return r.json()["total"]

    assert count((now - timedelta(minutes=5)).astimezone(timezone(beijing))) == 1
    assert count((now + timedelta(minutes=5)).astimezone(timezone(beijing))) == 0
    assert count((now - timedelta(minutes=5)).astimezone(timezone(-beijing))) == 1
    assert count((now + timedelta(minutes=5)).astimezone(timezone(-beijing))) == 0


# ---- temp files a killed process left -------------------------------------------------------


def _dead_pid() -> int:
    """The process id of a process that has exited (a temp file's writer that is gone)."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    return dead.pid


def test_leftover_temp_files_are_cleaned_at_start(settings):
    dead_pid = _dead_pid()
    index_dir, models_dir = settings.index_dir, settings.models_dir
    index_dir.mkdir(parents=True, exist_ok=True)
    models_dir.mkdir(parents=True, exist_ok=True)
    stale_index = index_dir / f"engine_state.v9.tmp{dead_pid}"
    stale_index.write_bytes(b"x" * 1000)
    live_index = index_dir / f"engine_state.v9.tmp{os.getpid()}"
    live_index.write_bytes(b"x")
    stale_model = models_dir / ".tmp-0123456789abcdef"
    stale_model.mkdir()
    (stale_model / "weights.bin").write_bytes(b"x")
    old = datetime.now().timestamp() - 2 * 3600
    os.utime(stale_model, (old, old))
    fresh_model = models_dir / ".tmp-fedcba9876543210"
    fresh_model.mkdir()
    dead_model = models_dir / f".tmp-0123456789abcdef-{dead_pid}"  # its writer is gone: now
    dead_model.mkdir()
    live_model = models_dir / f".tmp-0123456789abcdef-{os.getpid()}"
    live_model.mkdir()
    kept = index_dir / "engine_state.v9.pkl"
    kept.write_bytes(b"state")
    r = runner.invoke(cli_app, ["migrate"])  # every command (and the API's start) cleans up
    assert r.exit_code == 0, r.output
    assert not stale_index.exists() and not stale_model.exists() and not dead_model.exists()
    assert live_index.exists() and fresh_model.exists() and kept.exists()
    assert live_model.exists()


def test_another_machines_temp_files_wait_for_their_age(settings, tmp_path):
    """On a data directory shared by several machines, a temp file another machine is still
    writing carries that machine's name: its process id means nothing here, so it is left
    until it is older than the grace period; this machine's leftovers go at once."""
    from matcher.private import HOST, STALE_TEMP_SECONDS, clean_stale_temp_files, temp_tag

    dead_pid = _dead_pid()
    assert temp_tag() == f"{os.getpid()}@{HOST}"
    ours = tmp_path / f"v3-x.tmp{dead_pid}@{HOST}"
    theirs = tmp_path / f"v3-y.tmp{dead_pid}@another-host"
    their_model = tmp_path / f".tmp-0123456789abcdef-{dead_pid}@another-host"
    for path in (ours, theirs, their_model):
        path.mkdir()
    assert clean_stale_temp_files(tmp_path) == [ours]
    later = datetime.now().timestamp() + STALE_TEMP_SECONDS + 60
    assert sorted(clean_stale_temp_files(tmp_path, now=later)) == sorted([theirs, their_model])
