"""Invariants on medium random instances (too large for brute force): every hard rule holds,
flow and MIP agree, greedy never beats the optimum."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.assignment import Edge, Exclusions, Pair, assign
from tests.assignment.brute import CITIES, INDUSTRIES, Case, check_result, rooms

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def medium_case(seed: int, *, fair: str | None, with_quotas: bool) -> Case:
    """~40 needs, 8 societies, up to 5 candidates each, experts, pins, fixed pairs, exclusions."""
    rng = random.Random(seed)
    societies = [f"s{i}" for i in range(8)]
    experts = {s: [f"{s}x{j}" for j in range(2)] for s in societies}
    edges = []
    city, industry = {}, {}
    home = {f"e{i}": rng.choice(CITIES) for i in range(15)}
    nest = rng.random() < 0.5  # enterprises within cities (a flow) or not (often the MIP)
    for i in range(rng.randint(5, 40)):
        need, enterprise = f"n{i}", f"e{i // 3}"
        city[need] = home[enterprise] if nest else rng.choice(CITIES)
        industry[need] = rng.choice(INDUSTRIES)
        for s in rng.sample(societies, rng.randint(0, 5)):
            expert = rng.choice([None, *experts[s]])
            if rng.random() < 0.1:  # an expert who also leads for another society
                expert = rng.choice(experts[rng.choice(societies)])
            score = rng.choice([rng.randint(0, 100), round(rng.betavariate(2, 5) * 100, 3)])
            edges.append(Edge(need, s, score, enterprise_id=enterprise, expert_id=expert))
    case = Case(
        edges=edges,
        society_capacity={s: rng.randint(0, 6) for s in societies},
        needs=[f"n{i}" for i in range(45)],
        per_need=rng.choice([1, 1, 2]),
        min_score=rng.choice([0.0, 20.0]),
        default_expert_capacity=rng.choice([None, 2, 3]),
        groups={"city": city, "industry": industry},
        fair=fair,
    )
    if with_quotas:
        present = sorted(set(city.values()))
        case.quotas = {"city": {c: rng.randint(0, 8) for c in rng.sample(present, 1)}}
        if rng.random() < 0.5 and INDUSTRIES[0] in industry.values():
            case.quotas["industry"] = {INDUSTRIES[0]: rng.randint(0, 10)}
    sample = rng.sample(edges, min(len(edges), 4))
    case.pinned = [Pair(e.need_id, e.society_id) for e in sample[:2]]
    case.fixed = [Pair(e.need_id, e.society_id) for e in sample[2:]]
    case.forbidden = Exclusions(
        need_society=frozenset(
            (e.need_id, e.society_id) for e in rng.sample(edges, len(edges) // 10)
        )
    )
    case.conflicts = Exclusions(enterprise_society=frozenset({("e1", "s1"), ("e2", "s3")}))
    if rooms(case) is None:  # these pins do not fit: keep the instance, drop the pins
        case.pinned = []
    return case


@EXAMPLES
@given(
    st.integers(0, 10**9),
    st.sampled_from([None, "city", "enterprise"]),
    st.booleans(),
)
def test_rules_hold_and_solvers_agree(seed: int, fair: str | None, with_quotas: bool) -> None:
    case = medium_case(seed, fair=fair, with_quotas=with_quotas)
    mip = assign(**case.kwargs(), solver="mip")
    auto = assign(**case.kwargs())
    for result in (mip, auto):
        check_result(case, result)
    assert auto.objective == mip.objective
    assert auto.greedy_objective == mip.greedy_objective
    if fair:
        assert auto.fairness is not None and mip.fairness is not None
        assert auto.fairness.groups_covered == mip.fairness.groups_covered
        assert auto.fairness.cost == mip.fairness.cost >= 0
        assert auto.fairness.groups_covered >= auto.fairness.groups_covered_without_fairness
