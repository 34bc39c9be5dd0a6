"""A bulk assignment killed with SIGKILL with its assignments written but not committed —
``matcher assign commit RUN`` of a dry run, and ``matcher assign`` solving and committing in
one go — leaves the store exactly as it was (SQLite and PostgreSQL); the same command then
succeeds."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matcher.models import Assignment, AssignmentRun, RunStatus
from tests.assignments.world import build, dry_run
from tests.faults.crash import killed, run_cli, store_fingerprint, temp_files

pytestmark = pytest.mark.slow  # each test runs and kills matcher subprocesses


def _seeded(store) -> int:
    """The assignment tests' small world and one dry run of it; returns the run's id."""
    with store.transaction() as session:
        build(session)
        return dry_run(session).id


def _assignments(store) -> int:
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Assignment))


def test_commit_of_a_dry_run_killed_before_commit_changes_nothing(store, settings):
    run_id = _seeded(store)
    before = store_fingerprint(store)
    proc = run_cli("assign", "commit", run_id, fault="db:before_commit")
    assert killed(proc), (proc.returncode, proc.stderr[-2000:])
    assert store_fingerprint(store) == before

    proc = run_cli("assign", "commit", run_id)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with store.engine.connect() as conn:
        status = conn.scalar(select(AssignmentRun.status).where(AssignmentRun.id == run_id))
    assert status == RunStatus.COMMITTED
    assert _assignments(store) > 0
    assert not temp_files(settings.data_dir)


def test_solve_and_commit_killed_before_commit_changes_nothing(store, settings, tmp_path):
    with store.transaction() as session:
        build(session)
    before = store_fingerprint(store)
    out = tmp_path / "run.csv"
    proc = run_cli("assign", "--out", out, fault="db:before_commit")
    assert killed(proc), (proc.returncode, proc.stderr[-2000:])
    assert store_fingerprint(store) == before
    assert not out.exists()

    proc = run_cli("assign", "--out", out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.exists() and _assignments(store) > 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
