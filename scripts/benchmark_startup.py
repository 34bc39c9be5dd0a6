"""Start-up time of ``make run`` (``matcher demo`` then ``matcher serve``): wall time until both
the API (``/api/v1/health``) and the UI (``/_stcore/health``) answer, on a fresh store and on
a restart over the unchanged store, each as a ratio to the 15 s target.

    .venv/bin/python scripts/benchmark_startup.py [--data-dir DIR] [--scale 1.0]

A measurement, not a test: it starts real servers on free ports and stops them again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from matcher.launch.health import free_ports, wait_until_answering

TARGET_SECONDS = 15.0
BIN = Path(sys.executable).parent


def start_once(data_dir: Path, scale: float, log: Path) -> float:
    """Seconds from ``matcher demo`` until both servers of ``matcher serve`` answer."""
    api, ui = free_ports(2)
    env = {**os.environ, "MATCHER_DATA_DIR": str(data_dir)}
    matcher = BIN / "matcher"
    command = f"{matcher} demo --scale {scale} && {matcher} serve --api-port {api} --ui-port {ui}"
    t0 = time.perf_counter()
    with log.open("a") as out:
        proc = subprocess.Popen(
            ["sh", "-c", command], env=env, stdout=out, stderr=out, start_new_session=True
        )
        try:
            urls = [
                f"http://127.0.0.1:{api}/api/v1/health",
                f"http://127.0.0.1:{ui}/_stcore/health",
            ]
            if not wait_until_answering(urls, [proc], timeout=900):
                raise SystemExit(f"the servers did not answer; see {log}")
            return time.perf_counter() - t0
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="store to create (default: a temp dir)")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the demo sizes")
    parser.add_argument(
        "--restarts", type=int, default=1, help="restarts to time after the first start"
    )
    parser.add_argument(
        "--restart-only", action="store_true", help="--data-dir holds a store: only restarts"
    )
    args = parser.parse_args(argv)
    owned = args.data_dir is None
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="matcher-startup-"))
    filled = data_dir.exists() and any(data_dir.iterdir())
    if filled != args.restart_only:
        raise SystemExit(
            f"{data_dir}: --restart-only wants a store there"
            if args.restart_only
            else f"{data_dir} is not empty: the first start must be on a fresh store"
        )
    log = data_dir.parent / f"{data_dir.name}-startup.log"
    timings = []
    try:
        if not args.restart_only:
            timings.append(("fresh store 首次启动", start_once(data_dir, args.scale, log)))
        for _ in range(args.restarts):
            timings.append(("restart 重启（未变）", start_once(data_dir, args.scale, log)))
    finally:
        if owned:
            shutil.rmtree(data_dir, ignore_errors=True)
    for label, seconds in timings:
        print(f"{label:<22} {seconds:6.1f} s  = {seconds / TARGET_SECONDS:.2f} × 15 s target")
    print(f"servers' output: {log}")


if __name__ == "__main__":
    main()
