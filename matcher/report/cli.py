"""``matcher report yearly --round 2026 [--out DIR]`` (as the system actor ``system:cli``)."""

from __future__ import annotations

from pathlib import Path

import typer

from matcher.auth.actors import SYSTEM_CLI
from matcher.cli_support import cli_settings, cli_store

report_app = typer.Typer(no_args_is_help=True, help="Programme figures and reports / 年度数据")


@report_app.command("yearly")
def yearly_cmd(
    round_name: str = typer.Option(..., "--round", help="the programme round, e.g. 2026"),
    out: Path | None = typer.Option(
        None, "--out", help="folder for the .xlsx and .docx (default: data directory/reports)"
    ),
) -> None:
    """Write the yearly report (tables .xlsx + Chinese summary .docx) and print its figures."""
    from matcher.report.output import write_yearly
    from matcher.report.tables import summary_rows

    with cli_store().transaction() as session:
        written = write_yearly(
            session=session,
            actor=SYSTEM_CLI,
            settings=cli_settings(),
            round_name=round_name,
            out_dir=out,
        )
    figures = written.report.figures
    for label, value, goal in summary_rows(figures):
        typer.echo(f"{label}: {value}" + (f"（目标 goal {goal}）" if goal else ""))
    typer.echo(f"已写出 written → {written.xlsx}")
    typer.echo(f"已写出 written → {written.docx}")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
