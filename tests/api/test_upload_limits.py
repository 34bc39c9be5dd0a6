"""Uploads: documented size limit, and an import runs off the event loop (``/health``
answers while a large file is imported)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from matcher.app import create_app

from .live import live_server

HEADER = "external_id,name,description\n"
ROWS = 80_000


def test_a_large_upload_does_not_block_other_requests(store, settings, world):
    rows = "".join(f"U{i},学会{i},{'焊接工艺描述' * 8}\n" for i in range(ROWS))
    data = (HEADER + rows).encode("utf-8")
    headers = {"Authorization": f"Bearer {world.tokens['staff']}"}
    app = create_app(settings, store=store, load_runtime=False)
    with live_server(app) as base, ThreadPoolExecutor(1) as pool:

        def upload():
            with httpx.Client(base_url=base, timeout=300) as client:
                return client.post(
                    "/api/v1/imports/societies",
                    files={"file": ("big.csv", data, "text/csv")},
                    headers=headers,
                )

        began = time.perf_counter()
        future = pool.submit(upload)
        slowest, answered = 0.0, 0
        with httpx.Client(base_url=base, timeout=30) as client:
            while not future.done():
                start = time.perf_counter()
                assert client.get("/api/v1/health").status_code == 200
                slowest = max(slowest, time.perf_counter() - start)
                answered += 1
                time.sleep(0.05)
        r = future.result()
        total = time.perf_counter() - began
    assert r.status_code == 200, r.text
    assert r.json()["created"] == ROWS
    # relative, not a wall-clock limit: an import on the event loop would hold one health
    # check for about the whole upload; off the loop they keep answering throughout (a
    # loaded host stalled one check 1.9 s in a 4.0 s upload and 1.5 s in a 2.8 s one: the
    # upload is long enough that such a stall stays well under half of it)
    assert answered >= 3 and slowest < total / 2, (answered, slowest, total)


def test_an_upload_over_the_limit_is_413(api, world, settings):
    limited = settings.model_copy(update={"max_upload_bytes": 1000})
    from fastapi.testclient import TestClient

    with TestClient(
        create_app(limited, store=api.app.state.matcher.store, load_runtime=False)
    ) as c:
        r = c.post(
            "/api/v1/imports/societies",
            files={"file": ("big.csv", b"x" * 5000, "text/csv")},
            headers=world.headers("staff"),
        )
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "payload_too_large"
