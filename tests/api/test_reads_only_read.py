"""A read never writes: stale or shallow stored matches are ranked for the reader only, so a
read can neither create leads nor race another read; stored matches change on post, edit
and bulk re-ranks, and a society's answer survives them."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from matcher.auth.actors import SYSTEM_CLI
from matcher.matching.service import MatchingRuntime, rerank_stale
from matcher.models import AuditEvent, LeadResponse, MatchResult

V1 = "/api/v1"


def _counts(store):
    with store.transaction() as s:
        return (
            s.scalar(select(func.count()).select_from(MatchResult)),
            s.scalar(select(func.count()).select_from(AuditEvent)),
            sorted(s.execute(select(MatchResult.id, MatchResult.model_id)).all()),
        )


@pytest.mark.slow  # loads the matching runtime
def test_reading_stale_or_deep_matches_writes_nothing(api, world, store):
    ent = world.headers("enterprise")
    before = _counts(store)
    deep = api.get(f"{V1}/needs/{world.ids['need_own']}/matches?top_k=100", headers=ent)
    assert deep.status_code == 200 and len(deep.json()) == 2  # both societies, ranked now
    assert all(m["model_id"] != "hand-made" for m in deep.json())
    assert _counts(store) == before  # no stored row, no audit event, no new lead
    soc = world.headers("society")
    leads = api.get(f"{V1}/societies/{world.ids['s_other']}/leads", headers=soc)
    assert leads.status_code == 404  # still not that society's business


@pytest.mark.slow
def test_an_answered_lead_survives_a_bulk_re_rank(api, world, store, settings):
    soc = world.headers("society")
    need_id, society_id = world.ids["need_own"], world.ids["s_own"]
    put = api.put(
        f"{V1}/societies/{society_id}/leads/{need_id}/response",
        json={"status": "interested", "reason": "有焊接专家"},
        headers=soc,
    )
    assert put.status_code == 200, put.text
    runtime = MatchingRuntime.load(settings)
    with store.transaction() as s:
        assert rerank_stale(session=s, runtime=runtime, actor=SYSTEM_CLI) >= 1
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(LeadResponse)) == 1
        models = set(s.scalars(select(MatchResult.model_id).where(MatchResult.need_id == need_id)))
        assert models == {runtime.state.version}  # the hand-made rows were replaced
    lead = next(
        i
        for i in api.get(f"{V1}/societies/{society_id}/leads", headers=soc).json()["items"]
        if i["need"]["id"] == need_id
    )
    assert lead["response"]["status"] == "interested" and lead["response"]["reason"] == "有焊接专家"


@pytest.mark.slow
def test_concurrent_reads_of_a_stale_need_all_succeed(api, world):
    ent = world.headers("enterprise")
    api.get(f"{V1}/needs/{world.ids['need_own']}/matches", headers=ent)  # load the runtime
    codes: list[int] = []

    def read() -> None:
        r = api.get(f"{V1}/needs/{world.ids['need_own']}/matches", headers=ent)
        codes.append(r.status_code)

    threads = [threading.Thread(target=read) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 6
