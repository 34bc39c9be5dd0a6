"""Workstation proposal shapes: staff start one by hand or generate them, everyone lists what
they may see, and the bodies of the life-cycle moves."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.api.types import Id, Text, UtcDatetime
from matcher.models import ProposalStatus


class ProposalCreate(BaseModel):
    """Start a proposal by hand for any pair (also one without shared history)."""

    model_config = ConfigDict(extra="forbid")

    society_id: Id
    enterprise_id: Id
    note: Text(1000) | None = None


class NoteIn(BaseModel):
    """The staff member's note on a move (optional)."""

    model_config = ConfigDict(extra="forbid")

    note: Text(1000) | None = None


class RejectIn(BaseModel):
    """Why the proposal is not taken forward (required)."""

    model_config = ConfigDict(extra="forbid")

    note: Text(1000, 1)


class ProposalExpertOut(BaseModel):
    expert_id: int
    name: str
    title: str | None
    affiliation: str | None
    score: float = Field(description="best match score (0–100) to one of the enterprise's needs")
    reason: str


class ProposalOut(BaseModel):
    id: int
    number: str = Field(description="WS-00007")
    society_id: int
    society_name: str
    enterprise_id: int
    enterprise_name: str
    status: ProposalStatus
    title: str
    rationale: str
    by_hand: bool = Field(description="started by staff, not selected by the rule")
    services: int = Field(description="completed services between the pair")
    mean_rating: float | None
    experts: list[ProposalExpertOut] = Field(description="proposed resident experts")
    topics: list[str] = Field(description="cooperation directions (the needs' keywords)")
    status_note: str | None
    created_by: str
    created_at: UtcDatetime
    submitted_at: UtcDatetime | None
    decided_by: str | None
    decided_at: UtcDatetime | None
    workstation_id: int | None = Field(description="the workstation its approval created")
    document_url: str


class CandidateOut(BaseModel):
    """A pair the rule selects, and what generating did with it."""

    society_id: int
    society_name: str
    enterprise_id: int
    enterprise_name: str
    route: Literal["services", "chain_leader"]
    services: int
    mean_rating: float | None
    society_score: float | None
    experts: int = Field(description="candidate resident experts (strong matches)")
    outcome: Literal["created", "would_create", "exists", "rejected_before"]
    proposal_id: int | None


class GenerateOut(BaseModel):
    dry_run: bool
    candidates: list[CandidateOut]
    created: int
    refreshed: int = Field(description="drafts whose content and document were regenerated")
