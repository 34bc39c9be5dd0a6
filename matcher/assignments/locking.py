"""What the database enforces for every write that adds or moves assignments.

Writers lock rows in one fixed order — societies, then needs, then assignments, each by id —
with ``SELECT … FOR NO KEY UPDATE`` on PostgreSQL (SQLite has one writer at a time: a no-op
write takes its lock before anything is read), and re-count inside the transaction what the
limits depend on. ``NO KEY``: writers still exclude each other, but a row inserted elsewhere
that only refers to a locked one (a lead answer's foreign-key check takes ``KEY SHARE`` on its
need, then its society) neither waits for nor deadlocks with a commit. A partial unique
index keeps a (need, society) pair active at most once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from matcher.models import (
    ACTIVE_STATUSES,
    Assignment,
    AssignmentStatus,
    MatchResult,
    NeedStatus,
    Society,
    TargetKind,
    TechNeed,
)

CHUNK = 1000


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    """Sorted, distinct ids in slices (ascending across slices: the lock order holds)."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def take_write_lock(session: Session) -> None:
    """SQLite: take the database's write lock now, before this transaction reads what it
    checks (a no-op write; waits for another writer up to the busy timeout).
    PostgreSQL: nothing here, the row locks below do it."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE profile_revision SET revision = revision WHERE id = 0"))


def lock_societies(session: Session, society_ids: Iterable[int]) -> dict[int, int]:
    """Lock the societies' rows (by id) and read their capacity as it is now."""
    out: dict[int, int] = {}
    for part in chunks(society_ids):
        stmt = (
            select(Society.id, Society.capacity)
            .where(Society.id.in_(part))
            .order_by(Society.id)
            .with_for_update(key_share=True)
        )
        out.update(session.execute(stmt).all())
    return out


def lock_needs(session: Session, need_ids: Iterable[int]) -> list[TechNeed]:
    """Lock the needs' rows (by id), loaded afresh."""
    out: list[TechNeed] = []
    for part in chunks(need_ids):
        stmt = (
            select(TechNeed)
            .where(TechNeed.id.in_(part))
            .order_by(TechNeed.id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        out.extend(session.scalars(stmt))
    return out


def lock_assignment(session: Session, assignment_id: int) -> Assignment | None:
    """Lock one assignment row, loaded afresh (after its society and need rows)."""
    stmt = (
        select(Assignment)
        .where(Assignment.id == assignment_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return session.scalar(stmt)


def active_counts(session: Session, column, ids: Iterable[int]) -> Counter[int]:
    """Active (proposed, confirmed, in service) assignments per value of ``column``."""
    out: Counter[int] = Counter()
    for part in chunks(ids):
        stmt = (
            select(column, func.count())
            .where(column.in_(part), Assignment.status.in_(ACTIVE_STATUSES))
            .group_by(column)
        )
        out.update(dict(session.execute(stmt).all()))
    return out


def active_pairs(session: Session, need_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The (need, society) pairs already active among ``need_ids``."""
    out: set[tuple[int, int]] = set()
    for part in chunks(need_ids):
        stmt = select(Assignment.need_id, Assignment.society_id).where(
            Assignment.need_id.in_(part), Assignment.status.in_(ACTIVE_STATUSES)
        )
        out.update((n, s) for n, s in session.execute(stmt))
    return out


AFTER_ASSIGNMENT = (NeedStatus.ASSIGNED, NeedStatus.IN_SERVICE, NeedStatus.RESOLVED)


def follow_assignments(session: Session, needs: Sequence[TechNeed]) -> None:
    """Set each need's status from its assignments: in service if one is, assigned if one
    is proposed or confirmed, resolved if all that are not cancelled are completed; with
    none left, a need that was assigned returns to matched (or open without matches).
    A closed need stays closed."""
    ids = [n.id for n in needs]
    statuses: dict[int, set[AssignmentStatus]] = {i: set() for i in ids}
    matched: set[int] = set()
    for part in chunks(ids):
        rows = session.execute(
            select(Assignment.need_id, Assignment.status).where(
                Assignment.need_id.in_(part), Assignment.status != AssignmentStatus.CANCELLED
            )
        )
        for need_id, status in rows:
            statuses[need_id].add(status)
        matched.update(
            session.scalars(
                select(MatchResult.need_id)
                .where(MatchResult.need_id.in_(part), MatchResult.target_kind == TargetKind.SOCIETY)
                .distinct()
            )
        )
    for need in needs:
        if need.status is NeedStatus.CLOSED:
            continue
        held = statuses[need.id]
        if AssignmentStatus.IN_SERVICE in held:
            need.status = NeedStatus.IN_SERVICE
        elif held & {AssignmentStatus.PROPOSED, AssignmentStatus.CONFIRMED}:
            need.status = NeedStatus.ASSIGNED
        elif AssignmentStatus.COMPLETED in held:
            need.status = NeedStatus.RESOLVED
        elif need.status in AFTER_ASSIGNMENT:
            need.status = NeedStatus.MATCHED if need.id in matched else NeedStatus.OPEN
