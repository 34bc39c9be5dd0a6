"""Service team shapes: the proposal request, member edits, and a team with its coverage."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from matcher.api.types import Id, Text, UtcDatetime
from matcher.models import TeamRole, TeamStatus

DEFAULT_SIZE = 8
DEFAULT_PER_SOCIETY = 2
DEFAULT_THRESHOLD = 60.0


class TeamProposeIn(BaseModel):
    """Propose a team for an industry (matched as part of the needs' or enterprises' industry,
    e.g. 轴承 finds 轴承制造) and optionally a city (洛阳 finds 洛阳市)."""

    model_config = ConfigDict(extra="forbid")

    industry: Text(100, 1)
    city: Text(50) | None = None
    size: int = Field(DEFAULT_SIZE, ge=1, le=50, description="at most this many experts")
    per_society: int = Field(DEFAULT_PER_SOCIETY, ge=1, le=20)
    threshold: float = Field(
        DEFAULT_THRESHOLD, ge=0, le=100, description="an expert fits a need from this score"
    )
    name: Text(200) | None = None


class TeamSaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text(200, 1) | None = None


class MemberIn(BaseModel):
    """Add an expert, for one of the expert's societies (the first with room if omitted)."""

    model_config = ConfigDict(extra="forbid")

    expert_id: Id
    society_id: Id | None = None
    role: TeamRole = TeamRole.MEMBER


class TeamMemberOut(BaseModel):
    expert_id: int
    name: str
    title: str | None
    affiliation: str | None
    society_id: int
    society_name: str
    role: TeamRole
    needs_fit: int = Field(description="the team's needs this member fits")


class TeamNeedOut(BaseModel):
    need_id: int
    title: str
    enterprise_name: str | None
    city: str | None
    chain_leader: bool
    weight: float
    members: list[str] = Field(description="team members who fit the need, best first")
    best_score: float | None


class TeamSummaryOut(BaseModel):
    id: int
    name: str
    industry: str
    city: str | None
    status: TeamStatus
    members: int
    created_by: str
    created_at: UtcDatetime


class TeamOut(TeamSummaryOut):
    size_limit: int
    per_society: int
    threshold: float
    solve: dict = Field(description="the proposal's value, bound, gap, optimal, seconds")
    team_members: list[TeamMemberOut]
    needs: list[TeamNeedOut]
    covered: int
    uncovered: int
    value: float = Field(description="Σ weight × best member score / 100 over covered needs")
