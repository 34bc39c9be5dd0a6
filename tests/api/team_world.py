"""A service team and a programme round added to the API tests' world (for the access
matrix): ``team`` (industry 装备制造, city 郑州, x_own of s_own as its leader; room for one
more member) and the round ``2024`` (for the programme report's rows)."""

from __future__ import annotations

from sqlalchemy import select

from matcher.models import ProgrammeRound, ServiceTeam, ServiceTeamMember, TeamRole

from .conftest import World

REPORT_ROUND = "2024"


def add_team_world(store, world: World) -> None:
    ids = world.ids
    with store.transaction() as s:
        team = ServiceTeam(
            industry="装备制造",
            city="郑州",
            name="郑州装备制造产业科技服务团",
            size_limit=2,
            per_society=1,
            threshold=60.0,
            created_by="staff",
        )
        team.members = [
            ServiceTeamMember(expert_id=ids["x_own"], society_id=ids["s_own"], role=TeamRole.LEADER)
        ]
        s.add(team)
        if s.scalar(select(ProgrammeRound).where(ProgrammeRound.name == REPORT_ROUND)) is None:
            s.add(ProgrammeRound(name=REPORT_ROUND, created_by="staff"))
        s.flush()
        ids["team"] = team.id
