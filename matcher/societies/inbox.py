"""A society's inbox around its leads: when its user last looked (so later leads show as
new), and how much of its capacity its active assignments use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from matcher.assignments.locking import active_counts
from matcher.auth import policy
from matcher.errors import NotFoundError
from matcher.models import Assignment, InboxVisit, User
from matcher.models.base import utcnow
from matcher.timeutil import assume_utc


def open_inbox(*, session: Session, actor: User | None) -> datetime | None:
    """Record that ``actor`` opens the inbox now; return when it last did (None: never)."""
    if actor is None:
        raise NotFoundError("用户", "user")
    visit = session.get(InboxVisit, actor.id)
    previous = assume_utc(visit.seen_at) if visit else None
    if visit is None:
        visit = InboxVisit(user_id=actor.id)
        session.add(visit)
    visit.seen_at = utcnow()
    session.flush()
    return previous


@dataclass(frozen=True)
class Workload:
    active: int
    """Assignments proposed, confirmed or in service."""
    capacity: int


def workload(*, session: Session, actor: User | None, society_id: int) -> Workload:
    """Active assignments against capacity (the society itself or staff)."""
    society = policy.get_managed_society(session, actor, society_id)
    active = active_counts(session, Assignment.society_id, [society_id])[society_id]
    return Workload(active=active, capacity=society.capacity)
