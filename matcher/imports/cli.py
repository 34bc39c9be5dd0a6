"""``matcher import KIND PATH`` and ``matcher export KIND --out PATH``."""

from __future__ import annotations

from pathlib import Path

import typer

from matcher.errors import InvalidInputError
from matcher.imports.columns import KINDS


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``export`` to the root ``matcher`` app."""

    @app.command("import")
    def import_cmd(
        kind: str = typer.Argument(..., help=f"one of: {', '.join(KINDS)}"),
        path: Path = typer.Argument(..., help=".csv (UTF-8 or GBK), .xlsx or .jsonl file"),
        map_file: Path | None = typer.Option(
            None,
            "--map",
            help='mapping.toml: "column as in the file" = "field" (or "ignore") lines',
        ),
        mapping_name: str | None = typer.Option(
            None,
            "--mapping-name",
            help="a column mapping saved by name (the staff import page, or the API)",
        ),
    ) -> None:
        """Import a file all-or-nothing; re-importing updates rows by external_id.

        needs also accepts a need-collection summary sheet (one row per need with its
        enterprise's details); its title rows, two-row header and notes rows are found."""
        from matcher.auth.actors import SYSTEM_CLI
        from matcher.cli_support import cli_store
        from matcher.imports.mappings import mapping_for_import
        from matcher.imports.service import import_file

        mapping = _read_mapping(map_file) if map_file is not None else None
        store = cli_store()
        with store.transaction() as session:
            mapping = mapping_for_import(
                session=session, actor=SYSTEM_CLI, kind=kind, name=mapping_name, mapping=mapping
            )
            report = import_file(
                session=session,
                actor=SYSTEM_CLI,
                kind=kind,
                filename=path.name,
                path=path,
                progress=True,
                mapping=mapping,
            )
        for warning in report.warnings:
            typer.echo(f"警告 warning: {warning}", err=True)
        for other, counts in report.also.items():
            typer.echo(
                f"{other}：新增 {counts['created']}，更新 {counts['updated']}，"
                f"未变 {counts['unchanged']} / {other}: {counts['created']} created, "
                f"{counts['updated']} updated, {counts['unchanged']} unchanged"
            )
        typer.echo(
            f"已导入 {path.name}：共 {report.total} 行，新增 {report.created}，"
            f"更新 {report.updated}，未变 {report.unchanged} / imported {report.kind}: "
            f"{report.total} rows, {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )

    @app.command("export")
    def export_cmd(
        kind: str = typer.Argument(
            ..., help="societies, experts, enterprises, needs, matches or assignments"
        ),
        out: Path = typer.Option(..., "--out", "-o", help="file to write: .csv, .xlsx or .jsonl"),
    ) -> None:
        """Export a table; CSV is UTF-8 with BOM so Excel opens it."""
        from matcher.cli_support import cli_store
        from matcher.exports.service import export_table

        store = cli_store()
        with store.transaction() as session:
            count = export_table(session=session, kind=kind, path=out)
        typer.echo(f"已导出 {count} 行到 {out} / exported {count} {kind} rows to {out}")


def _read_mapping(path: Path) -> dict[str, str]:
    from matcher.imports.headers import load_mapping

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(
            f"{path.name}：无法读取映射文件（{exc.strerror}）",
            f"{path.name}: cannot read the mapping file ({exc.strerror})",
        ) from None
    return load_mapping(path.name, data)
