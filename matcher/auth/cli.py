"""``matcher users create | list | set-role``."""

from __future__ import annotations

import typer

from matcher.cli_support import cli_store

users_app = typer.Typer(no_args_is_help=True, help="Log-ins and roles / 账号与角色")


@users_app.command("create")
def create_cmd(
    username: str = typer.Option(..., "--username", help="log-in name"),
    password: str = typer.Option(..., "--password", help="at least 8 characters"),
    role: str = typer.Option(..., "--role", help="enterprise | society | staff | admin"),
    enterprise: str | None = typer.Option(None, "--enterprise", help="enterprise external id"),
    society: str | None = typer.Option(None, "--society", help="society external id"),
    display_name: str = typer.Option("", "--display-name"),
    api_key: bool = typer.Option(False, "--api-key", help="also issue an API key (shown once)"),
) -> None:
    """Create a log-in."""
    from matcher.auth.service import create_user

    with cli_store().transaction() as session:
        user, key = create_user(
            session=session,
            actor=None,
            username=username,
            password=password,
            role=role,
            enterprise_external_id=enterprise,
            society_external_id=society,
            display_name=display_name,
            with_api_key=api_key,
        )
        typer.echo(f"已创建用户 created user {user.username} ({user.role.value}), id {user.id}")
    if key:
        typer.echo(f"API key (仅显示一次 shown once): {key}")


@users_app.command("list")
def list_cmd() -> None:
    """List log-ins with their role and binding."""
    from matcher.auth.service import list_users

    with cli_store().transaction() as session:
        for u in list_users(session=session):
            bound = (
                f"enterprise={u.enterprise_id}"
                if u.enterprise_id
                else f"society={u.society_id}"
                if u.society_id
                else ""
            )
            key = "api-key" if u.api_key_hash else ""
            state = "" if u.is_active else "inactive"
            typer.echo(f"{u.id}\t{u.username}\t{u.role.value}\t{bound}\t{key}\t{state}".rstrip())


@users_app.command("set-role")
def set_role_cmd(
    username: str = typer.Option(..., "--username"),
    role: str = typer.Option(..., "--role", help="enterprise | society | staff | admin"),
    enterprise: str | None = typer.Option(None, "--enterprise", help="enterprise external id"),
    society: str | None = typer.Option(None, "--society", help="society external id"),
) -> None:
    """Change a user's role (audited); existing tokens of that user stop working."""
    from matcher.auth.service import set_role

    with cli_store().transaction() as session:
        user = set_role(
            session=session,
            actor=None,
            username=username,
            role=role,
            enterprise_external_id=enterprise,
            society_external_id=society,
        )
        typer.echo(f"{user.username} → {user.role.value}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``matcher`` app."""
    app.add_typer(users_app, name="users")
