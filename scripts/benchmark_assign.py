"""Benchmark the exact bulk assignment (``matcher.assignment.assign``) on synthetic instances.

    .venv/bin/python scripts/benchmark_assign.py                     # 2,000×200 and 20,000×1,000
    .venv/bin/python scripts/benchmark_assign.py --sizes 2000x200 --solver mip --experts
    .venv/bin/python scripts/benchmark_assign.py --repeat 3        # fastest of 3 (busy machine)

Each instance: needs with their top-20 candidate societies (popular societies are candidates
more often), calibrated scores from a skewed distribution in 0–100, society capacities 5–30
(so capacity binds), needs in Henan's 18 prefecture-level cities (skewed toward 郑州市) and
enterprises owning 1–5 needs each. For each size it prints, per scenario (plain, ``fair="city"``,
``fair="enterprise"``, a binding 郑州市 quota, that quota with ``fair="enterprise"``; with
``--experts`` every edge is led by an expert with 3 open services): the solver, the exact
solve time and the whole call's time, the optimal total against the greedy total computed in
the same call, and for fairness its cost.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from matcher.assignment import AssignmentResult, EdgeTable, assign
from matcher.imports.cities import HENAN_CITY_NAMES


@dataclass
class Instance:
    table: EdgeTable
    capacity: dict[int, int]
    city: dict[int, str]


def build(n_needs: int, n_societies: int, top_k: int, experts: bool, seed: int) -> Instance:
    """A synthetic instance, built with numpy (integer ids)."""
    rng = np.random.default_rng(seed)
    popularity = rng.pareto(1.5, n_societies) + 1.0
    log_pop = np.log(popularity)
    k = min(top_k, n_societies)
    societies = np.empty((n_needs, k), dtype=np.int64)
    for start in range(0, n_needs, 2048):  # Gumbel top-k: k distinct, weighted by popularity
        stop = min(start + 2048, n_needs)
        keys = log_pop + rng.gumbel(size=(stop - start, n_societies))
        societies[start:stop] = np.argpartition(-keys, k - 1, axis=1)[:, :k]
    quality = rng.beta(2.0, 2.0, size=(n_needs, 1))
    scores = np.round(100.0 * quality * rng.beta(4.0, 2.0, size=(n_needs, k)), 3)
    need = np.repeat(np.arange(n_needs), k)

    sizes = rng.integers(1, 6, size=n_needs)
    owner = np.repeat(np.arange(n_needs), sizes)[:n_needs]  # enterprises own 1–5 needs
    weights = 1.0 / np.arange(1, len(HENAN_CITY_NAMES) + 1) ** 0.9
    enterprise_city = rng.choice(len(HENAN_CITY_NAMES), size=n_needs, p=weights / weights.sum())
    city = {n: HENAN_CITY_NAMES[c] for n, c in enumerate(enterprise_city[owner].tolist())}

    expert_id = None
    if experts:  # 20 members per society; the lead is one of them
        member = rng.integers(0, 20, size=n_needs * k)
        expert_id = np.empty(n_needs * k, dtype=object)
        expert_id[:] = (societies.reshape(-1) * 20 + member).tolist()
    table = EdgeTable(
        need_id=need,
        society_id=societies.reshape(-1),
        score=scores.reshape(-1),
        enterprise_id=owner[need],
        expert_id=expert_id,
    )
    capacity = dict(enumerate(rng.integers(5, 31, size=n_societies).tolist()))
    return Instance(table, capacity, city)


def line(name: str, result: AssignmentResult, seconds: float) -> str:
    pad = " " * 25
    text = (
        f"  {name:<24} {result.solver:<13} solve {result.solve_seconds:7.3f}s "
        f"(call {seconds:7.3f}s)  pairs {len(result.pairs):6d}  "
        f"optimal {result.objective:12.3f}  greedy {result.greedy_objective:12.3f}  "
        f"greedy/optimal {result.greedy_ratio:.4f}"
    )
    if result.fairness is not None:
        f = result.fairness
        text += (
            f"\n{pad} fairness: {f.groups_covered}/{f.groups_total} {f.dimension} groups "
            f"covered (without fairness {f.groups_covered_without_fairness}); optimum without "
            f"fairness {f.objective_without_fairness:.3f}, cost of fairness {f.cost:.3f}; "
            f"greedy (which ignores fairness) / optimum without fairness "
            f"{result.greedy_objective / f.objective_without_fairness:.4f}"
        )
    counts = ", ".join(f"{code.value} {n}" for code, n in sorted(result.reason_counts.items()))
    return text + f"\n{pad} unassigned: {counts or 'none'}"


def timed(repeat: int, **kwargs: object) -> tuple[AssignmentResult, float]:
    """The result of the fastest of ``repeat`` calls, and that call's time."""
    best: tuple[AssignmentResult, float] | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = assign(**kwargs)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        if best is None or result.solve_seconds < best[0].solve_seconds:
            best = (result, seconds)
    assert best is not None
    return best


def run(n_needs: int, n_societies: int, args: argparse.Namespace) -> None:
    start = time.perf_counter()
    inst = build(n_needs, n_societies, args.top_k, args.experts, args.seed)
    print(
        f"\n{n_needs} needs × {n_societies} societies, top-{args.top_k}: "
        f"{len(inst.table)} edges, capacity {sum(inst.capacity.values())} "
        f"(built in {time.perf_counter() - start:.2f}s)"
    )
    base = {
        "edges": inst.table,
        "society_capacity": inst.capacity,
        "groups": {"city": inst.city},
        "solver": args.solver,
        "default_expert_capacity": 3,
    }
    plain, seconds = timed(args.repeat, **base)
    print(line("plain", plain, seconds))
    fair, seconds = timed(args.repeat, **base, fair="city")
    print(line('fair="city"', fair, seconds))
    fair, seconds = timed(args.repeat, **base, fair="enterprise")
    print(line('fair="enterprise"', fair, seconds))
    zhengzhou = sum(1 for p in plain.pairs if inst.city[p.need_id] == "郑州市")
    quota = {"city": {"郑州市": int(zhengzhou * 0.6)}}
    capped, seconds = timed(args.repeat, **base, quotas=quota)
    print(line(f"郑州市 quota {quota['city']['郑州市']}", capped, seconds))
    both, seconds = timed(args.repeat, **base, quotas=quota, fair="enterprise")
    print(line("quota + fair=enterprise", both, seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", nargs="+", default=["2000x200", "20000x1000"], help="needs x societies"
    )
    parser.add_argument("--top-k", type=int, default=20, help="candidates per need")
    parser.add_argument("--solver", choices=["auto", "flow", "mip"], default="auto")
    parser.add_argument(
        "--experts",
        action="store_true",
        help="every edge names a lead expert (3 open services each)",
    )
    parser.add_argument("--seed", type=int, default=20261)
    parser.add_argument("--repeat", type=int, default=1, help="report the fastest of N calls")
    args = parser.parse_args()
    for size in args.sizes:
        n_needs, n_societies = (int(v) for v in size.lower().split("x"))
        run(n_needs, n_societies, args)


if __name__ == "__main__":
    main()
