"""The audit trail: every change records who did what to which object."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from matcher.api.pagination import paginate
from matcher.auth.policy import staff_only
from matcher.models import (
    Assignment,
    AuditEvent,
    ConflictOfInterest,
    Enterprise,
    Expert,
    ImportMapping,
    Society,
    TechNeed,
    User,
    Workstation,
    WorkstationProposal,
)
from matcher.timeutil import assume_utc


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
    return assume_utc(value).astimezone(UTC)


@staff_only
def audit_page(
    *,
    session: Session,
    actor: User,
    limit: int = 50,
    offset: int = 0,
    **filters: Any,
) -> tuple[list[tuple[AuditEvent, str]], int]:
    """One page of the trail (``events_query``'s filters), each event with its target in
    words (``target_labels``), and the total (staff)."""
    rows, total = paginate(session, events_query(**filters), limit=limit, offset=offset)
    labels = target_labels(session, rows)
    return [(e, labels[e.id]) for e in rows], total


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


# ---- readable targets ----------------------------------------------------------------------


def _pair(model: Any) -> Callable[[list[int]], Select]:
    """Label rows ``(id, society, enterprise)`` of a row that pairs them."""
    return lambda ids: (
        select(model.id, Society.name, Enterprise.name)
        .join(Society, Society.id == model.society_id)
        .join(Enterprise, Enterprise.id == model.enterprise_id)
        .where(model.id.in_(ids))
    )


def _named(*columns: Any) -> Callable[[list[int]], Select]:
    """Label rows ``(id, *columns)`` of one table."""
    key = columns[0].class_.id
    return lambda ids: select(key, *columns).where(key.in_(ids))


def _conflicts(ids: list[int]) -> Select:
    party = func.coalesce(Expert.name, Society.name)
    return (
        select(ConflictOfInterest.id, Enterprise.name, party)
        .join(Enterprise, Enterprise.id == ConflictOfInterest.enterprise_id)
        .outerjoin(Expert, Expert.id == ConflictOfInterest.expert_id)
        .outerjoin(Society, Society.id == ConflictOfInterest.society_id)
        .where(ConflictOfInterest.id.in_(ids))
    )


LABELS: dict[str, Callable[[list[int]], Select]] = {
    "need": _named(TechNeed.external_id, TechNeed.title),
    "user": _named(User.username),
    "enterprise": _named(Enterprise.name),
    "society": _named(Society.name),
    "expert": _named(Expert.name),
    "import_mapping": _named(ImportMapping.name),
    "proposal": _named(WorkstationProposal.title),
    "workstation": _named(Workstation.name),
    "assignment": _pair(Assignment),
    "conflict": _conflicts,
}
"""Target type → the query of ``(id, *label parts)`` for some ids: one query per type."""
TYPE_NAMES = {
    "need": "需求 need",
    "needs": "需求 needs",
    "societies": "学会 societies",
    "experts": "专家 experts",
    "enterprises": "企业 enterprises",
    "conflicts": "利益冲突 conflicts",
    "assignment": "对接 assignments",
    "proposal": "工作站建议 proposals",
}


def bulk_label(event: AuditEvent) -> str:
    """What an event on many rows covered: how many of which kind, from which file."""
    kind = TYPE_NAMES.get(event.target_type, event.target_type)
    source = (event.detail or {}).get("file")
    return f"{event.count} × {kind}" + (f"（{source}）" if source else "")


def target_labels(session: Session, events: Sequence[AuditEvent]) -> dict[int, str]:
    """Event id → its target in words (names, not ids): one query per target type; a
    deleted target keeps its type and id."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for e in events:
        if e.target_type in LABELS and e.target_id and e.target_id.isdigit():
            wanted[e.target_type].add(int(e.target_id))
    found: dict[tuple[str, str], str] = {}
    for kind, ids in wanted.items():
        for key, *parts in session.execute(LABELS[kind](sorted(ids))):
            found[kind, str(key)] = " · ".join(str(p) for p in parts if p)
    return {
        e.id: bulk_label(e)
        if e.target_id is None
        else found.get((e.target_type, e.target_id), f"{e.target_type} #{e.target_id}")
        for e in events
    }


@staff_only
def audit_facets(*, session: Session, actor: User) -> dict[str, list[str]]:
    """The actors, actions and target types the trail holds, for a page's filters."""
    return {
        name: list(session.scalars(select(column).distinct().order_by(column).limit(500)))
        for name, column in (
            ("actor_label", AuditEvent.actor_label),
            ("action", AuditEvent.action),
            ("target_type", AuditEvent.target_type),
        )
    }
