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
    Expert,
    LeadResponse,
    LeadResponseStatus,
    Society,
    TargetKind,
    TechNeed,
)

from .factories import seed

NEUTRAL = "工业园区能耗在线监测与节能优化管理平台"
NEAR_N1 = "数控机床主轴精度下降，主轴热变形导致加工精度不稳定"  # the seeded need N-1, reworded
OTHER_MECH = "滚动轴承故障诊断与寿命预测"  # the same field, another topic


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


def _decline_n1(session, society: Society) -> None:
    """``society`` answers "not suitable" on the seeded machine-tool need N-1."""
    n1 = session.scalar(select(TechNeed).where(TechNeed.external_id == "N-1"))
    session.add(
        LeadResponse(need_id=n1.id, society_id=society.id, status=LeadResponseStatus.NOT_SUITABLE)
    )
    session.flush()


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
    similar, other = NEAR_N1, OTHER_MECH
    with store.transaction() as s:
        societies, runtime, _ = _world(s, settings)
        before = _scores(s, runtime, similar, other)
        _decline_n1(s, societies["S-MECH"])
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


def test_a_decline_also_demotes_near_duplicates_in_a_store_with_fitted_weights(settings, store):
    """Pseudo-needs never decline, so the fit cannot weigh the prior: a fitted store keeps the
    hand-set demotion, rescaled — a near-duplicate of a declined need ranks that society lower,
    a different need of its field does not move."""
    import random

    rng = random.Random(3)
    similar, other = NEAR_N1, OTHER_MECH
    with store.transaction() as s:
        societies = seed(s)
        for ext, words in (
            ("S-MECH", "数控机床 主轴 齿轮 轴承 热变形 精度 补偿 振动 传动 加工"),
            ("S-CHEM", "催化剂 加氢 反应器 精馏 分离 动力学 工艺 节能 固定床 化工"),
            ("S-WATER", "水库 大坝 渗流 灌溉 节水 调度 防洪 监测 水资源 引黄"),
        ):
            for i in range(25):
                text = "研究" + "与".join(rng.sample(words.split(), 4))
                e = Expert(external_id=f"{ext}-F{i}", name=f"专家{ext}{i}", profile=text)
                e.societies.append(societies[ext])
                s.add(e)
        s.flush()
        runtime = MatchingRuntime.load(settings)
        ensure_indexes(session=s, runtime=runtime)
        fusion = runtime.state.fusion
        assert fusion.source == "fitted" and fusion.weights["declined"] < 0
        before = _scores(s, runtime, similar, other)
        _decline_n1(s, societies["S-MECH"])
        after = _scores(s, runtime, similar, other)
    assert after[0]["S-MECH"] < before[0]["S-MECH"]
    assert after[1]["S-MECH"] == before[1]["S-MECH"]
