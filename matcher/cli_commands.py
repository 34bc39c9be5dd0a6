"""Wires each area's commands into the root app; every area owns its own ``cli`` module."""

from __future__ import annotations

import typer

from matcher.cli_support import cli_store


def register(app: typer.Typer) -> None:
    from matcher.assignments import cli as assign_cli
    from matcher.auth import cli as auth_cli
    from matcher.backup import cli as backup_cli
    from matcher.imports import cli as imports_cli
    from matcher.launch import cli as launch_cli
    from matcher.matching import cli as matching_cli
    from matcher.proposals import cli as proposals_cli
    from matcher.report import cli as report_cli
    from matcher.teams import cli as teams_cli

    @app.command("migrate")
    def migrate_cmd() -> None:
        """Create or upgrade the database schema (also done automatically)."""
        cli_store()
        typer.echo("数据库已是最新 / database is up to date")

    imports_cli.register(app)  # import, export
    matching_cli.register(app)  # index, match
    assign_cli.register(app)  # assign, assign commit
    auth_cli.register(app)  # users …
    launch_cli.register(app)  # demo, serve
    backup_cli.register(app)  # backup, restore
    proposals_cli.register(app)  # proposals generate | list | summary
    teams_cli.register(app)  # teams propose | list | show | export
    report_cli.register(app)  # report yearly
