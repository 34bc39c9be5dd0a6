"""``matcher proposals generate [--dry-run] | list | summary --out F.xlsx|F.csv`` (as the
audited system actor ``system:cli``)."""

from __future__ import annotations

from pathlib import Path

import typer

from matcher.auth.actors import SYSTEM_CLI
from matcher.cli_support import cli_settings, cli_store
from matcher.models import ProposalStatus

proposals_app = typer.Typer(
    no_args_is_help=True, help="Expert-workstation proposals / 学会专家工作站建站建议"
)
OUTCOMES = {
    "created": "已生成 created",
    "would_create": "将生成 would create",
    "exists": "已有建议 exists",
    "rejected_before": "曾未通过 rejected before",
}


@proposals_app.command("generate")
def generate_cmd(
    dry_run: bool = typer.Option(False, "--dry-run", help="list the pairs, write nothing"),
) -> None:
    """Draft a proposal and its .docx for every pair the workstation rule selects."""
    from matcher.proposals.drafting import generate

    settings = cli_settings()
    with cli_store().transaction() as session:
        result = generate(session=session, settings=settings, actor=SYSTEM_CLI, dry_run=dry_run)
    for c in result.candidates:
        mean = "—" if c.mean_rating is None else f"{c.mean_rating:.1f}"
        number = f" WS-{c.proposal_id:05d}" if c.proposal_id else ""
        typer.echo(
            f"{OUTCOMES[c.outcome]}{number}: {c.enterprise_name} × {c.society_name} "
            f"({c.route}; 服务 services {c.services}, 评分 rating {mean}, "
            f"专家 experts {c.experts})"
        )
    if not dry_run:
        folder = settings.data_dir / "documents" / "proposals"
        typer.echo(
            f"新建议 {result.created} created, 草稿更新 {result.refreshed} drafts refreshed; "
            f"文档 documents → {folder}"
        )
    else:
        typer.echo(
            f"试运行：{len(result.candidates)} 对符合条件 / dry run: {len(result.candidates)}"
        )


@proposals_app.command("list")
def list_cmd(
    status: ProposalStatus | None = typer.Option(None, "--status", help="only this status"),
) -> None:
    """The proposals, newest first."""
    from matcher.proposals.service import list_proposals

    with cli_store().transaction() as session:
        items, total = list_proposals(
            session=session, settings=cli_settings(), actor=SYSTEM_CLI, status=status, limit=200
        )
    for p in items:
        typer.echo(
            f"{p.number} {p.status.value:<9} {p.enterprise_name} × {p.society_name} "
            f"({'手工 by hand' if p.by_hand else '规则 rule'}; 专家 experts {len(p.experts)})"
        )
    typer.echo(f"共 {total} 条 / {total} proposals")


@proposals_app.command("summary")
def summary_cmd(
    out: Path = typer.Option(..., "--out", help=".xlsx or .csv (UTF-8 with BOM) to write"),
) -> None:
    """One row per proposal, for the staff meeting."""
    from matcher.proposals.summary import write_summary

    with cli_store().transaction() as session:
        count = write_summary(session=session, settings=cli_settings(), actor=SYSTEM_CLI, path=out)
    typer.echo(f"已写出 {count} 条建议 / {count} proposals → {out}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``matcher`` app."""
    app.add_typer(proposals_app, name="proposals")
