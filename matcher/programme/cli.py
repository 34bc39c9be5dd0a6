"""``matcher assign --level enterprise --per-enterprise K --round 2026`` (a pairing run, as
``system:cli``, through the same service as the API) and ``matcher assign commit RUN_ID
--level enterprise``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from matcher.errors import InvalidInputError

if TYPE_CHECKING:  # the schemas load pydantic models: only a command that runs needs them
    from matcher.programme.schemas import PairingRunDetailOut

PAIR_HEADERS = [
    "enterprise_name",
    "city",
    "industry",
    "chain_leader",
    "society_name",
    "score",
    "reason",
    "pinned",
    "run_pair_id",
]
UNASSIGNED_HEADERS = ["enterprise_id", "reason"]


def pairing_lines(detail: PairingRunDetailOut, made: int | None) -> list[str]:
    s = detail.summary
    state = "试运行 dry run" if made is None else f"已提交 committed, {made} 对结对生效"
    return [
        f"结对方案 pairing run {detail.id}, 轮次 round {detail.round} ({state})",
        f"  企业 enterprises {s['enterprises']}，已结对 paired {s['enterprises_paired']}；"
        f"链主 chain leaders {s['chain_leaders_paired']}/{s['chain_leaders']}",
        f"  结对 pairs {s['pairs']} (新 new {s['new_pairs']}, 已生效 fixed {s['fixed']}, "
        f"固定 pinned {s['pinned']})，学会 societies used {s['societies_used']}，未满足 "
        f"unassigned {s['unassigned']}",
        f"  最优总分 optimal total {detail.objective:.1f}，求解 solve "
        f"{detail.solve_seconds:.3f} s ({detail.solver})，全程 total {s['total_seconds']:.3f} s",
    ]


def write_pairing_file(detail: PairingRunDetailOut, out: Path) -> list[Path]:
    from matcher.assignments.cli import write_sheets

    pairs = [
        [
            *(p.enterprise_name, p.city, p.industry, p.is_chain_leader, p.society_name),
            *(round(p.score, 3), p.reason, p.pinned, p.id),
        ]
        for p in detail.pairs
        if p.status.value in ("proposed", "active")
    ]
    unassigned = [[int(e), r] for e, r in detail.summary.get("unassigned_enterprises", {}).items()]
    return write_sheets(
        out, [("pairs", PAIR_HEADERS, pairs), ("unassigned", UNASSIGNED_HEADERS, unassigned)]
    )


def run_pairing(
    *,
    round_name: str | None,
    per_enterprise: int,
    society_capacity: int,
    min_score: float,
    top_k: int,
    industry_fit: bool,
    dry_run: bool,
    out: Path | None,
) -> None:
    from matcher.assignments.cli import lazy_runtime
    from matcher.auth.actors import SYSTEM_CLI
    from matcher.cli_support import cli_store
    from matcher.programme.pairing import (
        commit_pairing_run,
        create_pairing_run,
        get_pairing_run,
    )
    from matcher.programme.schemas import PairingCreate

    if not round_name:
        raise InvalidInputError("请用 --round 指定结对轮次", "--round NAME is required")
    params = PairingCreate.checked(
        round=round_name,
        per_enterprise=per_enterprise,
        society_capacity=society_capacity,
        min_score=min_score,
        top_k=top_k,
        industry_fit=industry_fit,
    )
    made = None
    with cli_store().transaction() as session:
        run = create_pairing_run(
            session=session, actor=SYSTEM_CLI, params=params, runtime=lazy_runtime()
        )
        if not dry_run:
            run, made = commit_pairing_run(session=session, actor=SYSTEM_CLI, run_id=run.id)
        detail = get_pairing_run(session=session, actor=SYSTEM_CLI, run_id=run.id)
    for line in pairing_lines(detail, made):
        typer.echo(line)
    if out is not None:
        typer.echo(f"  → {', '.join(str(f) for f in write_pairing_file(detail, out))}")
    if made is None:
        typer.echo(f"  提交 commit: matcher assign commit {run.id} --level enterprise")


def commit_pairing(run_id: int) -> None:
    from matcher.auth.actors import SYSTEM_CLI
    from matcher.cli_support import cli_store
    from matcher.programme.pairing import commit_pairing_run

    with cli_store().transaction() as session:
        run, made = commit_pairing_run(session=session, actor=SYSTEM_CLI, run_id=run_id)
    typer.echo(
        f"结对方案 {run.id} 已提交，{made} 对结对生效 / pairing run {run.id} committed: "
        f"{made} pairs active"
    )
