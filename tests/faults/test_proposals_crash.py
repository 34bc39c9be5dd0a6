"""``matcher proposals generate`` killed with SIGKILL with its proposals and documents
written but not committed leaves the store as it was (SQLite and PostgreSQL); the next run
succeeds, and the documents on disk are exactly the stored proposals' documents."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.models import WorkstationProposal
from tests.faults.crash import killed, run_cli, store_fingerprint, temp_files
from tests.proposals.conftest import build

pytestmark = pytest.mark.slow  # each test runs and kills matcher subprocesses


def _documents(settings) -> set[str]:
    folder = settings.data_dir / "documents"
    if not folder.is_dir():
        return set()
    return {
        p.relative_to(settings.data_dir).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and ".tmp" not in p.name
    }


def test_generate_killed_before_commit_leaves_no_document_behind(store, settings):
    build(store, settings)
    before = store_fingerprint(store)
    proc = run_cli("proposals", "generate", fault="db:before_commit")
    assert killed(proc), (proc.returncode, proc.stderr[-2000:])
    assert store_fingerprint(store) == before

    proc = run_cli("proposals", "generate")
    assert proc.returncode == 0, proc.stderr[-2000:]
    with store.engine.connect() as conn:
        stored = set(conn.scalars(select(WorkstationProposal.document_path)))
    assert len(stored) == 2
    assert _documents(settings) == stored  # no document of a proposal that was never stored
    assert not temp_files(settings.data_dir)
