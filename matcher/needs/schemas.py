"""Need shapes, with the enterprise's contact only for readers allowed to see it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from matcher.api.types import Id, Keywords, LongText, Name, Short, Text, UtcDatetime
from matcher.enterprises.schemas import Contact
from matcher.models import NeedStatus, TargetKind


class NeedUpdate(BaseModel):
    title: Name | None = None
    description: LongText | None = None
    industry: Short | None = None
    city: Text(50) | None = None
    keywords: Keywords | None = None
    deadline: date | None = None


class NeedCreate(NeedUpdate):
    title: Name
    description: LongText = ""
    keywords: Keywords = []
    enterprise_id: Id | None = Field(
        default=None, description="staff: required; an enterprise user posts for itself"
    )
    external_id: Text(64, 1) | None = Field(default=None, description="generated when empty")


class NeedOut(BaseModel):
    id: int
    external_id: str
    enterprise_id: int | None
    enterprise_name: str | None
    enterprise_contact: Contact | None = Field(
        default=None, description="only for the enterprise itself, staff, or an assigned society"
    )
    title: str
    description: str
    industry: str | None
    city: str | None
    keywords: list[str]
    deadline: date | None
    status: NeedStatus
    created_at: UtcDatetime
    updated_at: UtcDatetime


class Target(StrEnum):
    societies = "societies"
    experts = "experts"

    @property
    def kind(self) -> TargetKind:
        return TargetKind.SOCIETY if self is Target.societies else TargetKind.EXPERT


class MatchOut(BaseModel):
    rank: int
    target_kind: TargetKind
    target_id: int
    target_name: str
    score: float
    components: dict[str, Any] = Field(description="explanation: the fused score's parts")
    matched_keywords: list[str]
    model_id: str
    created_at: UtcDatetime


class NeedWithMatches(NeedOut):
    matches: list[MatchOut] = Field(description="top society matches, best first")
