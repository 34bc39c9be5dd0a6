"""Learning from outcomes in the live ranking: a society that served a very similar need well
ranks higher (a prior at once, a member text from the next index version); a decline demotes
that society for near-duplicates only."""

from __future__ import annotations

from sqlalchemy import select

from matcher.matching import profiles
from matcher.matching.lifecycle import ensure_indexes
from matcher.matching.results import rank_needs
from matcher.matching.runtime import MatchingRuntime
from matcher.models import (
    Assignment,
    AssignmentStatus,
    Enterprise,
    LeadResponse,
    LeadResponseStatus,
    Society,
    TargetKind,
    TechNeed,
)

from .factories import seed

NEUTRAL = "工业园区能耗在线监测与节能优化管理平台"


def _scores(session, runtime, *texts: str) -> list[dict[str, float]]:
    """Per need text, society external id → score (unsaved needs)."""
    needs = [TechNeed(external_id=f"Q-{i}", title=t, description="") for i, t in enumerate(texts)]
    ranked = rank_needs(
        session=session, runtime=runtime, needs=needs, target=TargetKind.SOCIETY, top_k=3
    )
    ext = {s.id: s.external_id for s in session.scalars(select(Society))}
    return [{ext[r.id]: r.score for r in rows} for rows in ranked.scored]


def _world(session, settings):
    societies = seed(session)
    runtime = MatchingRuntime.load(settings)
    ensure_indexes(session=session, runtime=runtime)
    ent = Enterprise(external_id="E-1", name="测试企业")
    session.add(ent)
    session.flush()
    return societies, runtime, ent


def _served_neutral(session, settings, rating: int) -> tuple[str, dict, dict, MatchingRuntime]:
    """The runner-up society for ``NEUTRAL`` completes a need worded the same, rated
    ``rating``: (that society, scores before, scores after, the runtime)."""
    societies, runtime, ent = _world(session, settings)
    (before,) = _scores(session, runtime, NEUTRAL)
    runner_up = sorted(before, key=before.get)[-2]
    done = TechNeed(external_id="N-DONE", title=NEUTRAL, description="", enterprise_id=ent.id)
    session.add(done)
    session.flush()
    session.add(
        Assignment(
            society_id=societies[runner_up].id,
            enterprise_id=ent.id,
            need_id=done.id,
            status=AssignmentStatus.COMPLETED,
            rating=rating,
        )
    )
    session.flush()
    (after,) = _scores(session, runtime, NEUTRAL)
    return runner_up, before, after, runtime


def test_a_society_that_served_a_very_similar_need_ranks_higher(settings, store):
    with store.transaction() as s:
        runner_up, before, after, _ = _served_neutral(s, settings, rating=5)
    assert max(after, key=after.get) == runner_up != max(before, key=before.get)
    assert after[runner_up] > before[runner_up]


def test_a_poorly_rated_service_does_not_count_for_the_society(settings, store):
    with store.transaction() as s:
        runner_up, before, after, _ = _served_neutral(s, settings, rating=1)
    assert after[runner_up] <= before[runner_up]


def test_a_decline_demotes_only_needs_similar_to_the_declined_one(settings, store):
    similar = "数控机床主轴精度下降，主轴热变形导致加工精度不稳定"
    other = "滚动轴承故障诊断与寿命预测"
    with store.transaction() as s:
        societies, runtime, _ = _world(s, settings)
        before = _scores(s, runtime, similar, other)
        n1 = s.scalar(select(TechNeed).where(TechNeed.external_id == "N-1"))
        s.add(
            LeadResponse(
                need_id=n1.id,
                society_id=societies["S-MECH"].id,
                status=LeadResponseStatus.NOT_SUITABLE,
            )
        )
        s.flush()
        after = _scores(s, runtime, similar, other)
    assert after[0]["S-MECH"] < before[0]["S-MECH"]  # near-duplicate of the declined need
    assert after[1]["S-MECH"] == before[1]["S-MECH"]  # a different machine-tool need: unchanged


def test_a_need_served_well_joins_its_society_at_the_next_index_version(settings, store):
    """After the refresh the outcome triggers, the served need is evidence for its society
    (a need worded like it ranks that society higher), never an expert: expert rankings,
    explanations and the index's expert count leave it out."""
    with store.transaction() as s:
        runner_up, _, with_prior, runtime = _served_neutral(s, settings, rating=5)
        stale = runtime.state.signature != profiles.signature(s)
        status = ensure_indexes(session=s, runtime=runtime)
        assert stale and status.action == "refreshed" and status.experts == 6
        (after,) = _scores(s, runtime, NEUTRAL)
        assert after[runner_up] > with_prior[runner_up]  # the member adds to the prior
        need = TechNeed(external_id="Q-X", title=NEUTRAL, description="")
        experts = rank_needs(
            session=s, runtime=runtime, needs=[need], target=TargetKind.EXPERT, top_k=20
        ).scored[0]
        societies = rank_needs(
            session=s, runtime=runtime, needs=[need], target=TargetKind.SOCIETY, top_k=3
        ).scored[0]
    assert experts and all(r.id > 0 for r in experts)
    shown = [e["id"] for r in societies for e in r.components["top_experts"]]
    assert shown and all(i > 0 for i in shown)
    served_ids = runtime.state.experts.ids[runtime.state.experts.ids < 0]
    assert len(served_ids) == 1 and int(served_ids[0]) not in runtime.state.external_ids["expert"]


def test_editing_a_need_served_well_marks_the_index_stale(settings, store):
    with store.transaction() as s:
        *_, runtime = _served_neutral(s, settings, rating=5)
        ensure_indexes(session=s, runtime=runtime)
        assert runtime.state.signature == profiles.signature(s)
        done = s.scalar(select(TechNeed).where(TechNeed.external_id == "N-DONE"))
        done.description = "更换为余热回收与蒸汽管网保温改造"
        s.flush()
        assert runtime.state.signature != profiles.signature(s)


def test_a_service_rated_poorly_adds_no_member(settings, store):
    with store.transaction() as s:
        *_, runtime = _served_neutral(s, settings, rating=2)
        ensure_indexes(session=s, runtime=runtime)
        assert (runtime.state.experts.ids > 0).all()
        assert profiles.served_rows(s) == ([], {})
