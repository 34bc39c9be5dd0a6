"""The audit trail: every change records who did what to which object."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
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


def events_query(
    *,
    action: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    actor_label: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[tuple[AuditEvent]]:
    """Newest first, optionally filtered."""
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    for column, value in (
        (AuditEvent.action, action),
        (AuditEvent.target_type, target_type),
        (AuditEvent.target_id, target_id),
        (AuditEvent.actor_label, actor_label),
    ):
        if value:
            stmt = stmt.where(column == value)
    if since:
        stmt = stmt.where(AuditEvent.at >= _utc(since))
    if until:
        stmt = stmt.where(AuditEvent.at < _utc(until))
    return stmt


def _utc(value: datetime) -> datetime:
    """The same instant in UTC (naive input is taken as UTC): SQLite stores timestamps as
    naive UTC text and compares text, so an offset left on the bound value shifts it."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


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
    stmt = events_query(action=action, target_type=target_type, since=since)
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def apply_changes(
    *,
    session: Session,
    actor: User | None,
    obj: Any,
    changes: dict[str, Any],
    action: str,
    target_type: str,
) -> list[str]:
    """Set the given attributes on ``obj`` and audit the fields that really changed.

    ``None`` means "not given" (a partial update), so it never overwrites a value.
    """
    changed = [k for k, v in changes.items() if v is not None and getattr(obj, k) != v]
    for key in changed:
        setattr(obj, key, changes[key])
    if changed:
        record(
            session=session,
            actor=actor,
            action=action,
            target_type=target_type,
            target_id=obj.id,
            detail={"fields": changed},
        )
    return changed
