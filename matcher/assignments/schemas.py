"""Assignment shapes: staff create one, everyone lists what they may see, life-cycle bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from matcher.api.types import Id, Text, UtcDatetime
from matcher.models import AssignmentStatus


class AssignmentCreate(BaseModel):
    society_id: Id
    enterprise_id: Id | None = None
    need_id: Id | None = None
    note: Text(2000) | None = None


class AssignmentOut(BaseModel):
    id: int
    society_id: int
    enterprise_id: int
    need_id: int | None
    expert_id: int | None = Field(description="the lead expert, if one was named")
    run_id: int | None = Field(description="the bulk run that proposed it")
    status: AssignmentStatus
    score: float | None
    pinned: bool
    note: str | None
    rating: int | None = Field(description="1–5, the enterprise's, on completion")
    outcome: str | None = Field(description="the enterprise's short outcome text")
    cancel_reason: str | None
    declined: bool = Field(description="the society declined the proposed pair")
    created_at: UtcDatetime
    confirmed_at: UtcDatetime | None
    started_at: UtcDatetime | None
    completed_at: UtcDatetime | None
    cancelled_at: UtcDatetime | None


class ReasonIn(BaseModel):
    """Why a pair is declined or cancelled (required)."""

    model_config = ConfigDict(extra="forbid")

    reason: Text(500, 1)


class CompleteIn(BaseModel):
    """The enterprise's rating of the service and what came of it."""

    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=1, le=5)
    outcome: Text(1000, 1)
