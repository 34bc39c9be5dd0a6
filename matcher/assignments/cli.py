"""``matcher assign`` (solve a bulk run; ``--dry-run`` stores it for review) and
``matcher assign commit RUN_ID``. The CLI acts as ``system:cli``, through the same service
as the API."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from matcher.assignments.run_terms import Fair, reason_text
from matcher.errors import InvalidInputError

if TYPE_CHECKING:  # the schemas load pydantic models: only a command that runs needs them
    from matcher.assignments.run_schemas import RunDetailOut

PAIR_HEADERS = [
    "need_external_id",
    "need_title",
    "enterprise_name",
    "city",
    "society_name",
    "expert_name",
    "score",
    "pinned",
    "fixed",
    "run_pair_id",
]
UNASSIGNED_HEADERS = ["need_external_id", "need_title", "enterprise_name", "city", "reason", "why"]


def write_run_file(detail: RunDetailOut, out: Path) -> list[Path]:
    """The run's pairs and its unassigned needs: two sheets of one .xlsx, or two CSV files
    (``out`` and ``out``'s name + ``-unassigned``); written atomically."""
    pairs = [
        [
            *(p.need_external_id, p.need_title, p.enterprise_name, p.city, p.society_name),
            *(p.expert_name, round(p.score, 3), p.pinned, p.fixed, p.id),
        ]
        for p in detail.pairs
        if not p.removed
    ]
    unassigned = [
        [u.need_external_id, u.need_title, u.enterprise_name, u.city, u.reason, u.reason_text]
        for u in detail.unassigned
    ]
    return write_sheets(
        out, [("pairs", PAIR_HEADERS, pairs), ("unassigned", UNASSIGNED_HEADERS, unassigned)]
    )


def write_sheets(out: Path, sheets: list[tuple[str, list[str], list[list]]]) -> list[Path]:
    """Sheets of one .xlsx, or one CSV file each (the first ``out``, the others ``out``'s
    name + ``-`` + their title); written atomically."""
    from matcher.exports.formats import render, render_workbook

    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        files = {out: render_workbook(sheets)}
    elif suffix == ".csv":
        files = {
            (out if i == 0 else out.with_name(f"{out.stem}-{title}.csv")): render(
                headers, rows, "csv", title
            )
            for i, (title, headers, rows) in enumerate(sheets)
        }
    else:
        raise InvalidInputError(
            f"输出文件应为 .csv 或 .xlsx：{out.name}", f"--out must be a .csv or .xlsx file: {out}"
        )
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    return list(files)


class Level(StrEnum):
    need = "need"
    enterprise = "enterprise"


def summary_lines(detail: RunDetailOut, created: int | None) -> list[str]:
    s = detail.summary
    state = "试运行 dry run" if created is None else f"已提交 committed, {created} 项分配已创建"
    gain = (
        f"{100 * (detail.objective / detail.greedy_objective - 1):+.1f}%"
        if detail.greedy_objective
        else "n/a"
    )
    lines = [
        f"分配方案 run {detail.id} ({state})",
        f"  需求 needs {s['needs']}，对接 pairs {s['pairs']} (新 new {s['new_pairs']}, "
        f"已生效 fixed {s['fixed']}, 固定 pinned {s['pinned']})，未满足 unassigned "
        f"{s['unassigned']}",
        f"  最优总分 optimal total {detail.objective:.1f} vs 贪心 greedy "
        f"{detail.greedy_objective:.1f} ({gain})，求解 solve {detail.solve_seconds:.3f} s "
        f"({detail.solver})",
    ]
    if s.get("fairness"):
        f = s["fairness"]
        lines.append(
            f"  公平 fairness ({f['dimension']}): {f['groups_covered']}/{f['groups_total']} "
            f"覆盖 covered (without: {f['groups_covered_without_fairness']})，代价 cost "
            f"{f['cost']:.1f}"
        )
    for code, count in sorted(s["reason_counts"].items(), key=lambda kv: -kv[1]):
        lines.append(f"  {count:6d}  {code}: {reason_text(code)}")
    if s.get("removed_candidates"):
        lines.append(
            f"  已排除候选 candidates removed by conflicts/forbids: {s['removed_candidates']}"
        )
    for skipped in s.get("pins_skipped", []):
        lines.append(f"  未采用的固定对接 pin skipped: {skipped}")
    for dim, groups in s.get("quota_groups_without_needs", {}).items():
        lines.append(f"  限额分组无需求 quota groups without needs ({dim}): {'、'.join(groups)}")
    return lines


def register(app: typer.Typer) -> None:
    """Add ``assign`` (and ``assign commit``) to the root ``matcher`` app."""
    assign_app = typer.Typer(
        help="Bulk assignment of societies to needs (exact); commit a dry run."
    )

    @assign_app.callback(invoke_without_command=True)
    def assign_cmd(
        ctx: typer.Context,
        per_need: int = typer.Option(1, "--per-need", help="societies per need"),
        min_score: float = typer.Option(0.0, "--min-score", help="0–100"),
        fair: Fair | None = typer.Option(None, "--fair", help="cover every city/enterprise first"),
        quota_file: Path | None = typer.Option(
            None, "--quota-file", help="CSV/xlsx of dimension,group,max (e.g. city,郑州市,30)"
        ),
        dry_run: bool = typer.Option(False, "--dry-run", help="store for review, do not commit"),
        out: Path | None = typer.Option(None, "--out", help=".xlsx, or .csv (+ -unassigned.csv)"),
        top_k: int = typer.Option(20, "--top-k", help="candidate societies per need"),
        expert_capacity: int = typer.Option(3, "--expert-capacity", help="services per expert"),
        level: Level = typer.Option(
            Level.need, "--level", help="need: societies per need; enterprise: pairing (结对)"
        ),
        per_enterprise: int = typer.Option(1, "--per-enterprise", help="societies per enterprise"),
        round_name: str | None = typer.Option(None, "--round", help='programme round, e.g. "2026"'),
        society_capacity: int = typer.Option(
            10, "--society-capacity", help="enterprises per society (--level enterprise)"
        ),
        industry_fit: bool = typer.Option(
            True,
            "--industry-fit/--no-industry-fit",
            help="--level enterprise: rank each enterprise's industry as a pseudo-need too",
        ),
    ) -> None:
        """Solve a bulk run of every need still to serve and write its pairs and unassigned
        needs (with reasons); without --dry-run it is committed at once. With --level
        enterprise: pair every enterprise with --per-enterprise societies for --round."""
        if ctx.invoked_subcommand is not None:
            return
        if level is Level.enterprise:
            from matcher.programme.cli import run_pairing

            run_pairing(
                round_name=round_name,
                per_enterprise=per_enterprise,
                society_capacity=society_capacity,
                min_score=min_score,
                top_k=top_k,
                industry_fit=industry_fit,
                dry_run=dry_run,
                out=out,
            )
            return
        from matcher.assignments.quotas import read_quota_file
        from matcher.assignments.run_schemas import RunCreate

        if out is None:
            raise InvalidInputError("请用 --out 指定输出文件", "--out PATH is required")
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise InvalidInputError(
                f"输出文件应为 .csv 或 .xlsx：{out.name}", f"--out must be .csv or .xlsx: {out}"
            )
        quotas = read_quota_file(quota_file.name, path=quota_file) if quota_file else {}
        params = RunCreate.checked(
            per_need=per_need,
            min_score=min_score,
            fair=fair,
            quotas=quotas,
            top_k=top_k,
            expert_capacity=expert_capacity,
        )
        _run(params, quota_file.name if quota_file else None, dry_run, out)

    @assign_app.command("commit")
    def commit_cmd(
        run_id: int = typer.Argument(..., help="the dry run's id"),
        level: Level = typer.Option(Level.need, "--level", help="enterprise: a pairing run"),
    ) -> None:
        """Commit a dry run: its new pairs become proposed assignments (all or nothing); with
        --level enterprise a pairing run's pairs become active."""
        from matcher.assignments.commit import commit_run
        from matcher.auth.actors import SYSTEM_CLI
        from matcher.cli_support import cli_store

        if level is Level.enterprise:
            from matcher.programme.cli import commit_pairing

            commit_pairing(run_id)
            return

        with cli_store().transaction() as session:
            run, created = commit_run(session=session, actor=SYSTEM_CLI, run_id=run_id)
        typer.echo(
            f"分配方案 {run.id} 已提交，创建 {created} 项待确认分配 / run {run.id} committed: "
            f"{created} proposed assignments created"
        )

    app.add_typer(assign_app, name="assign")


def lazy_runtime() -> Callable[[], Any]:
    """The matching runtime, loaded on the first call (a run whose needs all have stored
    matches never loads it)."""
    from matcher.cli_support import cli_settings
    from matcher.matching.service import MatchingRuntime

    loaded: list = []

    def runtime():
        if not loaded:
            loaded.append(MatchingRuntime.load(cli_settings()))
        return loaded[0]

    return runtime


def _run(params, quota_name: str | None, dry_run: bool, out: Path) -> None:
    from matcher.assignments.commit import commit_run
    from matcher.assignments.run_views import get_run
    from matcher.assignments.runs import create_run
    from matcher.auth.actors import SYSTEM_CLI
    from matcher.cli_support import cli_store

    created = None
    with cli_store().transaction() as session:
        run = create_run(
            session=session,
            actor=SYSTEM_CLI,
            params=params,
            quota_file=quota_name,
            runtime=lazy_runtime(),
        )
        if not dry_run:
            run, created = commit_run(session=session, actor=SYSTEM_CLI, run_id=run.id)
        detail = get_run(session=session, actor=SYSTEM_CLI, run_id=run.id)
    files = write_run_file(detail, out)
    for line in summary_lines(detail, created):
        typer.echo(line)
    typer.echo(f"  → {', '.join(str(f) for f in files)}")
    if created is None:
        typer.echo(f"  提交 commit: matcher assign commit {run.id}")
