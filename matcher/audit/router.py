"""``GET /audit``: the audit trail, staff and admin only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from matcher.api.deps import SessionDep, StaffDep
from matcher.api.pagination import Page, paginate
from matcher.api.types import Limit, Offset, QueryDatetime, Text, UtcDatetime
from matcher.audit.service import events_query

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
    stmt = events_query(
        action=action,
        target_type=target_type,
        target_id=target_id,
        actor_label=actor_label,
        since=since,
        until=until,
    )
    rows, total = paginate(session, stmt, limit=limit, offset=offset)
    items = [AuditEventOut.model_validate(r, from_attributes=True) for r in rows]
    return Page[AuditEventOut](items=items, total=total, limit=limit, offset=offset)
