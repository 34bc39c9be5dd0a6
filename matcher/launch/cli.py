"""``matcher demo`` (load the demo programme once) and ``matcher serve`` (API + UI)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import typer

from matcher.cli_support import cli_settings, cli_store
from matcher.config import REPO_ROOT
from matcher.launch.demo import (
    DEMO_PASSWORD,
    build_and_match,
    load_demo,
    load_demo_services,
    store_is_empty,
)
from matcher.launch.health import wait_until_answering


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
    def demo_cmd(
        scale: float = typer.Option(
            1.0, min=0.01, max=1.0, help="share of the default demo sizes (0.1: a quick store)"
        ),
    ) -> None:
        """Load the demo data if the store is empty, then load or build the indexes and match
        the needs that have no current matches."""
        settings, store = cli_settings(), cli_store()
        loading = store_is_empty(store)
        if loading:
            typer.echo("生成并载入演示数据 generating and loading the demo data …")
            load_demo(store, settings, scale=scale)
        else:
            typer.echo("数据库已有数据，跳过演示数据 store not empty: demo data not loaded")
        done = build_and_match(store, settings, echo=typer.echo)
        if loading and (served := load_demo_services(store, settings)):
            typer.echo(f"已载入 {served} 项已完成服务 / {served} completed services loaded")
            # the needs served well join their societies (learning from outcomes): the next
            # index version, and the seeking needs ranked against it
            done = build_and_match(store, settings, echo=typer.echo)
        typer.echo(
            f"索引已就绪；{done.seeking} 条待对接需求中 {done.societies} 条重新匹配学会、"
            f"{done.experts} 条重新匹配专家 / indexes ready; of {done.seeking} seeking needs "
            f"{done.societies} matched to societies, {done.experts} to experts (others current)"
        )

    @app.command("serve")
    def serve_cmd(
        api_port: int = typer.Option(8000, help="API port"),
        ui_port: int = typer.Option(8501, help="Streamlit UI port"),
        host: str = typer.Option("127.0.0.1", help="interface to listen on"),
        api_workers: int = typer.Option(
            1, "--workers", "--api-workers", min=1, help="API worker processes"
        ),
        ui: bool = typer.Option(True, "--ui/--no-ui", help="also run the Streamlit UI"),
    ) -> None:
        """Run the API (and the UI) until interrupted (Ctrl-C or SIGTERM)."""
        cli_settings().signing_key()  # a weak configured key: refuse before starting anything
        cli_store()  # migrate once here, not in every API worker at the same time
        env = {**os.environ, "MATCHER_API_URL": f"http://{host}:{api_port}"}
        api_cmd = [sys.executable, "-m", "uvicorn", "matcher.app:create_app", "--factory"]
        api_cmd += ["--host", host, "--port", str(api_port), "--workers", str(api_workers)]
        procs = [subprocess.Popen(api_cmd, env=env)]
        if ui:
            # Streamlit's command line, loading the matching engine from the start
            ui_cmd = [sys.executable, str(REPO_ROOT / "ui" / "serve.py"), "run"]
            ui_cmd += [str(REPO_ROOT / "ui" / "streamlit_app.py"), "--server.address", host]
            ui_cmd += ["--server.port", str(ui_port), "--server.headless", "true"]
            ui_cmd += ["--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"]
            procs.append(subprocess.Popen(ui_cmd, env=env))
        health = {"API": f"http://{host}:{api_port}/api/v1/health"}
        if ui:
            health["UI"] = f"http://{host}:{ui_port}/_stcore/health"
        signal.signal(signal.SIGTERM, _interrupt)  # stop the children as Ctrl-C does
        try:
            typer.echo("启动中 starting " + " + ".join(health) + " …")
            if wait_until_answering(list(health.values()), procs):
                typer.echo(f"API  http://{host}:{api_port}/docs  (health: {health['API']})")
                if ui:
                    typer.echo(f"UI   http://{host}:{ui_port}")
                _print_logins(_demo_logins())
            elif all(p.poll() is None for p in procs):
                waiting = ", ".join(health.values())
                typer.echo(f"服务仍未应答 the servers do not answer yet: {waiting}")
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
            typer.echo("服务已停止 a server stopped (see its output above)", err=True)
        except KeyboardInterrupt:
            pass
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=30)
        raise typer.Exit(next((p.returncode for p in procs if p.returncode), 0))


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt
