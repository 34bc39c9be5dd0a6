"""A team as a spreadsheet: its members, and each need with the members who fit it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from matcher.auth import policy
from matcher.exports.formats import check_format, render, render_workbook
from matcher.models import TeamRole, User
from matcher.teams.schemas import TeamOut
from matcher.teams.service import get_team

MEMBER_HEADERS = ["专家", "职称", "单位", "学会", "角色", "适配需求数"]
NEED_HEADERS = ["需求编号", "需求", "企业", "城市", "链主企业", "权重", "适配成员", "最高匹配分"]
ROLE_LABELS = {TeamRole.LEADER: "团长", TeamRole.MEMBER: "成员"}


def member_rows(team: TeamOut) -> list[list[Any]]:
    return [
        [m.name, m.title, m.affiliation, m.society_name, ROLE_LABELS[m.role], m.needs_fit]
        for m in team.team_members
    ]


def need_rows(team: TeamOut) -> list[list[Any]]:
    return [
        [
            n.need_id,
            n.title,
            n.enterprise_name,
            n.city,
            n.chain_leader,
            n.weight,
            n.members or "未覆盖",
            n.best_score,
        ]
        for n in team.needs
    ]


@policy.staff_only
def export_team(*, session: Session, actor: User, team_id: int, fmt: str) -> tuple[str, bytes]:
    """(file name, bytes): .xlsx with the two tables, or CSV (with BOM) of the needs with
    the members who fit each."""
    fmt = check_format(fmt)
    team = get_team(session=session, actor=actor, team_id=team_id)
    name = f"{team.name}.{fmt}"
    if fmt == "xlsx":
        return name, render_workbook(
            [
                ("成员", MEMBER_HEADERS, member_rows(team)),
                ("需求覆盖", NEED_HEADERS, need_rows(team)),
            ]
        )
    return name, render(NEED_HEADERS, need_rows(team), fmt, "需求覆盖")
