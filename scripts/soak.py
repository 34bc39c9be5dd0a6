"""Soak test: ``matcher serve`` (2 API workers) on PostgreSQL over loopback, driven by mixed
traffic for a while, then the store is checked.

1. creates a fresh schema in the PostgreSQL database named by ``--database-url`` (default
   ``$MATCHER_TEST_DATABASE_URL``) and a temp data directory, and seeds a small programme
   (generated demo files loaded by ``matcher demo``: import, index, match) plus soak log-ins;
2. starts ``matcher serve --api-workers 2 --no-ui`` on a free loopback port;
3. for ``--seconds`` (default 180) at most ``--clients`` concurrent httpx clients post needs,
   edit and close them, read matches, needs and leads, answer leads, upload imports (needs;
   experts whose profiles change, so every worker refreshes its indexes) and — when the API has
   them — solve and commit bulk assignment runs; ``--max-requests`` bounds the count;
4. stops the server and checks the store: no orphan rows, open assignments per society within
   its capacity, one audit event per successful write, zero 5xx and no failed connections;
5. prints requests, p50/p95 per route and errors by status; drops the schema and the data
   directory (``--keep`` keeps them). Exit code 1 when a check fails.

Every request goes to 127.0.0.1.

    .venv/bin/python scripts/soak.py --seconds 180
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(Path(__file__).resolve().parent)]

import soak_checks  # noqa: E402
from soak_traffic import PASSWORD, Stats, Traffic  # noqa: E402

from matcher.launch.health import free_ports, stop_server, wait_until_answering  # noqa: E402

SIZES = {"societies": 30, "experts": 600, "enterprises": 200, "needs": 300}


# ---- the store: a fresh schema, the demo programme, log-ins --------------------------------


def pg_url(base: str) -> str:
    if base.startswith(("postgresql://", "postgres://")):
        base = "postgresql+psycopg://" + base.split("://", 1)[1]
    return base


def schema_url(base: str, schema: str) -> str:
    """``base`` with every connection's search path set to ``schema``."""
    from sqlalchemy.engine import make_url

    url = make_url(pg_url(base)).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def run_matcher(*args: str, timeout: float = 1800) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "matcher.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode:
        raise SystemExit(f"matcher {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def seed(data_dir: Path) -> None:
    from matcher.demo.generator import write_demo_files

    write_demo_files(data_dir / "demo", **SIZES)  # `matcher demo` loads these files
    t0 = time.perf_counter()
    run_matcher("demo")
    print(f"seeded {SIZES} with `matcher demo` in {time.perf_counter() - t0:.0f} s")


def create_logins(store, count: int) -> None:
    """``count`` enterprise log-ins (enterprises with the most needs) and society log-ins
    (societies with the most leads), and one staff log-in."""
    from sqlalchemy import func, select

    from matcher.auth.actors import SYSTEM_CLI
    from matcher.auth.service import create_user
    from matcher.models import Enterprise, MatchResult, Society, TargetKind, TechNeed

    with store.transaction() as session:
        enterprises = session.scalars(
            select(Enterprise.external_id)
            .join(TechNeed, TechNeed.enterprise_id == Enterprise.id)
            .group_by(Enterprise.id, Enterprise.external_id)
            .order_by(func.count().desc(), Enterprise.id)
            .limit(count)
        ).all()
        societies = session.scalars(
            select(Society.external_id)
            .join(MatchResult, MatchResult.target_id == Society.id)
            .where(MatchResult.target_kind == TargetKind.SOCIETY)
            .group_by(Society.id, Society.external_id)
            .order_by(func.count().desc(), Society.id)
            .limit(count)
        ).all()
        logins = [("soak_staff", "staff", {})]
        logins += [(f"soak_ent{i}", "enterprise", {"enterprise_external_id": e}) for i, e in
                   enumerate(enterprises)]  # fmt: skip
        logins += [(f"soak_soc{i}", "society", {"society_external_id": s}) for i, s in
                   enumerate(societies)]  # fmt: skip
        for username, role, bound in logins:
            create_user(
                session=session,
                actor=SYSTEM_CLI,
                username=username,
                password=PASSWORD,
                role=role,
                **bound,
            )


# ---- the server ----------------------------------------------------------------------------


def start_server(port: int, log: Path) -> subprocess.Popen:
    """``matcher serve`` with 2 API workers; its log (access log aside) goes to ``log``."""
    cmd = [sys.executable, "-m", "matcher.cli", "serve", "--api-port", str(port)]
    cmd += ["--api-workers", "2", "--no-ui", "--host", "127.0.0.1"]
    with log.open("wb") as fh:
        return subprocess.Popen(
            cmd, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL, stderr=fh
        )


def api_workers(server: subprocess.Popen) -> int:
    """Worker processes under ``matcher serve`` (uvicorn spawns them)."""
    try:
        import psutil
    except ImportError:  # a dev extra
        return -1
    children = psutil.Process(server.pid).children(recursive=True)
    return sum("spawn_main" in " ".join(p.cmdline()) for p in children)


def wait_ready(base: str, server: subprocess.Popen, log: Path, timeout: float = 600) -> None:
    if not wait_until_answering([f"{base}/api/v1/health"], [server], timeout=timeout):
        raise SystemExit(f"matcher serve did not become ready:\n{log.read_text()[-3000:]}")


# ---- report --------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def report(stats: Stats, elapsed: float) -> tuple[bool, list[str], dict]:
    total = sum(len(v) for v in stats.latencies.values())
    lines = [f"{total} requests in {elapsed:.0f} s ({total / max(elapsed, 1e-9):.1f}/s)", ""]
    lines.append(f"{'route':42} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    table = {}
    for route in sorted(stats.latencies, key=lambda r: -len(stats.latencies[r])):
        lat = stats.latencies[route]
        statuses = dict(sorted(stats.statuses[route].items()))
        table[route] = {"requests": len(lat), "p50_ms": round(pct(lat, 50), 1),
                        "p95_ms": round(pct(lat, 95), 1), "statuses": statuses}  # fmt: skip
        lines.append(f"{route:42} {len(lat):8} {pct(lat, 50):8.1f} {pct(lat, 95):8.1f}  {statuses}")
    errors = Counter()
    for counts in stats.statuses.values():
        for status, n in counts.items():
            if status >= 400:
                errors[status] += n
    server_errors = sum(n for s, n in errors.items() if s >= 500)
    lines += ["", f"errors by status: {dict(sorted(errors.items())) or 'none'}"]
    if stats.failures:
        lines.append(f"failed requests (no response): {dict(stats.failures)}")
    ok = server_errors == 0 and not stats.failures
    lines.append(f"zero 5xx and no failed requests: {'PASS' if ok else 'FAIL'}")
    figures = {"requests": total, "seconds": round(elapsed, 1), "routes": table,
               "errors": {str(k): v for k, v in errors.items()},
               "failures": dict(stats.failures)}  # fmt: skip
    return ok, lines, figures


def server_log(log: Path) -> tuple[bool, list[str]]:
    """Errors the API logged (a failure in a background task answers no request): each
    traceback's exception line and each ``ERROR`` line, counted."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    found: Counter = Counter()
    for i, line in enumerate(lines):
        if line.startswith("ERROR"):
            found[line[:200]] += 1
        elif line.startswith("Traceback"):
            skip = (" ", "Traceback", "During handling", "The above exception")
            tail = (x for x in lines[i + 1 :] if x and not x.startswith(skip))
            found[f"  {next(tail, '?')[:200]}"] += 1
    detail = [f"{n:5} × {text}" for text, n in found.most_common(12)]
    return not found, detail or ["no tracebacks or errors logged"]


def store_checks(store, since: datetime, stats: Stats, actors: set[str]) -> tuple[bool, list[str]]:
    ok, lines = True, []
    with store.transaction() as session:
        for name, (passed, detail) in (
            ("no orphan rows", soak_checks.orphan_rows(session)),
            ("capacities respected", soak_checks.capacities(session)),
            ("every change audited", soak_checks.audited(session, since, stats.writes, actors)),
        ):
            ok &= passed
            lines.append(f"{name}: {'PASS' if passed else 'FAIL'}")
            lines += [f"    {line}" for line in detail]
    return ok, lines


# ---- main ----------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=180.0, help="traffic duration")
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients")
    ap.add_argument("--max-requests", type=int, default=200_000, help="request budget")
    ap.add_argument(
        "--database-url",
        default=os.environ.get("MATCHER_TEST_DATABASE_URL"),
        help="PostgreSQL database to create the soak schema in",
    )
    ap.add_argument("--keep", action="store_true", help="keep the schema and data directory")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    if not args.database_url or not args.database_url.startswith(("postgres", "postgresql")):
        raise SystemExit("--database-url (or MATCHER_TEST_DATABASE_URL) must name PostgreSQL")
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from matcher.db import open_store

    schema = f"soak_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url(args.database_url), poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        limit = int(conn.scalar(text("SHOW max_connections")))
        used = conn.scalar(text("SELECT count(*) FROM pg_stat_activity"))
    print(f"PostgreSQL: {used} of {limit} connections in use before the soak")
    data_dir = Path(tempfile.mkdtemp(prefix="matcher-soak-"))
    log = data_dir / "serve.log"
    os.environ.update(
        MATCHER_DATABASE_URL=schema_url(args.database_url, schema),
        MATCHER_DATA_DIR=str(data_dir),
        MATCHER_SECRET_KEY=secrets.token_urlsafe(36),
    )
    server = store = None
    try:
        seed(data_dir)
        store = open_store(os.environ["MATCHER_DATABASE_URL"], upgrade=False)
        create_logins(store, max(2, args.clients))
        (port,) = free_ports(1)
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, log)
        wait_ready(base, server, log)
        traffic = Traffic(
            base, store, clients=args.clients, seconds=args.seconds, max_requests=args.max_requests
        )
        traffic.prepare()
        since = datetime.now(UTC)
        runs = "yes" if traffic.runs_api else "not in this API"
        print(f"driving {base} ({api_workers(server)} API workers) with {args.clients} clients "
              f"for {args.seconds:.0f} s (assignment runs: {runs})")  # fmt: skip
        elapsed = asyncio.run(traffic.run())
        stop_server(server)
        ok_http, lines, figures = report(traffic.stats, elapsed)
        actors = {p.username for p in [traffic.staff, *traffic.enterprises, *traffic.societies]}
        ok_store, store_lines = store_checks(store, since, traffic.stats, actors)
        ok_log, log_lines = server_log(log)
        store_lines += [f"server log: {'PASS' if ok_log else 'FAIL'}"]
        store_lines += [f"    {line}" for line in log_lines]
        print("\n".join([*lines, "", *store_lines]))
        if args.json:
            figures["checks"] = store_lines
            args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
        ok = ok_http and ok_store and ok_log
        print(f"\nsoak {'PASSED' if ok else 'FAILED'}")
        return 0 if ok else 1
    finally:
        if server is not None:
            stop_server(server)
        if store is not None:
            store.dispose()
        if args.keep:
            print(f"kept schema {schema} and {data_dir}")
        else:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            shutil.rmtree(data_dir, ignore_errors=True)
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
