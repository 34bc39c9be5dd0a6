"""``matcher index`` and ``matcher match``."""

from __future__ import annotations

import csv
from enum import StrEnum
from pathlib import Path

import typer

from matcher.models import TargetKind


class TargetOption(StrEnum):
    societies = "societies"
    experts = "experts"


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``matcher`` app."""

    @app.command("index")
    def index_cmd(
        refit: bool = typer.Option(False, "--refit", help="refit the embedded model"),
    ) -> None:
        """Build or refresh the society and expert indexes."""
        from matcher.cli_support import cli_settings, cli_store
        from matcher.matching.service import MatchingRuntime, ensure_indexes

        runtime = MatchingRuntime.load(cli_settings())
        with cli_store().transaction() as session:
            st = ensure_indexes(session=session, runtime=runtime, refit=refit, progress=True)
        typer.echo(
            f"索引 index {st.action}: {st.societies} 学会 societies, {st.experts} 专家 experts, "
            f"{st.encoded} 文本已编码 texts encoded, model {st.model_id}"
        )

    @app.command("match")
    def match_cmd(
        target: TargetOption = typer.Option(..., "--target"),
        top_k: int = typer.Option(10, "--top-k", min=1),
        need: list[str] = typer.Option(None, "--need", help="need external id (repeatable)"),
        out: Path = typer.Option(..., "--out", help="CSV file to write (UTF-8 with BOM)"),
    ) -> None:
        """Match needs (all open ones unless --need) and write the ranked results as CSV."""
        from matcher.cli_support import cli_settings, cli_store
        from matcher.matching.service import MatchingRuntime, external_id_of, match_open_needs

        kind = TargetKind.SOCIETY if target == TargetOption.societies else TargetKind.EXPERT
        runtime = MatchingRuntime.load(cli_settings())
        with cli_store().transaction() as session:
            results = match_open_needs(
                session=session,
                runtime=runtime,
                target=kind,
                top_k=top_k,
                need_external_ids=need or None,
                progress=True,
            )
            lines = [
                [
                    r.need.external_id,
                    r.rank,
                    external_id_of(runtime, kind, r.target_id),
                    f"{r.score:.4f}",
                    ";".join(r.matched_keywords),
                ]
                for rows in results.values()
                for r in rows
            ]
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(
                ["need_external_id", "rank", "target_external_id", "score", "matched_keywords"]
            )
            writer.writerows(lines)
        typer.echo(f"已匹配 matched {len(results)} 需求 needs → {out}")
