"""Society, lead and lead-response shapes."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field

from matcher.api.fields import City, Email, Phone
from matcher.api.types import Keywords, LongText, Name, Short, Text, UtcDatetime
from matcher.models import LeadResponseStatus, NeedStatus
from matcher.needs.schemas import NeedOut


class SocietyUpdate(BaseModel):
    name: Name | None = None
    disciplines: Keywords | None = None
    description: LongText | None = None
    city: City | None = None
    capacity: Annotated[int, Field(ge=0, le=100_000)] | None = None
    contact_name: Short | None = None
    contact_phone: Phone | None = None
    email: Email | None = None


class SocietyOut(BaseModel):
    id: int
    external_id: str
    name: str
    disciplines: list[str]
    description: str
    city: str | None
    capacity: int
    contact_name: str | None
    contact_phone: str | None
    email: str | None
    expert_count: int


class LeadResponseIn(BaseModel):
    status: LeadResponseStatus
    reason: Text(2000) = ""


class LeadResponseOut(BaseModel):
    status: LeadResponseStatus
    reason: str
    updated_at: UtcDatetime


class LeadOut(BaseModel):
    need: NeedOut
    rank: int
    score: float = Field(
        description="0–100: the calibrated chance that this target is a right one for the need"
    )
    components: dict[str, Any]
    matched_keywords: list[str]
    response: LeadResponseOut | None


class LeadSort(StrEnum):
    """Best score first, or newest need first (ties: the older match row first)."""

    score = "score"
    date = "date"


class ResponseFilter(StrEnum):
    """The society's answer: a given one, any (answered), or none yet (none)."""

    interested = "interested"
    not_suitable = "not_suitable"
    answered = "answered"
    none = "none"


class LeadFilter(BaseModel):
    """Filters on a society's leads (all optional, combined with AND), and their order."""

    city: Text(50) | None = Field(default=None, description="the need's city, exactly")
    industry: Text(100) | None = Field(default=None, description="the need's industry, exactly")
    min_score: float | None = Field(default=None, ge=0, le=100, description="score 0–100, ≥")
    max_score: float | None = Field(default=None, ge=0, le=100, description="score 0–100, ≤")
    status: NeedStatus | None = Field(default=None, description="the need's status")
    response: ResponseFilter | None = None
    posted_from: date | None = Field(default=None, description="need posted on or after (UTC)")
    posted_to: date | None = Field(default=None, description="need posted on or before (UTC)")
    sort: LeadSort = LeadSort.score
