"""``matcher demo`` (load the demo programme once) and ``matcher serve`` (API + UI)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import typer

from matcher.cli_support import cli_settings, cli_store
from matcher.config import REPO_ROOT
from matcher.launch.demo import DEMO_PASSWORD, build_and_match, load_demo, store_is_empty


def _print_logins(logins: list[tuple[str, str, str]]) -> None:
    typer.echo(f"演示账号 demo log-ins (password / 密码: {DEMO_PASSWORD}):")
    for username, role, bound in logins:
        typer.echo(f"  {username:<16} {role:<10} {bound}")


def _demo_logins() -> list[tuple[str, str, str]]:
    from sqlalchemy import select

    from matcher.models import Enterprise, Society, User

    with cli_store().transaction() as session:
        rows = session.execute(
            select(User.username, User.role, Enterprise.name, Society.name)
            .outerjoin(Enterprise, User.enterprise_id == Enterprise.id)
            .outerjoin(Society, User.society_id == Society.id)
            .where(User.username.like("%_demo"))
            .order_by(User.id)
        ).all()
    return [(u, str(r.value), e or s or "") for u, r, e, s in rows]


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_cmd() -> None:
        """Load the demo data if the store is empty, then build indexes and match needs."""
        settings, store = cli_settings(), cli_store()
        if store_is_empty(store):
            typer.echo("载入演示数据 loading demo data …")
            load_demo(store, settings)
        else:
            typer.echo("数据库已有数据，跳过演示数据 store not empty: demo data not loaded")
        count = build_and_match(store, settings)
        typer.echo(f"索引已就绪，已匹配 {count} 条需求 / indexes ready, {count} needs matched")

    @app.command("serve")
    def serve_cmd(
        api_port: int = typer.Option(8000, help="API port"),
        ui_port: int = typer.Option(8501, help="Streamlit UI port"),
        host: str = typer.Option("127.0.0.1", help="interface to listen on"),
    ) -> None:
        """Run the API and the UI until interrupted."""
        cli_settings().signing_key()  # a weak configured key: refuse before starting anything
        env = {**os.environ, "MATCHER_API_URL": f"http://{host}:{api_port}"}
        api = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "matcher.app:create_app",
                "--factory",
                "--host",
                host,
                "--port",
                str(api_port),
            ],
            env=env,
        )
        ui = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(REPO_ROOT / "ui" / "streamlit_app.py"),
                "--server.address",
                host,
                "--server.port",
                str(ui_port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            env=env,
        )
        typer.echo(f"API  http://{host}:{api_port}/docs")
        typer.echo(f"UI   http://{host}:{ui_port}")
        _print_logins(_demo_logins())
        try:
            while api.poll() is None and ui.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (api, ui):
                proc.terminate()
            for proc in (api, ui):
                proc.wait(timeout=10)
        raise typer.Exit(api.returncode or ui.returncode or 0)
