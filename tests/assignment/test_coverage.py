"""Industry service teams: the coverage MIP against enumeration of every allowed team."""

from __future__ import annotations

import itertools
import random

import pytest

from matcher.assignment.coverage import (
    Candidate,
    best_team,
    greedy_team,
    team_value,
    upper_bound,
)
from matcher.assignment.errors import AssignmentInputError


def _instance(seed: int) -> tuple[list[Candidate], dict[str, float]]:
    rng = random.Random(seed)
    needs = [f"n{j}" for j in range(rng.randint(2, 7))]
    weights = {n: rng.choice([1.0, 1.0, 1.5, 2.0]) for n in needs}
    candidates = []
    for e in range(rng.randint(1, 8)):
        societies = rng.sample(["A", "B", "C"], rng.choice([1, 1, 1, 2]))
        fits = {n: float(rng.randint(40, 100)) for n in needs if rng.random() < 0.35}
        candidates += [Candidate(f"x{e}", s, fits) for s in societies]
    return candidates, weights


def _brute(candidates, weights, size, per) -> float:
    best = 0.0
    for k in range(1, min(size, len(candidates)) + 1):
        for team in itertools.combinations(candidates, k):
            experts = [c.expert for c in team]
            societies = [c.society for c in team]
            if len(set(experts)) < k:
                continue
            if any(societies.count(s) > per for s in set(societies)):
                continue
            best = max(best, team_value(team, weights)[0])
    return best


@pytest.mark.parametrize("seed", range(60))
def test_best_team_matches_brute_force(seed):
    candidates, weights = _instance(seed)
    rng = random.Random(1000 + seed)
    size, per = rng.randint(1, 4), rng.randint(1, 2)
    result = best_team(candidates, weights, size=size, per_society=per)
    assert result.optimal and result.gap == pytest.approx(0.0, abs=1e-9)
    assert result.value == pytest.approx(_brute(candidates, weights, size, per), abs=1e-6)
    assert len(result.members) <= size
    societies = [m.society for m in result.members]
    assert all(societies.count(s) <= per for s in societies)
    assert len({m.expert for m in result.members}) == len(result.members)
    # every need is either covered (by members who fit it) or listed as uncovered
    assert set(result.covered) | set(result.uncovered) == set(weights)
    for need, experts in result.covered.items():
        fitting = {m.expert for m in result.members if need in m.fits}
        assert set(experts) == fitting


def test_per_society_limit_binds():
    """Three strong experts of one society: with one seat per society, the second seat goes
    to the weaker expert of another society."""
    candidates = [
        Candidate("a1", "A", {"n1": 90, "n2": 90}),
        Candidate("a2", "A", {"n3": 95}),
        Candidate("a3", "A", {"n4": 95}),
        Candidate("b1", "B", {"n3": 50}),
    ]
    weights = {f"n{j}": 1.0 for j in range(1, 5)}
    result = best_team(candidates, weights, size=3, per_society=1)
    assert {m.expert for m in result.members} == {"a1", "b1"}
    assert result.value == pytest.approx(0.9 + 0.9 + 0.5)
    assert result.uncovered == ["n4"]


def test_free_seats_go_to_broadest_backups():
    candidates = [
        Candidate("a", "A", {"n1": 90, "n2": 80}),
        Candidate("b", "B", {"n1": 60, "n2": 60}),
        Candidate("c", "C", {"n1": 70}),
    ]
    result = best_team(candidates, {"n1": 1.0, "n2": 1.0}, size=2, per_society=1)
    assert [m.expert for m in result.members] == ["a", "b"]
    assert result.covered["n1"] == ["a", "b"]


def test_bad_limits_are_refused():
    with pytest.raises(AssignmentInputError):
        best_team([Candidate("a", "A", {"n": 50})], {"n": 1.0}, size=0, per_society=1)
    with pytest.raises(AssignmentInputError):
        best_team([Candidate("a", "A", {"n": 150})], {"n": 1.0}, size=1, per_society=1)


def test_no_candidate_leaves_every_need_uncovered():
    result = best_team([], {"n1": 1.0}, size=3, per_society=1)
    assert result.members == [] and result.uncovered == ["n1"] and result.optimal


@pytest.mark.parametrize("seed", range(20))
def test_a_time_limited_solve_brackets_the_optimum(seed):
    """Stopped at once, the team is at least the greedy one and the bound is proven."""
    candidates, weights = _instance(seed)
    exact = _brute(candidates, weights, 3, 1)
    result = best_team(candidates, weights, size=3, per_society=1, time_limit=0.0)
    greedy = team_value([candidates[i] for i in greedy_team(candidates, weights, 3, 1)], weights)
    assert greedy[0] - 1e-9 <= result.value <= exact + 1e-9 <= result.bound + 2e-9
    assert 0.0 <= result.gap <= 1.0


@pytest.mark.parametrize("seed", range(30))
def test_upper_bound_holds_from_any_team(seed):
    candidates, weights = _instance(seed)
    rng = random.Random(seed)
    team = rng.sample(candidates, rng.randint(0, min(3, len(candidates))))
    assert upper_bound(candidates, weights, team, 3) >= _brute(candidates, weights, 3, 3) - 1e-9
