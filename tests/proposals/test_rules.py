"""The workstation rule over the store: both routes, what a pair lacks, exclusions, settings."""

from __future__ import annotations

import pytest

from matcher.config import Settings
from matcher.models import AssignmentConstraint, ConflictOfInterest, ConstraintKind
from matcher.proposals.rules import (
    CHAIN_LEADER,
    SERVICES,
    Criteria,
    expert_candidates,
    histories,
    judge,
    qualifying_pairs,
)


def pairs(verdicts) -> set[tuple[int, int]]:
    return {(v.society_id, v.enterprise_id) for v in verdicts}


def test_default_rule_selects_the_well_served_pair_and_the_chain_leader(store, pw) -> None:
    with store.transaction() as s:
        found = {(v.society_id, v.enterprise_id): v for v in qualifying_pairs(s, Criteria())}
    ids = pw.ids
    assert set(found) == {(ids["s1"], ids["e1"]), (ids["s1"], ids["e3"])}
    served = found[(ids["s1"], ids["e1"])]
    assert served.route == SERVICES
    assert (served.history.services, served.history.mean_rating) == (2, 4.5)
    assert [c.expert_id for c in served.candidates] == [ids["x1"], ids["x2"], ids["x3"]]
    assert served.candidates[0].needs == 2  # x1 matches both of E1's needs
    leader = found[(ids["s1"], ids["e3"])]
    assert leader.route == CHAIN_LEADER and leader.society_score == 66.0


def test_a_poorly_rated_pair_and_a_pair_without_history_say_what_they_lack(store, pw) -> None:
    ids = pw.ids
    with store.transaction() as s:
        poor = judge(s, Criteria(), society_id=ids["s2"], enterprise_id=ids["e2"])
        none = judge(s, Criteria(), society_id=ids["s1"], enterprise_id=ids["e4"])
    assert not poor.qualifies and "平均评分2.5分" in poor.shortfalls[0]
    assert len(poor.candidates) == 3  # experts alone are not enough
    assert not none.qualifies and none.history.services == 0
    assert any("少于3名" in s for s in none.shortfalls)


def test_histories_count_only_completed_services(store, pw) -> None:
    with store.transaction() as s:
        found = histories(s)
    assert found[(pw.ids["s1"], pw.ids["e1"])].services == 2
    assert found[(pw.ids["s2"], pw.ids["e2"])].mean_rating == 2.5
    assert (pw.ids["s1"], pw.ids["e4"]) not in found


def test_thresholds_come_from_settings(store, pw, monkeypatch) -> None:
    monkeypatch.setenv("MATCHER_WORKSTATION_MIN_MEAN_RATING", "2.5")
    monkeypatch.setenv("MATCHER_WORKSTATION_EXPERT_MIN_SCORE", "70")
    monkeypatch.setenv("MATCHER_WORKSTATION_MIN_EXPERTS", "2")
    monkeypatch.setenv("MATCHER_WORKSTATION_LEADER_MIN_SCORE", "90")
    criteria = Criteria.from_settings(Settings())
    assert criteria.min_mean_rating == 2.5 and criteria.expert_min_score == 70
    with store.transaction() as s:
        found = pairs(qualifying_pairs(s, criteria))
    ids = pw.ids
    # E1: x1 (86), x2 (72) ≥ 70; E2 now rated well enough (2.5) with y1 79, y2 78; E3: leader
    # score 66 < 90 and only x1 (70) ≥ 70
    assert found == {(ids["s1"], ids["e1"]), (ids["s2"], ids["e2"])}


@pytest.mark.parametrize("kind", ["conflict", "forbid"])
def test_a_conflict_or_a_forbid_rules_the_pair_out(store, pw, kind) -> None:
    ids = pw.ids
    with store.transaction() as s:
        if kind == "conflict":
            s.add(ConflictOfInterest(enterprise_id=ids["e1"], society_id=ids["s1"], reason="亲属"))
        else:
            s.add(
                AssignmentConstraint(
                    kind=ConstraintKind.FORBID, enterprise_id=ids["e1"], society_id=ids["s1"]
                )
            )
        s.flush()
        verdict = judge(s, Criteria(), society_id=ids["s1"], enterprise_id=ids["e1"])
        assert verdict.route == SERVICES and not verdict.qualifies and verdict.excluded
        assert (ids["s1"], ids["e1"]) not in pairs(qualifying_pairs(s, Criteria()))


def test_experts_with_a_conflict_or_working_at_the_enterprise_are_no_candidates(store, pw):
    ids = pw.ids
    with store.transaction() as s:
        s.add(ConflictOfInterest(enterprise_id=ids["e1"], expert_id=ids["x1"], reason="兼职"))
        from matcher.models import Expert

        s.get(Expert, ids["x2"]).affiliation = "郑州重工机械有限公司"
        s.flush()
        found = expert_candidates(s, society_id=ids["s1"], enterprise_id=ids["e1"])
        verdict = judge(s, Criteria(), society_id=ids["s1"], enterprise_id=ids["e1"])
    assert [c.expert_id for c in found] == [ids["x3"], ids["x4"]]
    assert not verdict.qualifies  # one strong candidate left


def test_the_rule_reads_as_chinese() -> None:
    text = Criteria().describe()
    assert "已完成服务不少于2项" in text and "链主企业" in text and "不少于3名" in text
    assert "链主" not in Criteria().describe(SERVICES)
