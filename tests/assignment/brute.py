"""An independent reference for small instances: enumerate every subset of candidate edges,
plus a checker of any result against the raw inputs, and a random-instance strategy."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from hypothesis import strategies as st

from matcher.assignment import AssignmentResult, Edge, Exclusions, Pair

CITIES = ["郑州市", "洛阳市", "开封市"]
INDUSTRIES = ["制造", "化工"]


@dataclass
class Case:
    """The keyword arguments of one ``assign`` call, kept as plain values."""

    edges: list[Edge]
    society_capacity: dict[str, int]
    needs: list[str] = field(default_factory=list)
    per_need: int = 1
    min_score: float = 0.0
    expert_capacity: dict[str, int] = field(default_factory=dict)
    default_expert_capacity: int | None = 3
    pinned: list[Pair] = field(default_factory=list)
    fixed: list[Pair] = field(default_factory=list)
    forbidden: Exclusions = field(default_factory=Exclusions)
    conflicts: Exclusions = field(default_factory=Exclusions)
    groups: dict[str, dict[str, str]] = field(default_factory=dict)
    quotas: dict[str, dict[str, int]] = field(default_factory=dict)
    fair: str | None = None

    def kwargs(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def enterprise(self, need: str) -> str | None:
        for e in self.edges:
            if e.need_id == need:
                return e.enterprise_id
        return None

    def group(self, dim: str, need: str) -> str | None:
        if dim in self.groups:
            return self.groups[dim].get(need)
        return self.enterprise(need) if dim == "enterprise" else None

    def excluded(self, e: Edge) -> bool:
        both = self.forbidden | self.conflicts
        return both.excludes(e.need_id, e.society_id, e.enterprise_id, e.expert_id)


def units(score: float) -> int:
    return round(score * 1000)


@dataclass
class Usage:
    """Counts of pairs per resource."""

    need: Counter = field(default_factory=Counter)
    society: Counter = field(default_factory=Counter)
    expert: Counter = field(default_factory=Counter)
    quota: Counter = field(default_factory=Counter)

    def add(self, case: Case, need: str, society: str, expert: str | None) -> None:
        self.need[need] += 1
        self.society[society] += 1
        if expert is not None:
            self.expert[expert] += 1
        for dim in case.quotas:
            group = case.group(dim, need)
            if group is not None:
                self.quota[dim, group] += 1


def expert_cap(case: Case, expert: str) -> float:
    if expert in case.expert_capacity:
        return case.expert_capacity[expert]
    d = case.default_expert_capacity
    return float("inf") if d is None else d


def _forced(case: Case) -> list[tuple[str, str, str | None, int]]:
    by_pair = {(e.need_id, e.society_id): e for e in case.edges}
    out = []
    for p in [*case.fixed, *case.pinned]:
        edge = by_pair.get((p.need_id, p.society_id))
        expert = p.expert_id if p.expert_id is not None else (edge.expert_id if edge else None)
        score = p.score if p.score is not None else (edge.score if edge else 0.0)
        out.append((p.need_id, p.society_id, expert, units(score)))
    return out


def rooms(case: Case) -> tuple[Usage, dict[str, Any]] | None:
    """Usage by forced pairs, or None when the pins do not fit (the call must raise)."""
    by_pair = {(e.need_id, e.society_id): e for e in case.edges}
    for p in case.pinned:
        edge = by_pair.get((p.need_id, p.society_id))
        expert = p.expert_id if p.expert_id is not None else (edge.expert_id if edge else None)
        probe = Edge(p.need_id, p.society_id, 0.0, case.enterprise(p.need_id), expert)
        if case.excluded(probe):
            return None
    usage, pin_usage = Usage(), Usage()
    for i, (need, society, expert, _) in enumerate(_forced(case)):
        usage.add(case, need, society, expert)
        if i >= len(case.fixed):
            pin_usage.add(case, need, society, expert)
    limits: dict[str, Any] = {
        "need": lambda n: case.per_need,
        "society": lambda s: case.society_capacity[s],
        "expert": lambda x: expert_cap(case, x),
        "quota": lambda k: case.quotas[k[0]].get(k[1], float("inf")),
    }
    for kind, limit in limits.items():
        used, pins = getattr(usage, kind), getattr(pin_usage, kind)
        if any(used[k] > limit(k) and pins[k] > 0 for k in used):
            return None
    return usage, limits


def feasible(case: Case, chosen: list[Edge], forced: Usage, limits: dict[str, Any]) -> bool:
    usage = Usage()
    for e in chosen:
        usage.add(case, e.need_id, e.society_id, e.expert_id)
    for kind, limit in limits.items():
        used, before = getattr(usage, kind), getattr(forced, kind)
        if any(used[k] > max(limit(k) - before[k], 0) for k in used):
            return False
    return True


def coverage(case: Case, needs: list[str]) -> int:
    if case.fair is None:
        return 0
    groups = {case.group(case.fair, n) for n in needs}
    groups.discard(None)
    return len(groups)


def brute_force(case: Case) -> tuple[int, int] | None:
    """(groups covered, total units) of the lexicographic optimum; None if pins do not fit."""
    found = rooms(case)
    if found is None:
        return None
    forced_usage, limits = found
    forced = _forced(case)
    forced_pairs = {(n, s) for n, s, _, _ in forced}
    base = sum(u for *_, u in forced)
    open_edges = [
        e
        for e in case.edges
        if (e.need_id, e.society_id) not in forced_pairs
        and e.score >= case.min_score
        and not case.excluded(e)
    ]
    best = (-1, -1)
    for size in range(len(open_edges) + 1):
        for subset in combinations(open_edges, size):
            if not feasible(case, list(subset), forced_usage, limits):
                continue
            needs = [n for n, *_ in forced] + [e.need_id for e in subset]
            value = (coverage(case, needs), base + sum(units(e.score) for e in subset))
            best = max(best, value)
    return best


def check_result(case: Case, result: AssignmentResult) -> None:
    """Every hard rule holds for ``result``; its totals and reasons are consistent."""
    found = rooms(case)
    assert found is not None
    forced_usage, limits = found
    by_pair = {(e.need_id, e.society_id): e for e in case.edges}
    forced = {(p.need_id, p.society_id) for p in [*case.fixed, *case.pinned]}
    pairs = [(p.need_id, p.society_id) for p in result.pairs]
    assert len(pairs) == len(set(pairs))
    for p in case.fixed:
        assert any(
            q.fixed and (q.need_id, q.society_id) == (p.need_id, p.society_id) for q in result.pairs
        )
    for p in case.pinned:
        assert any(
            q.pinned and (q.need_id, q.society_id) == (p.need_id, p.society_id)
            for q in result.pairs
        )
    chosen = [by_pair[k] for k in pairs if k not in forced]
    assert all(e.score >= case.min_score and not case.excluded(e) for e in chosen)
    assert feasible(case, chosen, forced_usage, limits)
    assert round(result.objective * 1000) == sum(units(p.score) for p in result.pairs)
    optimum = result.fairness.objective_without_fairness if result.fairness else result.objective
    assert result.greedy_objective <= optimum  # greedy ignores fairness
    count = Counter(n for n, _ in pairs)
    all_needs = {e.need_id for e in case.edges} | set(case.needs) | {p.need_id for p in case.fixed}
    short = {n for n in all_needs if count[n] < case.per_need}
    assert set(result.unassigned) == short
    assert sum(result.reason_counts.values()) == len(short)


@st.composite
def cases(
    draw: st.DrawFn,
    *,
    max_edges: int = 9,
    quotas: bool = False,
    fair: bool = False,
    extras: bool = False,
) -> Case:
    """A small random instance; ``extras`` adds experts, pins, fixed pairs and exclusions."""
    n_need = draw(st.integers(1, 5))
    n_soc = draw(st.integers(1, 4))
    needs = [f"n{i}" for i in range(n_need)]
    societies = [f"s{i}" for i in range(n_soc)]
    enterprise = {n: f"e{draw(st.integers(0, 2))}" for n in needs}
    all_pairs = [(n, s) for n in needs for s in societies]
    least = min(len(all_pairs), 5) if fair else 0  # fairness only costs when capacity binds
    picked = draw(
        st.lists(st.sampled_from(all_pairs), min_size=least, max_size=max_edges, unique=True)
    )
    experts = ["x0", "x1", "x2"]
    edges = [
        Edge(
            n,
            s,
            draw(st.integers(0, 100_000)) / 1000,
            enterprise_id=enterprise[n],
            expert_id=draw(st.sampled_from([None, *experts])) if extras else None,
        )
        for n, s in picked
    ]
    case = Case(
        edges=edges,
        society_capacity={s: draw(st.integers(0, 1 if fair else 3)) for s in societies},
        needs=needs,
        per_need=draw(st.integers(1, 2)),
        min_score=draw(st.sampled_from([0.0, 0.0, 30.0])),
        groups={
            "city": {n: draw(st.sampled_from(CITIES)) for n in needs},
            "industry": {n: draw(st.sampled_from(INDUSTRIES)) for n in needs},
        },
    )
    if quotas:
        dims = draw(st.sampled_from([["city"], ["industry"], ["city", "industry"]]))
        for dim in dims:
            present = sorted(set(case.groups[dim].values()))
            chosen = draw(st.lists(st.sampled_from(present), min_size=1, unique=True))
            case.quotas[dim] = {g: draw(st.integers(0, 2)) for g in chosen}
    if fair:
        case.fair = draw(st.sampled_from(["city", "enterprise", "industry"]))
    if extras:
        case.expert_capacity = {x: draw(st.integers(0, 2)) for x in experts[:2]}
        case.default_expert_capacity = draw(st.sampled_from([None, 1, 3]))
        if picked:
            pins = draw(st.lists(st.sampled_from(picked), max_size=2, unique=True))
            case.pinned = [Pair(n, s) for n, s in pins]
            rest = [p for p in picked if p not in pins]
            fixed = draw(st.lists(st.sampled_from(rest), max_size=1, unique=True)) if rest else []
            case.fixed = [Pair(n, s) for n, s in fixed]
        extra_pin = draw(st.sampled_from([None, *[p for p in all_pairs if p not in picked]]))
        if extra_pin:
            case.pinned.append(Pair(*extra_pin, score=draw(st.sampled_from([None, 12.5]))))
        ent = sorted(set(enterprise.values()))
        case.forbidden = Exclusions(
            need_society=frozenset(draw(st.lists(st.sampled_from(all_pairs), max_size=2)))
        )
        case.conflicts = Exclusions(
            enterprise_society=frozenset(
                draw(
                    st.lists(
                        st.tuples(st.sampled_from(ent), st.sampled_from(societies)), max_size=1
                    )
                )
            ),
            enterprise_expert=frozenset(
                draw(
                    st.lists(st.tuples(st.sampled_from(ent), st.sampled_from(experts)), max_size=1)
                )
            ),
        )
    return case
