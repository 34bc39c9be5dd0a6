"""Shapes of the staff's standing decisions: pins and forbids, conflicts of interest."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from matcher.api.types import Id, Text, UtcDatetime
from matcher.models import ConflictSource, ConstraintKind

Reason = Text(500)


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NeedPair(_Closed):
    """One need and one society."""

    need_id: Id
    society_id: Id
    reason: Reason = ""


class EnterprisePair(_Closed):
    """Every need of one enterprise and one society."""

    enterprise_id: Id
    society_id: Id
    reason: Reason = ""


RuleIn = NeedPair | EnterprisePair


class RuleOut(BaseModel):
    id: int
    kind: ConstraintKind
    need_id: int | None
    enterprise_id: int | None
    society_id: int
    reason: str
    created_by: str
    created_at: UtcDatetime


class ExpertConflict(_Closed):
    """An expert who must never serve the enterprise."""

    enterprise_id: Id
    expert_id: Id
    reason: Text(500, 1)


class SocietyConflict(_Closed):
    """A society that must never serve the enterprise."""

    enterprise_id: Id
    society_id: Id
    reason: Text(500, 1)


ConflictIn = ExpertConflict | SocietyConflict


class ConflictOut(BaseModel):
    id: int
    enterprise_id: int
    expert_id: int | None
    society_id: int | None
    reason: str
    source: ConflictSource = Field(description="imported from a file, or entered by staff")
    created_by: str
    created_at: UtcDatetime
