"""Bulk runs against the store: what a dry run holds, conflicts and declines, staff edits
that every later run keeps, commits that are all or nothing, and bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from matcher.assignments.commit import commit_run
from matcher.assignments.constraints import create_rule
from matcher.assignments.lifecycle import Action, transition
from matcher.assignments.quotas import read_quota_file
from matcher.assignments.rule_schemas import NeedPair
from matcher.assignments.run_schemas import PairEdit, RunCreate
from matcher.assignments.run_views import get_run
from matcher.assignments.runs import create_run, edit_pair
from matcher.auth.actors import SYSTEM_CLI
from matcher.errors import (
    ConflictError,
    ImportRejectedError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from matcher.models import (
    Assignment,
    AssignmentConstraint,
    AssignmentRun,
    AssignmentStatus,
    ConflictOfInterest,
    ConstraintKind,
    Enterprise,
    Expert,
    LeadResponse,
    LeadResponseStatus,
    MatchResult,
    NeedStatus,
    RunStatus,
    Society,
    TargetKind,
    TechNeed,
)

from .world import Ids, dry_run

CLI = SYSTEM_CLI


def pairs_of(detail, ids: Ids, *, include_removed=False) -> dict[str, str]:
    return {
        ids.name_of("need", p.need_id): ids.name_of("society", p.society_id)
        for p in detail.pairs
        if include_removed or not p.removed
    }


def detail(s, run_id, **kw):
    return get_run(session=s, actor=CLI, run_id=run_id, **kw)


def test_a_dry_run_stores_the_optimum_and_why_needs_were_left_out(store, ids):
    with store.transaction() as s:
        run = dry_run(s)
        assert run.status is RunStatus.DRY_RUN and run.solver == "min_cost_flow"
        d = detail(s, run.id)
    assert pairs_of(d, ids) == {"N1": "SA", "N2": "SA", "N3": "SC", "N4": "SC", "N5": "SB"}
    assert d.objective == pytest.approx(90 + 80 + 85 + 50 + 88)
    assert d.greedy_objective <= d.objective
    assert [(ids.name_of("need", u.need_id), u.reason) for u in d.unassigned] == [
        ("N6", "no_candidate_above_min_score")
    ]
    assert d.summary["reason_counts"] == {"no_candidate_above_min_score": 1}
    assert "没有学会达到最低分" in d.unassigned[0].reason_text
    with store.transaction() as s:  # a dry run changes nothing else
        assert s.scalar(select(func.count()).select_from(Assignment)) == 0
        assert set(s.scalars(select(TechNeed.status))) == {NeedStatus.MATCHED}


def test_an_expert_of_the_enterprise_never_leads_and_staff_see_why(store, ids):
    with store.transaction() as s:
        run = dry_run(s)
        d = detail(s, run.id, need_id=ids.need["N1"])
    (pair,) = d.pairs
    assert pair.expert_id == ids.expert["XA2"]  # XA1 works for E1 (股份有限公司技术中心)
    (removed,) = d.removed
    assert (removed.society_id, removed.expert_id) == (ids.society["SA"], ids.expert["XA1"])
    assert removed.reason == "conflict_affiliation" and "任职" in removed.detail


def test_listed_conflicts_declines_and_not_suitable_answers_remove_candidates(store, ids):
    with store.transaction() as s:
        s.add(
            ConflictOfInterest(
                enterprise_id=ids.enterprise["E2"], society_id=ids.society["SC"], reason="亲属"
            )
        )
        s.add(
            LeadResponse(
                need_id=ids.need["N5"],
                society_id=ids.society["SB"],
                status=LeadResponseStatus.NOT_SUITABLE,
                reason="不对口",
            )
        )
        run = dry_run(s)
        d = detail(s, run.id)
    # E2's needs lose SC, N5 loses SB: the optimum moves N2 to SC so that N3 keeps SA
    assert pairs_of(d, ids) == {"N1": "SA", "N2": "SC", "N3": "SA", "N4": "SB", "N5": "SC"}
    reasons = {(ids.name_of("need", r.need_id), r.reason) for r in d.removed if r.expert_id is None}
    assert reasons == {("N3", "conflict_society"), ("N4", "conflict_society")} | {
        ("N5", "not_suitable")
    }


def test_rerun_keeps_every_staff_decision(store, ids):
    """Pins, forbids, removals, commits, society answers: a new run changes none of them."""
    with store.transaction() as s:
        first = dry_run(s)
        d = detail(s, first.id)
        by_need = {ids.name_of("need", p.need_id): p for p in d.pairs}
        # staff: pin N2–SA and forbid N3–SC (both kept for later runs), remove N4's pair
        # (this run only)
        pinned = edit_pair(
            session=s,
            actor=CLI,
            run_id=first.id,
            pair_id=by_need["N2"].id,
            edit=PairEdit(action="pin", reason="企业点名"),
        )
        assert pinned.pinned
        edit_pair(
            session=s,
            actor=CLI,
            run_id=first.id,
            pair_id=by_need["N3"].id,
            edit=PairEdit(action="forbid", reason="企业不同意"),
        )
        edit_pair(
            session=s,
            actor=CLI,
            run_id=first.id,
            pair_id=by_need["N4"].id,
            edit=PairEdit(action="remove"),
        )
        d = detail(s, first.id)
        assert {ids.name_of("need", u.need_id): u.reason for u in d.unassigned}["N4"] == (
            "removed_by_staff"
        )
        committed, created = commit_run(session=s, actor=CLI, run_id=first.id)
        assert committed.status is RunStatus.COMMITTED and created == 3  # N1, N2, N5
    with store.transaction() as s:
        a = {
            ids.name_of("need", x.need_id): x
            for x in s.scalars(select(Assignment).order_by(Assignment.id))
        }
        assert {k: ids.name_of("society", v.society_id) for k, v in a.items()} == {
            "N1": "SA",
            "N2": "SA",
            "N5": "SB",
        }
        assert s.get(TechNeed, ids.need["N1"]).status is NeedStatus.ASSIGNED
        transition(session=s, actor=CLI, assignment_id=a["N1"].id, action=Action.CONFIRM)
        transition(session=s, actor=CLI, assignment_id=a["N2"].id, action=Action.CONFIRM)
        transition(session=s, actor=CLI, assignment_id=a["N2"].id, action=Action.START)
        transition(
            session=s,
            actor=CLI,
            assignment_id=a["N5"].id,
            action=Action.DECLINE,
            reason="本学会近期无空",
        )
        before = {x.id: (x.status, x.society_id, x.need_id) for x in s.scalars(select(Assignment))}
        rules = {(r.kind, r.need_id, r.society_id) for r in s.scalars(select(AssignmentConstraint))}

    with store.transaction() as s:  # the pin comes after the first commit: N6 ← SC
        create_rule(
            session=s,
            actor=CLI,
            kind=ConstraintKind.PIN,
            data=NeedPair(need_id=ids.need["N6"], society_id=ids.society["SC"], reason="链主"),
        )
        second = dry_run(s, per_need=2)  # room for a second society: served needs join
        d2 = detail(s, second.id)
    got = {
        (ids.name_of("need", p.need_id), ids.name_of("society", p.society_id)): p for p in d2.pairs
    }
    assert got[("N1", "SA")].fixed and got[("N2", "SA")].fixed  # confirmed / in service kept
    assert got[("N6", "SC")].pinned  # pinned although below the minimum score
    assert ("N3", "SC") not in got  # forbidden
    assert ("N5", "SB") not in got  # declined by the society
    assert not any(ids.name_of("society", p.society_id) == "SA" and not p.fixed for p in d2.pairs)
    removed = {(ids.name_of("need", r.need_id), r.reason) for r in d2.removed}
    assert {("N3", "forbidden"), ("N5", "declined")} <= removed
    with store.transaction() as s:  # nothing staff decided changed
        after = {x.id: (x.status, x.society_id, x.need_id) for x in s.scalars(select(Assignment))}
        assert after == before
        rules_after = {
            (r.kind, r.need_id, r.society_id) for r in s.scalars(select(AssignmentConstraint))
        }
        assert rules <= rules_after
        _, created = commit_run(session=s, actor=CLI, run_id=second.id)
        fixed = sum(p.fixed for p in d2.pairs)
        assert created == len(d2.pairs) - fixed
        assert (
            s.scalar(
                select(func.count())
                .select_from(Assignment)
                .where(
                    Assignment.status.in_([AssignmentStatus.CONFIRMED, AssignmentStatus.IN_SERVICE])
                )
            )
            == 2
        )


def test_a_stale_run_commits_nothing(store, ids):
    with store.transaction() as s:
        a, b = dry_run(s), dry_run(s)
        commit_run(session=s, actor=CLI, run_id=a.id)
        count = s.scalar(select(func.count()).select_from(Assignment))
        with pytest.raises(ConflictError) as err:
            commit_run(session=s, actor=CLI, run_id=b.id)
        assert err.value.code == "run_stale"
        assert {p["problem"] for p in err.value.details} >= {"need_served"}
        assert s.scalar(select(func.count()).select_from(Assignment)) == count
        with pytest.raises(ConflictError) as again:
            commit_run(session=s, actor=CLI, run_id=a.id)
        assert again.value.code == "run_not_dry_run"


def test_quotas_and_fairness_inside_the_run(store, ids):
    with store.transaction() as s:
        run = dry_run(s, quotas={"city": {"洛阳市": 1, "南阳市": 2}}, fair="city")
        d = detail(s, run.id)
    luoyang = [p for p in d.pairs if p.city == "洛阳市"]
    assert len(luoyang) == 1
    assert "quota_exhausted" in {u.reason for u in d.unassigned}
    assert d.summary["quota_groups_without_needs"] == {"city": ["南阳市"]}
    assert d.summary["fairness"]["dimension"] == "city"
    assert d.fairness_cost is not None and d.fairness_cost >= 0


def test_bad_input_is_refused_and_changes_nothing(store, ids, tmp_path):
    with pytest.raises(InvalidInputError) as err:
        RunCreate.checked(per_need=0)
    assert "per_need" in str(err.value)
    with pytest.raises(InvalidInputError):
        RunCreate.checked(min_score=101, expert_capacity=-1)
    with store.transaction() as s:
        s.execute(update(Society).where(Society.external_id == "SB").values(capacity=-1))
    with pytest.raises(InvalidInputError) as neg, store.transaction() as s:
        dry_run(s)
    assert neg.value.code == "negative_capacity" and "SB" in str(neg.value)
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(AssignmentRun)) == 0
        with pytest.raises(NotFoundError):
            commit_run(session=s, actor=CLI, run_id=999)
        with pytest.raises(NotFoundError):
            get_run(session=s, actor=CLI, run_id=999)
        with pytest.raises(PermissionDeniedError):  # no actor is nobody
            create_run(session=s, actor=None, params=RunCreate())
    bad = tmp_path / "quotas.csv"
    bad.write_text("dimension,group,max\ncity,郑州,-3\nregion,华北,2\ncity,,1\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError) as rows:
        read_quota_file(bad.name, path=bad)
    assert [str(e) for e in rows.value.errors] == [
        "quotas.csv:2:max: 应为非负整数 / must be a whole number ≥ 0",
        "quotas.csv:3:dimension: 应为 city（城市）或 industry（行业） / must be city (城市) or "
        "industry (行业)",
        "quotas.csv:4:group: 必填项为空 / required value is empty",
    ]


def test_leads_are_spread_so_one_popular_expert_does_not_cap_a_society(store):
    """Four needs whose best experts in S are X then Y, each expert leading at most two: X
    leads the two best, Y the others, and S (capacity 4) serves all four."""
    with store.transaction() as s:
        soc = Society(external_id="S", name="学会", capacity=4)
        experts = [Expert(external_id=x, name=x, societies=[soc]) for x in ("X", "Y")]
        ent = Enterprise(external_id="E", name="企业")
        s.add_all([soc, ent, *experts])
        s.flush()
        top = [{"id": e.id, "name": e.name, "score": 1.0} for e in experts]
        for i in range(4):
            need = TechNeed(
                external_id=f"N{i}", title=f"N{i}", enterprise=ent, status=NeedStatus.MATCHED
            )
            s.add(need)
            s.flush()
            s.add(
                MatchResult(
                    need_id=need.id,
                    target_kind=TargetKind.SOCIETY,
                    target_id=soc.id,
                    rank=1,
                    score=90.0 - i,
                    components={"top_experts": top},
                )
            )
        run = dry_run(s, expert_capacity=2)
        d = detail(s, run.id)
    leads = [p.expert_name for p in sorted(d.pairs, key=lambda p: -p.score)]
    assert leads == ["X", "X", "Y", "Y"] and d.unassigned == []
