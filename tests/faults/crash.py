"""Running ``matcher …`` in a subprocess that kills itself at a fault point, and fingerprints
of the store and the data directory to compare before and after."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import MetaData, select

from matcher.db import Store
from matcher.faults import ENV

ROOT = Path(__file__).resolve().parents[2]
KILLED = -signal.SIGKILL


def run_cli(
    *args: str, fault: str | None = None, timeout: float = 180
) -> subprocess.CompletedProcess:
    """``matcher ARGS`` with the test's ``MATCHER_*`` environment; ``fault`` arms a point."""
    env = {k: v for k, v in os.environ.items() if k != ENV}
    if fault:
        env[ENV] = fault
    return subprocess.run(
        [sys.executable, "-m", "matcher.cli", *map(str, args)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def killed(proc: subprocess.CompletedProcess) -> bool:
    return proc.returncode == KILLED


def store_fingerprint(store: Store) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of its rows in primary-key order."""
    meta = MetaData()
    meta.reflect(store.engine)
    out = {}
    with store.engine.connect() as conn:
        for table in meta.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            digest = hashlib.sha1(repr([tuple(r) for r in rows]).encode()).hexdigest()
            out[table.name] = (len(rows), digest)
    return out


def files_fingerprint(*dirs: Path) -> dict[str, str]:
    """Every file under ``dirs`` (lock and temp files aside) and a checksum of its bytes."""
    out = {}
    for directory in dirs:
        for path in sorted(Path(directory).rglob("*")):
            if any(".tmp" in part for part in path.relative_to(directory).parts):
                continue
            if path.is_file() and not path.name.endswith(".lock"):
                out[str(path)] = hashlib.sha1(path.read_bytes()).hexdigest()
    return out


def temp_files(*dirs: Path) -> list[Path]:
    """Entries whose name marks a temp file or directory (``*.tmp<pid>``, ``.tmp-*``, ``*.tmp``)."""
    return [
        p
        for directory in dirs
        if Path(directory).is_dir()
        for p in Path(directory).rglob("*")
        if ".tmp" in p.name
    ]
