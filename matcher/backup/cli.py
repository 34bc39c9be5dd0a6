"""``matcher backup PATH`` and ``matcher restore PATH``."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("backup")
    def backup_cmd(
        path: Path = typer.Argument(..., help="archive to write (e.g. backup-2026-12-01.tar.gz)"),
    ) -> None:
        """Back up the whole store and the data directory's documents into one archive
        (SQLite online backup, or pg_dump); the service may keep running."""
        from matcher.backup.service import backup
        from matcher.cli_support import cli_settings, cli_store

        report = backup(settings=cli_settings(), store=cli_store(), path=path)
        typer.echo(
            f"已备份到 {report.path}（{report.dialect}，数据库版本 {report.revision}，"
            f"{report.files} 个文件，{report.size} 字节）/ backed up to {report.path} "
            f"({report.dialect}, schema {report.revision}, {report.files} files, "
            f"{report.size} bytes)"
        )

    @app.command("restore")
    def restore_cmd(
        path: Path = typer.Argument(..., help="an archive written by `matcher backup`"),
        yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation"),
    ) -> None:
        """Replace the whole store with a backup (stop the API and the UI first); an archive
        from a newer schema is refused, an older one is migrated."""
        from matcher.backup.service import restore
        from matcher.cli_support import cli_settings, cli_store

        if not yes:
            typer.confirm(
                "恢复将替换整个数据库，继续？ Restoring replaces the whole store; continue?",
                abort=True,
            )
        report = restore(settings=cli_settings(), store=cli_store(), path=path)
        typer.echo(
            f"已从 {report.path} 恢复（数据库版本 {report.revision}，{report.files} 个文件）/ "
            f"restored from {report.path} (schema {report.revision}, {report.files} files)"
        )
