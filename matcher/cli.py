"""The ``matcher`` command line. Each area keeps its commands in its own ``cli`` module;
this file only wires them together and turns user-facing errors into clean messages."""

from __future__ import annotations

import sys

import click
import typer
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from typer.core import TyperGroup

from matcher.errors import ImportRejectedError, MatcherError


class _FriendlyErrors(TyperGroup):
    """Prints a ``MatcherError`` as a message and exits 1 instead of a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except ImportRejectedError as exc:
            for err in exc.errors:
                typer.echo(str(err), err=True)
            typer.echo(exc.message, err=True)
            raise typer.Exit(1) from None
        except MatcherError as exc:
            typer.echo(f"错误 error [{exc.code}]: {exc.message}", err=True)
            raise typer.Exit(1) from None
        except IntegrityError:  # another writer got there first (e.g. two imports at once)
            typer.echo(
                "错误 error [conflict]: 与同时进行的其他写入冲突，未写入任何数据，请重试 / "
                "conflicts with a concurrent write; nothing was written, please retry",
                err=True,
            )
            raise typer.Exit(1) from None
        except (OperationalError, SATimeoutError):  # the store is locked or unreachable
            typer.echo(
                "错误 error [busy]: 数据库繁忙或不可用，未写入任何数据，请稍后重试 / "
                "the database is busy or unreachable; nothing was written, retry shortly",
                err=True,
            )
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_FriendlyErrors,
    no_args_is_help=True,
    add_completion=False,
    help="百会链千企 matching service: import, index, match, serve.",
)


def _register() -> None:
    from matcher import cli_commands

    cli_commands.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())


if __name__ == "__main__":
    main()
