"""``/teams``: industry service teams (一业一团), staff only."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Query, Response

from matcher.api.attachments import SHEET_TYPES, attachment
from matcher.api.deps import SessionDep, StaffDep
from matcher.api.types import IdPath, Text
from matcher.models import TeamStatus
from matcher.teams import export, service
from matcher.teams.schemas import MemberIn, TeamOut, TeamProposeIn, TeamSaveIn, TeamSummaryOut

router = APIRouter(prefix="/teams", tags=["teams"])


class SheetFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@router.post("/propose", response_model=TeamOut, status_code=201)
def propose(session: SessionDep, actor: StaffDep, body: TeamProposeIn) -> TeamOut:
    """Choose the team that best covers the industry's unsolved needs (exact MIP; the
    solve's value, bound, gap and time in ``solve``) and store it as a draft."""
    return service.propose(session=session, actor=actor, data=body)


@router.get("", response_model=list[TeamSummaryOut])
def list_teams(
    session: SessionDep,
    actor: StaffDep,
    industry: Text(100) | None = None,
    status: TeamStatus | None = None,
) -> list[TeamSummaryOut]:
    return service.list_teams(session=session, actor=actor, industry=industry, status=status)


@router.get("/{team_id}", response_model=TeamOut)
def get_team(session: SessionDep, actor: StaffDep, team_id: IdPath) -> TeamOut:
    """The team with, for each of its industry's unsolved needs, the members who fit it."""
    return service.get_team(session=session, actor=actor, team_id=team_id)


@router.post("/{team_id}/save", response_model=TeamOut)
def save_team(
    session: SessionDep, actor: StaffDep, team_id: IdPath, body: TeamSaveIn | None = None
) -> TeamOut:
    return service.save_team(
        session=session, actor=actor, team_id=team_id, name=body.name if body else None
    )


@router.post("/{team_id}/members", response_model=TeamOut, status_code=201)
def add_member(session: SessionDep, actor: StaffDep, team_id: IdPath, body: MemberIn) -> TeamOut:
    """409 ``team_full`` / ``society_limit`` / ``member_exists`` past the team's limits."""
    return service.add_member(session=session, actor=actor, team_id=team_id, data=body)


@router.delete("/{team_id}/members/{expert_id}", response_model=TeamOut)
def remove_member(
    session: SessionDep, actor: StaffDep, team_id: IdPath, expert_id: IdPath
) -> TeamOut:
    return service.remove_member(session=session, actor=actor, team_id=team_id, expert_id=expert_id)


@router.get(
    "/{team_id}/export",
    response_class=Response,
    responses={200: {"content": {t: {} for t in SHEET_TYPES.values()}}},
)
def export_team(
    session: SessionDep,
    actor: StaffDep,
    team_id: IdPath,
    fmt: SheetFormat = Query(SheetFormat.xlsx, alias="format"),
) -> Response:
    """Members and need coverage (.xlsx), or the need coverage as CSV with BOM."""
    name, data = export.export_team(session=session, actor=actor, team_id=team_id, fmt=fmt.value)
    return attachment(data, SHEET_TYPES[fmt.value], f"team-{team_id}.{fmt.value}", name)
