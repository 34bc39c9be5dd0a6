"""Load test of the HTTP API: throughput and latency of match reads and need posting.

Seeds a data directory (the demo programme via ``matcher demo``'s loader), starts uvicorn on
127.0.0.1, then drives it with concurrent httpx clients, each phase bounded by a request
count and a duration:

1. ``GET /api/v1/health``              — baseline (no database write, no auth);
2. ``GET /api/v1/needs/{id}/matches``  — stored matches, as staff, random needs;
3. ``POST /api/v1/needs``              — as the demo enterprise (ranks on every request).

Usage::

    .venv/bin/python scripts/benchmark_api.py --clients 16 --requests 4000 --workers 2

Target (2 cores): ≥ 200 match reads/s with p95 < 100 ms and zero errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


@dataclass
class PhaseResult:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def as_dict(self) -> dict:
        return {
            "phase": self.name,
            "requests": self.count,
            "errors": self.errors,
            "seconds": round(self.elapsed, 2),
            "req_per_s": round(self.throughput, 1),
            "p50_ms": round(self.pct(50), 1),
            "p95_ms": round(self.pct(95), 1),
            "p99_ms": round(self.pct(99), 1),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1)
            if self.latencies
            else None,
        }


def seed(data_dir: Path) -> None:
    """Load the demo programme into an empty data directory and match every need."""
    os.environ["MATCHER_DATA_DIR"] = str(data_dir)
    from matcher.config import get_settings
    from matcher.db import open_store
    from matcher.launch.demo import build_and_match, load_demo, store_is_empty

    get_settings.cache_clear()
    settings = get_settings()
    store = open_store(settings.sqlalchemy_url)
    if store_is_empty(store):
        t0 = time.perf_counter()
        load_demo(store, settings, progress=False)
        build_and_match(store, settings)
        print(f"seeded demo data in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    store.dispose()


def start_server(data_dir: Path, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "MATCHER_DATA_DIR": str(data_dir)}
    cmd = [
        sys.executable, "-m", "uvicorn", "matcher.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    return subprocess.Popen(cmd, env=env, cwd=REPO)


def wait_ready(base: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not become ready")


def token(base: str, username: str, password: str) -> str:
    r = httpx.post(f"{base}/api/v1/auth/token", data={"username": username, "password": password})
    r.raise_for_status()
    return r.json()["access_token"]


async def run_phase(name, make_request, *, clients: int, requests: int, duration: float):
    """``clients`` concurrent loops sharing a budget of ``requests`` and ``duration`` s."""
    result = PhaseResult(name)
    budget = iter(range(requests))
    stop_at = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker(seed: int) -> None:
            rng = random.Random(seed)
            for _ in budget:
                if time.perf_counter() > stop_at:
                    return
                t0 = time.perf_counter()
                try:
                    r = await make_request(client, rng)
                    ok = r.status_code < 400
                except httpx.HTTPError:
                    ok = False
                result.latencies.append(time.perf_counter() - t0)
                result.errors += not ok

        start = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        result.elapsed = time.perf_counter() - start
    return result


async def benchmark(base: str, args) -> list[PhaseResult]:
    from matcher.launch.demo import DEMO_PASSWORD

    staff = {"Authorization": f"Bearer {token(base, 'staff_demo', DEMO_PASSWORD)}"}
    ent = {"Authorization": f"Bearer {token(base, 'enterprise_demo', DEMO_PASSWORD)}"}
    needs = httpx.get(f"{base}/api/v1/needs?limit=200", headers=staff).json()["items"]
    need_ids = [n["id"] for n in needs if n["status"] != "closed"]
    titles = [n["title"] for n in needs]
    # warm the stored matches so the read phase measures reads, not first-time ranking
    for nid in need_ids:
        httpx.get(f"{base}/api/v1/needs/{nid}/matches", headers=staff, timeout=60)

    async def health(client, rng):
        return await client.get(f"{base}/api/v1/health")

    async def read(client, rng):
        nid = rng.choice(need_ids)
        return await client.get(
            f"{base}/api/v1/needs/{nid}/matches?target=societies", headers=staff
        )

    async def post(client, rng):
        body = {"title": rng.choice(titles)[:150] + "（压测）", "description": rng.choice(titles)}
        return await client.post(f"{base}/api/v1/needs", json=body, headers=ent)

    phases = [("health", health, args.requests), ("match_read", read, args.requests),
              ("post_need", post, max(1, args.requests // 10))]  # fmt: skip
    results = []
    for name, fn, n in phases:
        results.append(
            await run_phase(name, fn, clients=args.clients, requests=n, duration=args.duration)
        )
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--clients", type=int, default=16, help="concurrent connections")
    ap.add_argument("--requests", type=int, default=3000, help="request budget per phase")
    ap.add_argument("--duration", type=float, default=30.0, help="time budget per phase (s)")
    ap.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temp dir")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="matcher-bench-"))
    seed(data_dir)
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(data_dir, args.port, args.workers)
    try:
        wait_ready(base)
        results = asyncio.run(benchmark(base, args))
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = [r.as_dict() for r in results]
    by_name = {r["phase"]: r for r in rows}
    ratio = by_name["match_read"]["req_per_s"] / max(by_name["health"]["req_per_s"], 1e-9)
    print(f"{'phase':<11} {'reqs':>6} {'err':>4} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7}")
    for r in rows:
        print(
            f"{r['phase']:<11} {r['requests']:>6} {r['errors']:>4} {r['req_per_s']:>8} "
            f"{r['p50_ms']:>7} {r['p95_ms']:>7} {r['p99_ms']:>7}"
        )
    print(f"match_read / health throughput ratio: {ratio:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"phases": rows, "ratio": ratio}, indent=2))


if __name__ == "__main__":
    main()
