"""``matcher users create | list | set-role | passwd | disable | enable | new-key | revoke-key``.

Passwords are never taken from the command line (where ``ps`` and the shell history show
them): they are prompted for, or read from standard input with ``--password-stdin``.
The commands act as the explicit system actor ``system:cli``, audited as such.
"""

from __future__ import annotations

import sys

import typer

from matcher.auth.actors import SYSTEM_CLI
from matcher.cli_support import cli_store

users_app = typer.Typer(no_args_is_help=True, help="Log-ins and roles / 账号与角色")

PASSWORD_STDIN = typer.Option(
    False,
    "--password-stdin",
    help="read the password from the first line of standard input (for scripts)",
)


def read_password(from_stdin: bool, *, confirm: bool = True) -> str:
    """The new password: the first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    return typer.prompt(
        "密码 Password (≥ 10 characters)",
        hide_input=True,
        confirmation_prompt="再次输入 Repeat the password" if confirm else False,
    )


@users_app.command("create")
def create_cmd(
    username: str = typer.Option(..., "--username", help="log-in name"),
    role: str = typer.Option(..., "--role", help="enterprise | society | staff | admin"),
    enterprise: str | None = typer.Option(None, "--enterprise", help="enterprise external id"),
    society: str | None = typer.Option(None, "--society", help="society external id"),
    display_name: str = typer.Option("", "--display-name"),
    api_key: bool = typer.Option(False, "--api-key", help="also issue an API key (shown once)"),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Create a log-in (the password is prompted for, or read with --password-stdin)."""
    from matcher.auth.service import create_user

    password = read_password(password_stdin)
    with cli_store().transaction() as session:
        user, key = create_user(
            session=session,
            actor=SYSTEM_CLI,
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
            actor=SYSTEM_CLI,
            username=username,
            role=role,
            enterprise_external_id=enterprise,
            society_external_id=society,
        )
        typer.echo(f"{user.username} → {user.role.value}")


@users_app.command("passwd")
def passwd_cmd(
    username: str = typer.Option(..., "--username"),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Set a user's password (audited); the user's existing tokens stop working."""
    from matcher.auth.service import change_password

    password = read_password(password_stdin)
    with cli_store().transaction() as session:
        user = change_password(
            session=session, actor=SYSTEM_CLI, username=username, password=password
        )
        typer.echo(f"已修改密码 password changed for {user.username}; 旧登录已失效 tokens revoked")


@users_app.command("disable")
def disable_cmd(username: str = typer.Option(..., "--username")) -> None:
    """Disable a log-in: it cannot log in, and its tokens and API key stop working."""
    from matcher.auth.service import set_active

    with cli_store().transaction() as session:
        user = set_active(session=session, actor=SYSTEM_CLI, username=username, active=False)
        typer.echo(f"已停用 disabled {user.username}")


@users_app.command("enable")
def enable_cmd(username: str = typer.Option(..., "--username")) -> None:
    """Re-enable a disabled log-in (it must log in again)."""
    from matcher.auth.service import set_active

    with cli_store().transaction() as session:
        user = set_active(session=session, actor=SYSTEM_CLI, username=username, active=True)
        typer.echo(f"已启用 enabled {user.username}")


@users_app.command("new-key")
def new_key_cmd(username: str = typer.Option(..., "--username")) -> None:
    """Issue a new API key (the previous one stops working); shown once."""
    from matcher.auth.service import new_api_key

    with cli_store().transaction() as session:
        key = new_api_key(session=session, actor=SYSTEM_CLI, username=username)
    typer.echo(f"API key (仅显示一次 shown once): {key}")


@users_app.command("revoke-key")
def revoke_key_cmd(username: str = typer.Option(..., "--username")) -> None:
    """Revoke a user's API key."""
    from matcher.auth.service import revoke_api_key

    with cli_store().transaction() as session:
        had = revoke_api_key(session=session, actor=SYSTEM_CLI, username=username)
    typer.echo(
        f"已吊销 API 密钥 API key revoked for {username}"
        if had
        else f"{username} 没有 API 密钥 has no API key"
    )


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``matcher`` app."""
    app.add_typer(users_app, name="users")
