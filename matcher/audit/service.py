"""The audit trail: every change records who did what to which object."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.models import AuditEvent, User


def record(
    *,
    session: Session,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: object = None,
    count: int = 1,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's transaction (never commits)."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_label=actor.username if actor else "system",
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        count=count,
        detail=detail or {},
    )
    session.add(event)
    return event


def list_events(
    *,
    session: Session,
    action: str | None = None,
    target_type: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEvent]:
    """Newest first, optionally filtered."""
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if target_type:
        stmt = stmt.where(AuditEvent.target_type == target_type)
    if since:
        stmt = stmt.where(AuditEvent.at >= since)
    return list(session.scalars(stmt.limit(limit).offset(offset)))
