"""``GET /audit``: the audit trail, staff and admin only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from matcher.api.deps import SessionDep, StaffDep
from matcher.api.pagination import Page
from matcher.api.types import Limit, Offset, QueryDatetime, Text, UtcDatetime
from matcher.audit.service import audit_page

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEventOut(BaseModel):
    id: int
    at: UtcDatetime
    actor_id: int | None
    actor_label: str
    action: str
    target_type: str
    target_id: str | None
    count: int
    detail: dict[str, Any]
    target_label: str = Field(
        default="", description="the target in words: its name, or what a bulk event covered"
    )


@router.get("", response_model=Page[AuditEventOut])
def list_audit(
    session: SessionDep,
    actor: StaffDep,
    action: Text(50) | None = None,
    target_type: Text(50) | None = None,
    target_id: Text(64) | None = None,
    actor_label: Text(100) | None = None,
    since: QueryDatetime | None = None,
    until: QueryDatetime | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Who changed what, newest first (staff only)."""
    rows, total = audit_page(
        session=session,
        actor=actor,
        limit=limit,
        offset=offset,
        action=action,
        target_type=target_type,
        target_id=target_id,
        actor_label=actor_label,
        since=since,
        until=until,
    )
    items = [
        AuditEventOut.model_validate(e, from_attributes=True).model_copy(
            update={"target_label": label}
        )
        for e, label in rows
    ]
    return Page[AuditEventOut](items=items, total=total, limit=limit, offset=offset)
