"""Concurrency limits, through a real server: the log-in throttle cannot be raced, password
hashing is bounded, a busy SQLite store answers 503 + Retry-After (never 500), a burst of
need posts either succeeds or gets 503 while log-ins stay quick."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from matcher.app import create_app
from matcher.auth import security
from matcher.models import AuditEvent, TechNeed

from .conftest import PASSWORD
from .live import live_server

V1 = "/api/v1"


def _login(client, username: str, password: str):
    return client.post(f"{V1}/auth/token", data={"username": username, "password": password})


def test_parallel_wrong_passwords_cannot_race_the_throttle(store, settings, world):
    limited = settings.model_copy(update={"login_attempts_per_minute": 10})
    app = create_app(limited, store=store, load_runtime=False)
    with live_server(app) as base, ThreadPoolExecutor(24) as pool:
        barrier = threading.Barrier(24)

        def attempt(_):
            with httpx.Client(base_url=base, timeout=60) as client:
                barrier.wait()
                return _login(client, "ent", "wrong-password-x").status_code

        codes = list(pool.map(attempt, range(24)))
        assert codes.count(401) <= 10, codes
        assert codes.count(401) + codes.count(429) == 24, codes
        with httpx.Client(base_url=base) as client:
            blocked = _login(client, "ent", PASSWORD)  # even the right password waits
            assert blocked.status_code == 429 and 1 <= int(blocked.headers["Retry-After"]) <= 61
            assert _login(client, "staff", PASSWORD).status_code == 200  # others unaffected
    # the same user from another address ("testclient") is not locked out by the stranger
    with TestClient(create_app(limited, store=store, load_runtime=False)) as other_address:
        assert _login(other_address, "ent", PASSWORD).status_code == 200
    with store.transaction() as s:
        failed = s.scalar(select(func.count()).where(AuditEvent.action == "login_failed"))
    assert failed == codes.count(401)


def test_blocks_back_off(store, settings, world):
    from matcher.auth import throttle

    with store.transaction() as s:
        now = 1_000_000.0
        durations = []
        for _round in range(3):
            for _ in range(3):
                throttle.reserve(session=s, username="u", client_ip="1.2.3.4", limit=3, now=now)
            with pytest.raises(Exception) as caught:
                throttle.reserve(session=s, username="u", client_ip="1.2.3.4", limit=3, now=now)
            retry = caught.value.details["retry_after"]
            durations.append(retry)
            now += retry + throttle.WINDOW  # wait it out, and let the window pass
    assert durations[0] <= 60 and durations[1] >= 120 and durations[2] >= 240, durations


def test_password_hashing_is_bounded(monkeypatch):
    real = security._HASHER
    running = peak = 0
    lock = threading.Lock()

    class Counting:
        def verify(self, h, p):
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            try:
                return real.verify(h, p)
            finally:
                with lock:
                    running -= 1

    monkeypatch.setattr(security, "_HASHER", Counting())
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda _: security.verify_password(None, "x"), range(32)))
    assert 1 <= peak <= security.HASH_SLOTS


def _hold_write_lock(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None, timeout=0)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_a_held_sqlite_write_lock_gives_503_not_500(store, settings, world):
    if not settings.is_sqlite:
        pytest.skip("SQLite's single write lock")
    quick = settings.model_copy(update={"sqlite_busy_timeout": 0.3})
    from matcher.db import open_store

    busy_store = open_store(quick.sqlalchemy_url, busy_timeout=0.3)
    db = Path(quick.sqlalchemy_url.split("///", 1)[1])
    headers = world.headers("staff")
    url = f"{V1}/enterprises/{world.ids['e_own']}"
    with TestClient(create_app(quick, store=busy_store, load_runtime=False)) as api:
        holder = _hold_write_lock(db)
        try:
            r = api.patch(url, json={"size": "大型"}, headers=headers)
            assert r.status_code == 503, r.text
            assert r.json()["code"] == "busy" and int(r.headers["Retry-After"]) >= 1
            r = _login(api, "ent", "wrong-password-x")
            assert r.status_code == 503, r.text
            assert api.get(url, headers=headers).status_code == 200  # reads go on
        finally:
            holder.rollback()
            holder.close()
        assert api.patch(url, json={"size": "大型"}, headers=headers).status_code == 200
    busy_store.dispose()


@pytest.mark.slow
def test_200_parallel_posts_succeed_or_get_503_and_logins_stay_quick(store, settings, world):
    app = create_app(settings, store=store)  # with its lifespan: indexes built once
    with live_server(app) as base:
        token = world.tokens["enterprise"]
        headers = {"Authorization": f"Bearer {token}"}
        login_times: list[float] = []

        def post(i: int) -> int:
            with httpx.Client(base_url=base, timeout=120) as client:
                r = client.post(
                    f"{V1}/needs", json={"title": f"焊缝缺陷在线检测 第{i}批"}, headers=headers
                )
                if r.status_code == 503:
                    assert int(r.headers["Retry-After"]) >= 1
                return r.status_code

        def logins() -> None:
            with httpx.Client(base_url=base, timeout=120) as client:
                for _ in range(5):
                    start = time.perf_counter()
                    assert _login(client, "staff", PASSWORD).status_code == 200
                    login_times.append(time.perf_counter() - start)

        with ThreadPoolExecutor(200) as pool:
            futures = [pool.submit(post, i) for i in range(200)]
            login_thread = threading.Thread(target=logins)
            login_thread.start()
            codes = [f.result() for f in futures]
            login_thread.join()
    assert set(codes) <= {201, 503}, sorted(set(codes))
    assert codes.count(201) >= 1
    assert max(login_times) < 5.0, login_times
    with store.transaction() as s:
        stored = s.scalar(select(func.count()).where(TechNeed.title.like("焊缝缺陷在线检测%")))
    assert stored == codes.count(201)
