"""Hand-made instances: greedy versus optimum, reason codes, forced pairs, solver choice."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.assignment import (
    AssignmentInputError,
    Edge,
    EdgeTable,
    EnterpriseEdge,
    Exclusions,
    Pair,
    ReasonCode,
    assign,
    pair_enterprises,
)

CAP1 = {"s1": 1, "s2": 1, "s3": 1}


def chosen(result) -> set[tuple[str, str]]:
    return {(p.need_id, p.society_id) for p in result.pairs}


@pytest.mark.parametrize("solver", ["auto", "flow", "mip"])
def test_greedy_is_strictly_worse_on_a_crossing(solver: str) -> None:
    edges = [Edge("n1", "s1", 90), Edge("n1", "s2", 80), Edge("n2", "s1", 85)]
    result = assign(edges, {"s1": 1, "s2": 1}, solver=solver)
    assert chosen(result) == {("n1", "s2"), ("n2", "s1")}
    assert result.objective == 165.0
    assert result.greedy_objective == 90.0
    assert result.greedy_ratio == pytest.approx(90 / 165)
    assert result.unassigned == {}


def test_plain_case_uses_the_flow_and_reports_timing() -> None:
    result = assign([Edge("n1", "s1", 50)], {"s1": 1})
    assert result.solver == "min_cost_flow"
    assert 0 <= result.solve_seconds <= result.total_seconds


def test_per_need_gives_several_societies() -> None:
    edges = [Edge("n1", s, 10 * i) for i, s in enumerate(["s1", "s2", "s3"], 1)]
    result = assign(edges, CAP1, per_need=2)
    assert chosen(result) == {("n1", "s2"), ("n1", "s3")}
    assert result.unassigned == {}


def test_each_reason_code() -> None:
    edges = [
        Edge("low", "s1", 10),  # below min_score
        Edge("banned", "s1", 90, enterprise_id="E9"),  # conflicted
        Edge("banned", "s2", 90),  # forbidden
        Edge("z1", "s3", 70),
        Edge("z2", "s3", 60),  # Zhengzhou quota taken by z1
        Edge("top", "s1", 99),
        Edge("late", "s1", 50),  # s1 full
    ]
    result = assign(
        edges,
        {"s1": 1, "s2": 5, "s3": 5},
        needs=["nothing"],
        min_score=20,
        forbidden=Exclusions(need_society={("banned", "s2")}),
        conflicts=Exclusions(enterprise_society={("E9", "s1")}),
        groups={"city": {"z1": "郑州市", "z2": "郑州市", "top": "洛阳市"}},
        quotas={"city": {"郑州市": 1}},
    )
    assert result.unassigned == {
        "nothing": ReasonCode.NO_CANDIDATE_ABOVE_MIN_SCORE,
        "low": ReasonCode.NO_CANDIDATE_ABOVE_MIN_SCORE,
        "banned": ReasonCode.ALL_CANDIDATES_CONFLICTED_OR_FORBIDDEN,
        "z2": ReasonCode.QUOTA_EXHAUSTED,
        "late": ReasonCode.ALL_CANDIDATES_AT_CAPACITY,
    }
    assert result.reason_counts == {
        ReasonCode.NO_CANDIDATE_ABOVE_MIN_SCORE: 2,
        ReasonCode.ALL_CANDIDATES_CONFLICTED_OR_FORBIDDEN: 1,
        ReasonCode.QUOTA_EXHAUSTED: 1,
        ReasonCode.ALL_CANDIDATES_AT_CAPACITY: 1,
    }


def test_reason_precedence() -> None:
    """Below-threshold beats conflicts; a mix of conflicted and full candidates is capacity;
    a full quota beats full societies; a full lead expert counts as capacity."""
    edges = [
        Edge("a", "s1", 5, expert_id="x"),  # below min_score, and forbidden too
        Edge("b", "s1", 90),  # forbidden
        Edge("b", "s2", 40),  # s2 full (taken by c)
        Edge("c", "s2", 95),
        Edge("d", "s2", 30),  # quota full and s2 full
        Edge("e", "s3", 80, expert_id="x"),
        Edge("f", "s3", 70, expert_id="x"),  # expert x holds one pair at most
    ]
    result = assign(
        edges,
        {"s1": 3, "s2": 1, "s3": 3},
        min_score=20,
        expert_capacity={"x": 1},
        forbidden=Exclusions(need_society={("a", "s1"), ("b", "s1")}),
        groups={"city": {"c": "开封市", "d": "开封市"}},
        quotas={"city": {"开封市": 1}},
    )
    assert result.unassigned == {
        "a": ReasonCode.NO_CANDIDATE_ABOVE_MIN_SCORE,
        "b": ReasonCode.ALL_CANDIDATES_AT_CAPACITY,
        "d": ReasonCode.QUOTA_EXHAUSTED,
        "f": ReasonCode.ALL_CANDIDATES_AT_CAPACITY,
    }


def test_reason_for_a_need_with_one_of_two_pairs() -> None:
    result = assign([Edge("n1", "s1", 50)], CAP1, per_need=2)
    assert result.unassigned == {"n1": ReasonCode.NO_CANDIDATE_ABOVE_MIN_SCORE}


def test_zero_scores_are_still_taken_when_they_fit() -> None:
    result = assign([Edge("n1", "s1", 0.0), Edge("n2", "s1", 0.0)], {"s1": 1})
    assert len(result.pairs) == 1
    assert set(result.unassigned.values()) == {ReasonCode.ALL_CANDIDATES_AT_CAPACITY}


def test_pins_and_fixed_pairs_are_kept_and_use_capacity() -> None:
    edges = [Edge("n1", "s1", 90), Edge("n2", "s1", 80), Edge("n3", "s2", 70)]
    result = assign(
        edges,
        {"s1": 1, "s2": 2, "s3": 1},
        needs=["n4"],
        pinned=[Pair("n2", "s1"), Pair("n4", "s3")],  # n4–s3 is no candidate: scores 0
        fixed=[Pair("n9", "s2", score=55.5)],  # a confirmed pair of a need outside the run
    )
    by_pair = {(p.need_id, p.society_id): p for p in result.pairs}
    assert by_pair["n2", "s1"].pinned and by_pair["n2", "s1"].score == 80
    assert by_pair["n4", "s3"].pinned and by_pair["n4", "s3"].score == 0
    assert by_pair["n9", "s2"].fixed and by_pair["n9", "s2"].score == 55.5
    assert ("n1", "s1") not in by_pair
    assert by_pair["n3", "s2"].score == 70  # s2 holds the fixed pair and this one
    assert result.objective == 80 + 0 + 55.5 + 70
    assert result.unassigned == {"n1": ReasonCode.ALL_CANDIDATES_AT_CAPACITY}


def test_fixed_pairs_count_toward_per_need() -> None:
    edges = [Edge("n1", "s1", 90), Edge("n1", "s2", 80)]
    result = assign(edges, CAP1, fixed=[Pair("n1", "s3", score=10)])
    assert chosen(result) == {("n1", "s3")}
    assert result.unassigned == {}


def test_pinned_score_given_for_a_non_candidate() -> None:
    result = assign([], {"s1": 1}, needs=["n1"], pinned=[Pair("n1", "s1", score=42)])
    assert result.objective == 42 and result.pairs[0].pinned


def test_conflicting_expert_is_never_chosen() -> None:
    edges = [Edge("n1", "s1", 90, enterprise_id="E1", expert_id="x1"), Edge("n1", "s2", 10)]
    result = assign(edges, CAP1, conflicts=Exclusions(enterprise_expert={("E1", "x1")}))
    assert chosen(result) == {("n1", "s2")}


@pytest.mark.parametrize("solver", ["auto", "flow", "mip"])
def test_city_fairness_covers_every_city_first(solver: str) -> None:
    edges = [
        Edge("zz1", "s1", 90),
        Edge("zz2", "s2", 88),
        Edge("ly1", "s1", 20),
        Edge("ly1", "s2", 15),
    ]
    city = {"zz1": "郑州市", "zz2": "郑州市", "ly1": "洛阳市"}
    result = assign(edges, {"s1": 1, "s2": 1}, groups={"city": city}, fair="city", solver=solver)
    assert result.solver == ("highs_mip" if solver == "mip" else "min_cost_flow")
    assert chosen(result) == {("zz2", "s2"), ("ly1", "s1")}  # 88 + 20 beats 90 + 15
    assert result.objective == 108
    fairness = result.fairness
    assert fairness is not None
    assert (fairness.groups_total, fairness.groups_covered) == (2, 2)
    assert fairness.groups_covered_without_fairness == 1
    assert fairness.objective_without_fairness == 178
    assert fairness.cost == 70


def test_enterprise_fairness_uses_the_edges_enterprises() -> None:
    edges = [
        Edge("a1", "s1", 90, enterprise_id="A"),
        Edge("a2", "s2", 80, enterprise_id="A"),
        Edge("b1", "s2", 10, enterprise_id="B"),
    ]
    result = assign(edges, {"s1": 1, "s2": 1}, fair="enterprise")
    assert chosen(result) == {("a1", "s1"), ("b1", "s2")}
    assert result.fairness is not None and result.fairness.cost == 70


GROUPS = {
    "city": {"n1": "郑州市", "n2": "洛阳市", "n3": "郑州市", "n4": "洛阳市"},
    "industry": {"n1": "制造", "n2": "制造", "n3": "化工", "n4": "化工"},
}
QUOTAS = {"city": {"郑州市": 1}, "industry": {"制造": 1}}


def test_crossing_quotas_use_the_mip_when_the_relaxed_flow_breaks_one() -> None:
    edges = [Edge("n1", "s1", 90), Edge("n2", "s2", 80), Edge("n3", "s3", 70), Edge("n4", "s4", 10)]
    capacity = {"s1": 1, "s2": 1, "s3": 1, "s4": 1}
    result = assign(edges, capacity, groups=GROUPS, quotas=QUOTAS)
    assert result.solver == "highs_mip"  # the flow with the city quota alone takes n1 and n2
    assert chosen(result) == {("n2", "s2"), ("n3", "s3"), ("n4", "s4")}
    assert result.unassigned == {"n1": ReasonCode.QUOTA_EXHAUSTED}
    with pytest.raises(AssignmentInputError):
        assign(edges, capacity, groups=GROUPS, quotas=QUOTAS, solver="flow")


def test_crossing_quotas_keep_a_relaxed_flow_that_respects_them() -> None:
    edges = [Edge("n1", "s1", 90), Edge("n3", "s3", 70), Edge("n4", "s2", 10)]
    result = assign(edges, CAP1, groups=GROUPS, quotas=QUOTAS)
    assert result.solver == "min_cost_flow"  # the city quota alone already keeps 制造 to 1
    assert chosen(result) == {("n1", "s1"), ("n4", "s2")}
    assert (
        result.objective
        == assign(edges, CAP1, groups=GROUPS, quotas=QUOTAS, solver="mip").objective
    )


@pytest.mark.parametrize("solver", ["auto", "mip"])
def test_enterprise_fairness_under_a_city_quota_is_one_flow_when_nested(solver: str) -> None:
    edges = [
        Edge("a1", "s1", 90, enterprise_id="A"),
        Edge("a2", "s2", 85, enterprise_id="A"),
        Edge("b1", "s2", 20, enterprise_id="B"),
        Edge("c1", "s3", 60, enterprise_id="C"),
        Edge("c2", "s3", 50, enterprise_id="C"),
    ]
    city = {"a1": "郑州市", "a2": "郑州市", "b1": "郑州市", "c1": "洛阳市", "c2": "洛阳市"}
    result = assign(
        edges,
        {"s1": 1, "s2": 1, "s3": 2},
        groups={"city": city},
        quotas={"city": {"郑州市": 2}},
        fair="enterprise",
        solver=solver,
    )
    assert result.solver == ("min_cost_flow" if solver == "auto" else "highs_mip")
    assert chosen(result) == {("a1", "s1"), ("b1", "s2"), ("c1", "s3"), ("c2", "s3")}
    assert result.fairness is not None and result.fairness.cost == 65


def test_expert_leading_for_two_societies_needs_the_mip() -> None:
    edges = [
        Edge("n1", "s1", 90, expert_id="x"),
        Edge("n2", "s2", 80, expert_id="x"),
        Edge("n2", "s3", 10),
    ]
    result = assign(edges, CAP1, expert_capacity={"x": 1})
    assert result.solver == "highs_mip"
    assert chosen(result) == {("n1", "s1"), ("n2", "s3")}
    nested = assign(edges[:1] + edges[2:], CAP1, expert_capacity={"x": 1})
    assert nested.solver == "min_cost_flow"


def test_default_expert_capacity_is_three() -> None:
    edges = [Edge(f"n{i}", "s1", 50, expert_id="x") for i in range(5)]
    result = assign(edges, {"s1": 10})
    assert len(result.pairs) == 3
    assert len(assign(edges, {"s1": 10}, default_expert_capacity=None).pairs) == 5


def test_edge_table_gives_the_same_result_as_edges() -> None:
    rng = np.random.default_rng(7)
    edges = [
        Edge(f"n{i}", f"s{j}", float(rng.integers(0, 100)), enterprise_id=f"e{i // 2}")
        for i in range(30)
        for j in rng.choice(6, size=3, replace=False)
    ]
    capacity = {f"s{j}": 3 for j in range(6)}
    table = EdgeTable(
        need_id=np.array([e.need_id for e in edges]),
        society_id=np.array([e.society_id for e in edges]),
        score=np.array([e.score for e in edges]),
        enterprise_id=np.array([e.enterprise_id for e in edges]),
    )
    a = assign(edges, capacity, fair="enterprise")
    b = assign(table, capacity, fair="enterprise")
    assert a.objective == b.objective
    assert a.fairness is not None and b.fairness is not None
    assert (a.fairness.groups_covered, a.fairness.cost) == (
        b.fairness.groups_covered,
        b.fairness.cost,
    )
    assert a.unassigned == b.unassigned


def test_enterprise_pairing_serves_chain_leaders_first() -> None:
    edges = [
        EnterpriseEdge("big", "s1", 95),
        EnterpriseEdge("big", "s2", 90),
        EnterpriseEdge("leader", "s1", 30),
        EnterpriseEdge("other", "s2", 60),
    ]
    plain = pair_enterprises(edges, {"s1": 1, "s2": 1})
    assert chosen(plain) == {("big", "s1"), ("other", "s2")}
    led = pair_enterprises(edges, {"s1": 1, "s2": 1}, chain_leaders={"leader", "absent"})
    assert chosen(led) == {("leader", "s1"), ("big", "s2")}
    assert led.fairness is not None
    assert (led.fairness.groups_total, led.fairness.groups_covered) == (2, 1)
    assert led.fairness.cost == 155 - 120
    assert led.unassigned["absent"] == ReasonCode.NO_CANDIDATE_ABOVE_MIN_SCORE


def test_enterprise_pairing_with_pins_forbids_and_several_societies() -> None:
    edges = [EnterpriseEdge("E1", s, 50 + i) for i, s in enumerate(["s1", "s2", "s3"])]
    result = pair_enterprises(
        edges,
        {"s1": 1, "s2": 1, "s3": 1},
        per_enterprise=2,
        pinned=[("E1", "s1")],
        forbidden=[("E1", "s3")],
    )
    assert chosen(result) == {("E1", "s1"), ("E1", "s2")}
    assert [p.pinned for p in result.pairs] == [True, False]
