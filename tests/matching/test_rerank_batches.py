"""After a new index version the refresher re-ranks the stored results of open needs in
batches, those ranked longest ago first; when the profiles move on meanwhile it stops after
the batch in hand, so the next refresh never waits for a whole re-rank, and the needs it did
not reach come first next time."""

from __future__ import annotations

from filelock import FileLock
from sqlalchemy import select

import matcher.matching.refresher as refresher_module
import matcher.matching.results as results
from matcher.auth.actors import SYSTEM_INDEX
from matcher.matching import profiles
from matcher.matching.refresher import Refresher
from matcher.matching.service import MatchingRuntime, ensure_indexes, match_open_needs
from matcher.models import MatchResult, TargetKind

from .factories import edit_profile, seed


def _stale(store, version: str) -> set[int]:
    with store.transaction() as s:
        rows = s.execute(
            select(MatchResult.need_id, MatchResult.model_id).where(
                MatchResult.target_kind == TargetKind.SOCIETY
            )
        )
        return {need for need, model in rows if model != version}


def _edited_after_ranking(settings, store) -> tuple[MatchingRuntime, Refresher, set[int]]:
    """The seeded needs ranked, a profile edited, the next version built (not re-ranked):
    the runtime, a refresher (not started) and the needs whose stored results are stale."""
    with store.transaction() as s:
        seed(s)
    runtime = MatchingRuntime.load(settings)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
        match_open_needs(session=s, runtime=runtime, target=TargetKind.SOCIETY, top_k=None)
    refresher = Refresher(store=store, runtime=runtime, actor=SYSTEM_INDEX, poll=60)
    edit_profile(store, "加氢催化剂失活机理 固定床加氢反应器")
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
    stale = _stale(store, runtime.state.version)
    return runtime, refresher, stale


def test_a_re_rank_yields_to_the_next_refresh(settings, store, monkeypatch):
    monkeypatch.setattr(refresher_module, "RERANK_BATCH", 1)
    runtime, refresher, stale = _edited_after_ranking(settings, store)
    assert len(stale) >= 2
    assert refresher.stale_needs is None  # (before its first re-rank: not counted)
    left: list[int | None] = []  # what /health shows while each batch runs
    match_many = results._match_many

    def watched(session, runtime, needs, *args):
        left.append(refresher.health().stale_needs)
        return match_many(session, runtime, needs, *args)

    monkeypatch.setattr(results, "_match_many", watched)
    assert refresher.rerank() == len(stale)  # one by one, until none is left
    monkeypatch.setattr(results, "_match_many", match_many)
    assert not _stale(store, runtime.state.version)
    assert left == list(range(len(stale), 0, -1))  # counted once, then one fewer per batch
    assert refresher.health().stale_needs == 0

    edit_profile(store, "加氢催化剂寿命 加氢催化剂再生")  # the next version: every need stale again
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
    reached: list[int] = []
    signature = profiles.signature

    def recorded(session, runtime, needs, *args):
        reached.extend(n.id for n in needs)
        return match_many(session, runtime, needs, *args)

    def edited_after_the_first_batch(session) -> str:  # an edit lands meanwhile
        if reached:
            edit_profile(store, "加氢反应器 再次修改")
        return signature(session)

    monkeypatch.setattr(results, "_match_many", recorded)
    monkeypatch.setattr(refresher_module.profiles, "signature", edited_after_the_first_batch)
    runtime.refresh_wanted.clear()
    assert refresher.rerank() == 1 and runtime.refresh_wanted.is_set()  # stopped for it
    monkeypatch.undo()
    assert len(reached) == 1
    assert refresher.stale_needs == len(stale) - 1  # the needs it did not reach
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
    before = _stale(store, runtime.state.version)
    with store.transaction() as s:  # the next batch: a need the stopped re-rank never reached
        assert results.rerank_stale(session=s, runtime=runtime, actor=SYSTEM_INDEX, limit=1) == 1
    first = before - _stale(store, runtime.state.version)
    assert len(first) == 1 and first.isdisjoint(reached)


def test_one_process_at_a_time_re_ranks_a_sqlite_store(settings, store):
    """On SQLite a process that finds another re-ranking (its lock held) skips and looks
    again at its next poll; on PostgreSQL the processes share the needs by row locks."""
    runtime, refresher, stale = _edited_after_ranking(settings, store)
    assert stale
    with FileLock(str(settings.index_dir / refresher_module.RERANK_LOCK)):  # another process's
        done = refresher.rerank()
    if store.engine.dialect.name != "sqlite":
        assert done == len(stale) and not _stale(store, runtime.state.version)
        return
    assert done == 0 and refresher.owed
    assert _stale(store, runtime.state.version) == stale
    refresher.check()  # its next poll: current, but a re-rank owed
    assert not _stale(store, runtime.state.version) and not refresher.owed
