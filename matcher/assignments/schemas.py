"""Assignment shapes (minimal: staff create and list; the optimiser comes later)."""

from __future__ import annotations

from pydantic import BaseModel

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
    status: AssignmentStatus
    score: float | None
    note: str | None
    created_at: UtcDatetime
