"""Enterprise pairing (结对) against brute force: every feasible choice of at most K societies
per enterprise within the societies' capacities is enumerated; the optimiser must pair as many
chain leaders as the best of them, and then reach the highest total among those."""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations, product

import pytest

from matcher.assignment.enterprises import EnterpriseEdge, pair_enterprises


def _options(edges, enterprise, per_enterprise, min_score, forbidden):
    mine = [
        e
        for e in edges
        if e.enterprise_id == enterprise
        and e.score >= min_score
        and (e.enterprise_id, e.society_id) not in forbidden
    ]
    return [c for k in range(per_enterprise + 1) for c in combinations(mine, k)]


def _brute(edges, capacity, enterprises, leaders, per_enterprise, min_score, forbidden):
    """(most chain leaders paired, best total among those) over every feasible pairing."""
    best = (-1, -1.0)
    choices = [_options(edges, e, per_enterprise, min_score, forbidden) for e in enterprises]
    for pick in product(*choices):
        chosen = [e for group in pick for e in group]
        used = Counter(e.society_id for e in chosen)
        if any(n > capacity[s] for s, n in used.items()):
            continue
        paired = {e.enterprise_id for e in chosen}
        value = (len(paired & set(leaders)), round(sum(e.score for e in chosen), 3))
        best = max(best, value)
    return best


def _instance(rng: random.Random):
    enterprises = [f"e{i}" for i in range(rng.randint(1, 4))]
    societies = [f"s{i}" for i in range(rng.randint(1, 3))]
    capacity = {s: rng.randint(0, 2) for s in societies}
    edges = [
        EnterpriseEdge(e, s, float(rng.randint(1, 100)))
        for e in enterprises
        for s in societies
        if rng.random() < 0.75
    ]
    leaders = [e for e in enterprises if rng.random() < 0.4]
    forbidden = {(e.enterprise_id, e.society_id) for e in edges if rng.random() < 0.1}
    return enterprises, capacity, edges, leaders, forbidden


@pytest.mark.parametrize("seed", range(80))
def test_pairing_is_optimal_within_capacity_and_chain_leaders_first(seed: int) -> None:
    rng = random.Random(seed)
    enterprises, capacity, edges, leaders, forbidden = _instance(rng)
    per_enterprise = rng.randint(1, 2)
    min_score = rng.choice([0.0, 30.0])
    result = pair_enterprises(
        edges,
        capacity,
        per_enterprise=per_enterprise,
        chain_leaders=leaders,
        enterprises=enterprises,
        min_score=min_score,
        forbidden=forbidden,
    )
    used = Counter(p.society_id for p in result.pairs)
    assert all(n <= capacity[s] for s, n in used.items())
    per = Counter(p.need_id for p in result.pairs)
    assert all(n <= per_enterprise for n in per.values())
    assert not {(p.need_id, p.society_id) for p in result.pairs} & forbidden
    paired = {p.need_id for p in result.pairs}
    got = (len(paired & set(leaders)), round(result.objective, 3))
    assert got == _brute(
        edges, capacity, enterprises, leaders, per_enterprise, min_score, forbidden
    )


def test_a_chain_leader_is_paired_even_at_a_cost_in_total_fit() -> None:
    """One society with room for one enterprise: the chain leader gets it, though the other
    enterprise fits better (the rule is a constraint, not a weight)."""
    edges = [EnterpriseEdge("leader", "s", 20.0), EnterpriseEdge("other", "s", 90.0)]
    result = pair_enterprises(
        edges, {"s": 1}, chain_leaders=["leader"], enterprises=["leader", "other"]
    )
    assert [(p.need_id, p.society_id) for p in result.pairs] == [("leader", "s")]
    assert result.fairness is not None and result.fairness.cost == pytest.approx(70.0)
    plain = pair_enterprises(edges, {"s": 1}, enterprises=["leader", "other"])
    assert [p.need_id for p in plain.pairs] == ["other"]
