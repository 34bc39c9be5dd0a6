"""The list of command groups; each area adds its own ``register_*`` call here."""

from __future__ import annotations

import typer

from matcher.cli_support import cli_store


def register(app: typer.Typer) -> None:
    @app.command("migrate")
    def migrate_cmd() -> None:
        """Create or upgrade the database schema (also done automatically)."""
        cli_store()
        typer.echo("数据库已是最新 / database is up to date")
