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


def explain(state) -> str:
    """The fusion weights, where they come from, and the calibration curve, for people."""
    f, e = state.fusion, state.expert_calibration
    how = (
        f"fitted on {f.trained_on} pseudo-needs from {state.labelled} labelled experts, "
        f"held-out Acc@1 {f.fit_accuracy:.3f}"
        if f.source == "fitted"
        else f"default recipe (fewer than the labelled experts a fit needs: {state.labelled})"
    )
    lines = [f"融合权重 fusion weights ({how}; encoder {f.encoder or state.model_id}):"]
    lines += [f"  {name:14} {w:+.3f}" for name, w in f.weights.items()]
    lines.append("校准 calibration (model probability → score 0–100):")
    for p in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9):
        lines.append(f"  p={p:.2f} → {float(f.calibrated(p)):5.1f}")
    lines.append(
        f"专家 experts: score = 100·σ({e.slope:.2f}·fused {e.intercept:+.2f}) ({e.source})"
    )
    return "\n".join(lines)


def _require_profiles(session) -> None:
    """Indexes need societies and experts: say which is missing instead of failing later."""
    from sqlalchemy import func, select

    from matcher.errors import InvalidInputError
    from matcher.models import Expert, Society

    for model, zh, en, kind in (
        (Society, "学会", "societies", "societies"),
        (Expert, "专家", "experts", "experts"),
    ):
        if not session.scalar(select(func.count()).select_from(model)):
            raise InvalidInputError(
                f"库中还没有{zh}，无法建立索引：请先导入（matcher import {kind} 文件）",
                f"no {en} in the store yet, so there is nothing to index: import them first "
                f"(matcher import {kind} FILE)",
                code="nothing_to_index",
            )


def _current(session, runtime) -> None:
    """The saved version if it matches the store, else one built now (a CLI run is not a
    request: it ranks with current profiles, as ``matcher index`` would leave them)."""
    from matcher.matching import profiles
    from matcher.matching.lifecycle import ensure_indexes

    runtime.follow(force=True)
    if runtime.state is None or runtime.state.signature != profiles.signature(session):
        _require_profiles(session)
        ensure_indexes(session=session, runtime=runtime, progress=True)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``matcher`` app."""

    @app.command("index")
    def index_cmd(
        refit: bool = typer.Option(False, "--refit", help="refit the embedded model"),
        explain_weights: bool = typer.Option(
            False, "--explain-weights", help="print the fusion weights and the calibration"
        ),
        watch: bool = typer.Option(
            False,
            "--watch",
            help="keep building new versions when profiles change (the index job of a "
            "deployment with several API processes; MATCHER_INDEX_POLL_SECONDS)",
        ),
    ) -> None:
        """Build or refresh the society and expert indexes."""
        from matcher.auth.actors import SYSTEM_CLI
        from matcher.cli_support import cli_settings, cli_store
        from matcher.matching.service import MatchingRuntime, ensure_indexes, rerank_stale

        store = cli_store()
        with store.transaction() as session:
            _require_profiles(session)
        settings = cli_settings()
        runtime = MatchingRuntime.load(settings)
        if watch:
            from matcher.matching.refresher import watch as watch_loop

            runtime.follow(force=True)
            watch_loop(
                store=store,
                runtime=runtime,
                actor=SYSTEM_CLI,
                poll=settings.index_poll_seconds,
                echo=typer.echo,
            )
            return
        with store.transaction() as session:
            st = ensure_indexes(session=session, runtime=runtime, refit=refit, progress=True)
        with store.transaction() as session:
            again = rerank_stale(session=session, runtime=runtime, actor=SYSTEM_CLI, progress=True)
        typer.echo(
            f"索引 index {st.action}: {st.societies} 学会 societies, {st.experts} 专家 experts, "
            f"{st.encoded} 文本已编码 texts encoded, model {st.model_id}; "
            f"{again} 条需求已重新匹配 needs re-ranked"
        )
        if explain_weights:
            typer.echo(explain(runtime.state))

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
        runtime = MatchingRuntime.load(cli_settings(), eager=False)  # reads what it uses
        with cli_store().transaction() as session:
            _current(session, runtime)
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
                    f"{r.score:.1f}",
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
