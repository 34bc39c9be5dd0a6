"""Refreshes off the request path: a background refresher builds the next version while
readers keep the current one, then re-ranks stale needs; another worker over the same store
follows the new version from disk, within the staleness bound."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from matcher.auth.actors import SYSTEM_INDEX
from matcher.matching.refresher import Refresher
from matcher.matching.service import MatchingRuntime, ensure_indexes, match_need
from matcher.models import Expert, MatchResult, TargetKind, TechNeed

from .factories import seed

POLL = 0.2
BOUND = 30.0  # poll + one refresh of this tiny store, with a wide margin for a busy CI


@pytest.mark.slow
def test_an_edit_through_one_worker_reaches_another_within_the_bound(settings, store):
    with store.transaction() as s:
        seed(s)
    builder = MatchingRuntime.load(settings)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=builder)
        need = s.scalar(select(TechNeed).where(TechNeed.external_id == "N-2"))
        match_need(session=s, runtime=builder, need=need, target=TargetKind.SOCIETY)
    follower = MatchingRuntime.load(settings)
    follower.follow(force=True)
    workers = [
        Refresher(store=store, runtime=builder, actor=SYSTEM_INDEX, poll=POLL).start(),
        Refresher(store=store, runtime=follower, actor=SYSTEM_INDEX, poll=POLL, build=False),
    ]
    workers[1].start()
    old = follower.state
    try:
        with store.transaction() as s:  # an edit made through the first worker
            water = s.scalar(select(Expert).where(Expert.external_id == "S-WATER-E1"))
            water.profile = "加氢催化剂失活机理 固定床加氢反应器 催化剂寿命 加氢催化剂再生"
        t0 = time.monotonic()
        while time.monotonic() - t0 < BOUND:
            if follower.state is not old and builder.state.name == follower.state.name:
                break
            time.sleep(0.05)
        assert follower.state is not old, "the other worker never picked up the new version"
        assert old.experts.ids.size == 6  # a reader holding the old version still can use it
        assert workers[0].wait_until_current(BOUND)
        with store.transaction() as s:  # stored results followed the new version
            versions = set(
                s.scalars(
                    select(MatchResult.model_id).where(
                        MatchResult.target_kind == TargetKind.SOCIETY
                    )
                )
            )
            assert versions == {builder.state.version}
        health = workers[1].health()
        assert health.version == builder.state.version and not health.refreshing
        assert health.age_seconds is not None and health.age_seconds < BOUND
    finally:
        for w in workers:
            w.stop()
