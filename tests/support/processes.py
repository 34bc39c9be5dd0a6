"""Product processes started by tests (``matcher serve``, ``matcher index --watch``): free
loopback ports, each process in its own session, and the whole group stopped afterwards."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from matcher.launch import health

ROOT = Path(__file__).resolve().parents[2]


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports; from ``MATCHER_TEST_PORTS`` ("18600-18699")
    when it names a range (a machine shared with other servers), else any."""
    first, _, last = os.environ.get("MATCHER_TEST_PORTS", "0-0").partition("-")
    return health.free_ports(
        count, range(int(first), int(last or first) + 1) if int(first) else None
    )


def matcher_env(**settings: str) -> dict[str, str]:
    """The environment of a ``matcher`` child: this checkout's code, no ``MATCHER_*`` setting
    of the calling shell, then ``settings`` (``data_dir=…`` becomes ``MATCHER_DATA_DIR``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHER_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env |= {f"MATCHER_{name.upper()}": value for name, value in settings.items()}
    return env


def matcher_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "matcher.cli", *args]


@contextmanager
def running(
    commands: dict[str, list[str]], env: dict[str, str], log_dir: Path
) -> Iterator[dict[str, subprocess.Popen]]:
    """Start each named command in its own process group, its output in ``log_dir/<name>.log``;
    on leaving, SIGTERM to every group, SIGKILL to those still there after 30 s."""
    procs: dict[str, subprocess.Popen] = {}
    try:
        for name, command in commands.items():
            with (log_dir / f"{name}.log").open("ab") as out:
                procs[name] = subprocess.Popen(
                    command, env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True
                )
        yield procs
    finally:
        for proc in procs.values():
            _signal_group(proc, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=30)
            _signal_group(proc, signal.SIGKILL)  # children the leader left behind


def wait_for_line(
    log: Path, pattern: str, proc: subprocess.Popen, timeout: float
) -> re.Match | None:
    """The first line of ``log`` matching ``pattern``, waiting for it until ``proc`` exits or
    ``timeout`` passes (then None)."""
    deadline = time.monotonic() + timeout
    while True:
        found = re.search(pattern, log.read_text(errors="replace"), re.M)
        if found or proc.poll() is not None or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def log_tails(log_dir: Path, chars: int = 2000) -> str:
    """The end of every process log, for a failure message."""
    return "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-chars:]}"
        for log in sorted(log_dir.glob("*.log"))
    )


def _signal_group(proc: subprocess.Popen, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
