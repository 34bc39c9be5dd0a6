"""Indexes follow the store: changed profiles are seen, corrupt files are rebuilt."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from matcher.matching.saved_state import STATE_FILE
from matcher.matching.service import MatchingRuntime, ensure_indexes, get_matches, match_need
from matcher.models import Expert, TargetKind, TechNeed

from .factories import seed


def _need(s, ext):
    return s.scalar(select(TechNeed).where(TechNeed.external_id == ext))


def test_changed_profile_is_reflected_and_only_it_is_encoded(settings, store):
    with store.transaction() as s:
        seed(s)
    runtime = MatchingRuntime.load(settings)
    with store.transaction() as s:
        first = match_need(session=s, runtime=runtime, need=_need(s, "N-2"), target="expert")
        assert first[0].target_id == s.scalar(
            select(Expert.id).where(Expert.external_id == "S-CHEM-E0")
        )
        water = s.scalar(select(Expert).where(Expert.external_id == "S-WATER-E1"))
        water.profile = "加氢催化剂失活机理 固定床加氢反应器 催化剂寿命 加氢催化剂再生"
        water.research_areas = ["加氢", "催化剂"]
    with store.transaction() as s:
        status = ensure_indexes(session=s, runtime=runtime)
        assert status.action == "refreshed" and status.encoded >= 1
        assert status.encoded <= 3  # the changed expert and its society, not everything
        again = get_matches(session=s, runtime=runtime, need=_need(s, "N-2"), target="expert")
        assert water.id in [r.target_id for r in again[:2]]


def test_truncated_index_file_is_rebuilt(settings, store):
    with store.transaction() as s:
        seed(s)
    older = settings.index_dir / "engine_state.v1.pkl"  # an earlier layout, left behind
    older.parent.mkdir(parents=True)
    older.write_bytes(b"old")
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=MatchingRuntime.load(settings))
    assert not older.exists()
    current = (settings.index_dir / STATE_FILE).read_text().strip()
    path = settings.index_dir / current / "experts.vectors.npy"
    path.write_bytes(path.read_bytes()[:100])  # truncated: its checksum no longer matches
    fresh = MatchingRuntime.load(settings)  # a new process
    with store.transaction() as s:
        status = ensure_indexes(session=s, runtime=fresh)
        assert status.action == "built" and status.experts == 6
        res = match_need(session=s, runtime=fresh, need=_need(s, "N-1"), target=TargetKind.SOCIETY)
        assert 0 <= res[-1].score <= res[0].score <= 100  # calibrated, monotone in rank
        assert res[0].components["fused"] >= res[-1].components["fused"]
    other = MatchingRuntime.load(settings)
    with store.transaction() as s:
        assert ensure_indexes(session=s, runtime=other).action == "loaded"


def test_stored_results_are_reused_while_fresh(settings, store):
    with store.transaction() as s:
        seed(s)
    runtime = MatchingRuntime.load(settings)
    with store.transaction() as s:
        need = _need(s, "N-3")
        a = match_need(session=s, runtime=runtime, need=need, target="society", top_k=3)
        b = get_matches(session=s, runtime=runtime, need=need, target="society", top_k=3)
        assert [r.id for r in a] == [r.id for r in b]
        assert [r.rank for r in b] == [1, 2, 3]


def test_signature_follows_every_profile_write_and_no_other(settings, store, tmp_path):
    """Triggers bump the revision for ORM and raw SQL writes alike; another store never
    shares a signature (so a copied index file is not mistaken for fresh)."""
    from sqlalchemy import text

    from matcher.db import open_store
    from matcher.matching.profiles import signature

    with store.transaction() as s:
        seed(s)
    with store.transaction() as s:
        seen = {signature(s)}
    writes = [
        "UPDATE experts SET profile = profile || '。' WHERE external_id = 'S-MECH-E0'",
        "UPDATE societies SET capacity = 9",
        "DELETE FROM expert_societies WHERE expert_id = (SELECT MIN(id) FROM experts)",
        "INSERT INTO expert_societies (expert_id, society_id) "
        "SELECT (SELECT MIN(id) FROM experts), (SELECT MAX(id) FROM societies)",
        "DELETE FROM experts WHERE external_id = 'S-WATER-E1'",
    ]
    for sql in writes:
        with store.transaction() as s:
            s.execute(text(sql))
        with store.transaction() as s:
            assert signature(s) not in seen, sql
            seen.add(signature(s))
    with store.transaction() as s:
        s.execute(text("UPDATE tech_needs SET title = title || '！'"))
        s.execute(text("UPDATE experts SET profile = profile WHERE 1 = 0"))
    with store.transaction() as s:
        unrelated = signature(s)
    runtime = MatchingRuntime.load(settings)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
        assert ensure_indexes(session=s, runtime=runtime).action == "unchanged"
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
    with other.transaction() as s:
        assert signature(s) != unrelated and signature(s).endswith(":0")
    other.dispose()


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_an_import_and_a_profile_edit_do_not_deadlock(store):
    """Both lock the revision row before any profile row, so the edit waits for the import
    instead of PostgreSQL aborting one of them as a deadlock."""
    from sqlalchemy import text

    with store.transaction() as s:
        seed(s)
    importer = store.engine.connect()
    importer.begin()
    importer.execute(text("UPDATE experts SET profile = profile || '。'"))  # holds the counter
    edit_done = threading.Event()
    errors: list[Exception] = []

    def edit() -> None:
        try:
            with store.engine.begin() as conn:
                conn.execute(text("UPDATE societies SET capacity = 3 WHERE external_id = 'S-MECH'"))
        except Exception as exc:  # a deadlock would land here
            errors.append(exc)
        edit_done.set()

    worker = threading.Thread(target=edit)
    worker.start()
    assert not edit_done.wait(0.5)  # waiting for the importer, before locking the society row
    importer.execute(text("UPDATE societies SET description = description || '。'"))
    importer.commit()
    importer.close()
    worker.join(10)
    assert edit_done.is_set() and errors == []
    with store.transaction() as s:
        assert s.execute(text("SELECT COUNT(*) FROM societies WHERE capacity = 3")).scalar() == 1
