"""Shapes of a bulk life-cycle move: what staff send, and one outcome per assignment."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from matcher.api.types import Id, Text
from matcher.assignments.lifecycle import Action
from matcher.models import AssignmentStatus


class BulkTransitionIn(BaseModel):
    """One move for many assignments; ``reason`` for decline/cancel, ``rating`` (1–5) and
    ``outcome`` for complete (as the single moves ask)."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    assignment_ids: list[Id] = Field(min_length=1, max_length=1000)
    reason: Text(500) | None = None
    rating: int | None = Field(None, ge=1, le=5)
    outcome: Text(1000) | None = None


class RowOutcome(BaseModel):
    assignment_id: int
    ok: bool
    status: AssignmentStatus | None = Field(None, description="the new status, when moved")
    code: str | None = Field(None, description="why not, e.g. illegal_transition, not_found")
    message: str | None = None


class BulkTransitionOut(BaseModel):
    """Per row: moved rows stay moved, refused rows are listed with their reason."""

    action: Action
    done: int
    refused: int
    rows: list[RowOutcome]
