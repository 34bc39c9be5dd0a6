"""Shapes of the programme: pairing runs and pairs, activity records, volunteer hours."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from matcher.api.types import Id, Text, UtcDatetime
from matcher.assignments.run_schemas import RunCreate
from matcher.models import ConfirmationStatus, PairingStatus, RoundStatus, RunStatus
from matcher.models.programme import PLATFORM_KINDS, SERVICE_TYPES


class PairingCreate(BaseModel):
    """A pairing run's parameters (also what ``matcher assign --level enterprise`` takes)."""

    model_config = ConfigDict(extra="forbid")

    round: Text(50, 1) = Field(description='the programme round, e.g. "2026" (opened if new)')
    per_enterprise: int = Field(1, ge=1, le=10, description="societies per enterprise")
    society_capacity: int = Field(10, ge=0, le=1000, description="enterprises per society")
    min_score: float = Field(0.0, ge=0, le=100, allow_inf_nan=False, description="0–100")
    top_k: int = Field(20, ge=1, le=100, description="societies ranked per pseudo-need")
    industry_fit: bool = Field(
        True,
        description="rank each enterprise's name and industry as a pseudo-need (through the "
        "matching runtime); off: its needs' stored matches only",
    )

    checked = classmethod(RunCreate.checked.__func__)  # InvalidInputError naming each field


class RoundOut(BaseModel):
    id: int
    name: str
    status: RoundStatus
    created_at: UtcDatetime
    ended_at: UtcDatetime | None
    active_pairs: int = 0


class RoundEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text(500) = ""


class PairingRunOut(BaseModel):
    id: int
    round: str
    status: RunStatus
    parameters: dict[str, Any]
    summary: dict[str, Any] = Field(
        description="counts, chain leaders paired, reason_counts, unassigned enterprises"
    )
    objective: float
    solve_seconds: float
    solver: str
    created_by: str
    created_at: UtcDatetime
    committed_by: str | None
    committed_at: UtcDatetime | None


class PairOut(BaseModel):
    id: int
    round: str
    run_id: int | None
    enterprise_id: int
    enterprise_name: str
    city: str | None
    industry: str | None
    is_chain_leader: bool
    society_id: int
    society_name: str
    status: PairingStatus
    score: float
    reason: str
    pinned: bool
    end_reason: str | None


class PairingRunDetailOut(PairingRunOut):
    pairs: list[PairOut]


class PairEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text(500, 1)


class ActivityIn(BaseModel):
    """One service activity; ``volunteer_hours`` (the total) is split evenly among
    ``expert_ids`` for the per-expert sums."""

    model_config = ConfigDict(extra="forbid")

    society_id: Id | None = Field(None, description="staff only; a society records its own")
    enterprise_id: Id
    service_type: Literal[SERVICE_TYPES]  # type: ignore[valid-type]
    platform_kind: Literal[PLATFORM_KINDS] | None = None  # type: ignore[valid-type]
    activity_date: date
    volunteer_hours: float = Field(0.0, ge=0, le=100_000, allow_inf_nan=False)
    participants: int = Field(0, ge=0, le=1_000_000)
    outcome: Text(5000) = ""
    expert_ids: list[Id] = Field(default_factory=list, max_length=200)
    need_id: Id | None = None
    assignment_id: Id | None = None

    @field_validator("expert_ids")
    @classmethod
    def _distinct(cls, ids: list[int]) -> list[int]:
        return list(dict.fromkeys(ids))


class ActivityAnswer(BaseModel):
    """The enterprise's answer: confirm, or dispute with a note saying what is wrong."""

    model_config = ConfigDict(extra="forbid")

    answer: Literal["confirmed", "disputed"]
    note: Text(1000) = ""


class ActivityExpertOut(BaseModel):
    expert_id: int
    expert_name: str
    hours: float


class ActivityOut(BaseModel):
    id: int
    external_id: str | None
    round: str | None
    society_id: int
    society_name: str
    enterprise_id: int
    enterprise_name: str
    service_type: str
    platform_kind: str | None
    activity_date: date
    volunteer_hours: float
    participants: int
    outcome: str
    experts: list[ActivityExpertOut]
    need_id: int | None
    assignment_id: int | None
    confirmation: ConfirmationStatus
    confirmation_note: str | None
    created_by: str
    created_at: UtcDatetime


class HoursOut(BaseModel):
    """Volunteer hours summed per society (activity totals) or per expert (their shares)."""

    id: int
    name: str
    hours: float
    activities: int
