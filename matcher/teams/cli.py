"""``matcher teams propose | list | show | export`` (as the audited system actor
``system:cli``)."""

from __future__ import annotations

from pathlib import Path

import typer

from matcher.auth.actors import SYSTEM_CLI
from matcher.cli_support import cli_store
from matcher.teams.schemas import DEFAULT_PER_SOCIETY, DEFAULT_SIZE, DEFAULT_THRESHOLD, TeamOut

teams_app = typer.Typer(no_args_is_help=True, help="Industry service teams / 一业一科技服务团")


def _echo_team(team: TeamOut) -> None:
    solve = team.solve
    typer.echo(f"#{team.id} {team.name} [{team.status.value}]")
    for m in team.team_members:
        role = "团长 leader" if m.role.value == "leader" else "成员 member"
        typer.echo(f"  {role}: {m.name}（{m.society_name}）适配 fits {m.needs_fit} 项需求")
    typer.echo(
        f"需求 needs {len(team.needs)}，已覆盖 covered {team.covered}，"
        f"未覆盖 uncovered {team.uncovered}；覆盖值 value {team.value:.2f}"
    )
    if solve:
        state = "最优 optimal" if solve.get("optimal") else "时限内最好 best in time"
        typer.echo(
            f"求解 solve: {state}, 上界 bound {solve.get('bound', 0):.2f}, "
            f"gap {100 * solve.get('gap', 0):.2f}%, {solve.get('seconds', 0):.3f} s, "
            f"候选 candidates {solve.get('candidates', 0)}"
        )
    for n in team.needs:
        if not n.members:
            typer.echo(f"  未覆盖 uncovered: #{n.need_id} {n.title}")


@teams_app.command("propose")
def propose_cmd(
    industry: str = typer.Option(..., "--industry", help="e.g. 轴承"),
    city: str | None = typer.Option(None, "--city", help="e.g. 洛阳"),
    size: int = typer.Option(DEFAULT_SIZE, "--size", help="at most this many experts"),
    per_society: int = typer.Option(DEFAULT_PER_SOCIETY, "--per-society"),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, "--threshold", help="fit score, 0–100"),
    name: str | None = typer.Option(None, "--name"),
) -> None:
    """Propose (and store as a draft) the team that best covers the industry's needs."""
    from matcher.teams.schemas import TeamProposeIn
    from matcher.teams.service import propose

    data = TeamProposeIn(
        industry=industry,
        city=city,
        size=size,
        per_society=per_society,
        threshold=threshold,
        name=name,
    )
    with cli_store().transaction() as session:
        team = propose(session=session, actor=SYSTEM_CLI, data=data)
    _echo_team(team)


@teams_app.command("list")
def list_cmd() -> None:
    """The teams, newest first."""
    from matcher.teams.service import list_teams

    with cli_store().transaction() as session:
        teams = list_teams(session=session, actor=SYSTEM_CLI)
    for t in teams:
        typer.echo(f"#{t.id} {t.status.value:<5} {t.name}（{t.members} 人 members）")
    typer.echo(f"共 {len(teams)} 个 / {len(teams)} teams")


@teams_app.command("show")
def show_cmd(team_id: int = typer.Argument(...)) -> None:
    """A team, its members and the needs left uncovered."""
    from matcher.teams.service import get_team

    with cli_store().transaction() as session:
        team = get_team(session=session, actor=SYSTEM_CLI, team_id=team_id)
    _echo_team(team)


@teams_app.command("export")
def export_cmd(
    team_id: int = typer.Argument(...),
    out: Path = typer.Option(..., "--out", help=".xlsx or .csv (UTF-8 with BOM) to write"),
) -> None:
    """Members and need coverage of a team."""
    from matcher.proposals.files import atomic_write
    from matcher.teams.export import export_team

    with cli_store().transaction() as session:
        _, data = export_team(
            session=session, actor=SYSTEM_CLI, team_id=team_id, fmt=out.suffix or "(none)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, data)
    typer.echo(f"已写出 written → {out}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``matcher`` app."""
    app.add_typer(teams_app, name="teams")
