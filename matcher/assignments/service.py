"""Assignments of a society to an enterprise (optionally for one need): staff create one by
hand; each role lists and reads the ones it may see."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from matcher.assignments import locking
from matcher.assignments.records import filtered_page
from matcher.assignments.schemas import AssignmentCreate, AssignmentOut
from matcher.audit.service import record
from matcher.auth import policy
from matcher.errors import ConflictError, InvalidInputError, NotFoundError
from matcher.models import (
    Assignment,
    AssignmentStatus,
    Enterprise,
    Role,
    Society,
    TechNeed,
    User,
)
from matcher.models.base import utcnow


def assignment_out(a: Assignment) -> AssignmentOut:
    return AssignmentOut(
        id=a.id,
        society_id=a.society_id,
        enterprise_id=a.enterprise_id,
        need_id=a.need_id,
        expert_id=a.expert_id,
        run_id=a.run_id,
        status=a.status,
        score=a.score,
        pinned=bool(a.pinned),
        note=a.note,
        rating=a.rating,
        outcome=a.rating_comment,
        cancel_reason=a.cancel_reason,
        declined=a.declined_at is not None,
        created_at=a.created_at,
        confirmed_at=a.confirmed_at,
        started_at=a.started_at,
        completed_at=a.completed_at,
        cancelled_at=a.cancelled_at,
    )


def assignment_condition(actor: User | None) -> ColumnElement[bool]:
    """A WHERE clause on ``Assignment``: staff all, a society its own, an enterprise its own."""
    if policy.is_staff(actor):
        return true()
    if actor is None:
        return false()
    if actor.role is Role.SOCIETY and actor.society_id is not None:
        return Assignment.society_id == actor.society_id
    if actor.role is Role.ENTERPRISE and actor.enterprise_id is not None:
        return Assignment.enterprise_id == actor.enterprise_id
    return false()


def get_visible_assignment(session: Session, actor: User | None, assignment_id: int) -> Assignment:
    found = session.scalar(
        select(Assignment).where(Assignment.id == assignment_id, assignment_condition(actor))
    )
    if found is None:
        raise NotFoundError("分配", "assignment")
    return found


@policy.staff_only
def create_assignment(
    *, session: Session, actor: User | None, data: AssignmentCreate
) -> AssignmentOut:
    """Assign a society to an enterprise (or to one need, which then becomes assigned) by
    hand: confirmed at once, within the society's capacity."""
    if session.get(Society, data.society_id) is None:
        raise NotFoundError("学会", "society")
    need = session.get(TechNeed, data.need_id) if data.need_id else None
    if data.need_id and need is None:
        raise NotFoundError("需求", "need")
    enterprise_id = data.enterprise_id or (need.enterprise_id if need else None)
    if enterprise_id is None:
        raise InvalidInputError(
            "请指定企业或需求",
            "enterprise_id or need_id is required",
            details={"field": "enterprise_id"},
        )
    if need is not None and need.enterprise_id != enterprise_id:
        raise InvalidInputError("需求不属于该企业", "the need belongs to another enterprise")
    if session.get(Enterprise, enterprise_id) is None:
        raise NotFoundError("企业", "enterprise")
    locking.take_write_lock(session)
    capacity = locking.lock_societies(session, [data.society_id])[data.society_id]
    needs = locking.lock_needs(session, [need.id]) if need is not None else []
    duplicate = session.scalar(
        select(Assignment.id).where(
            Assignment.society_id == data.society_id,
            Assignment.enterprise_id == enterprise_id,
            Assignment.need_id.is_(None) if need is None else Assignment.need_id == need.id,
            Assignment.status != AssignmentStatus.CANCELLED,
        )
    )
    if duplicate is not None:
        raise ConflictError("该分配已存在", "this assignment already exists")
    used = locking.active_counts(session, Assignment.society_id, [data.society_id])
    if used[data.society_id] >= capacity:
        raise ConflictError(
            f"该学会已满额（容量 {capacity}）",
            f"the society is at capacity ({capacity})",
            code="society_full",
        )
    assignment = Assignment(
        society_id=data.society_id,
        enterprise_id=enterprise_id,
        need_id=need.id if need else None,
        status=AssignmentStatus.CONFIRMED,
        note=data.note,
        created_by_id=actor.id if actor else None,
        confirmed_at=utcnow(),
    )
    session.add(assignment)
    session.flush()
    locking.follow_assignments(session, needs)
    record(
        session=session,
        actor=actor,
        action="assignment_created",
        target_type="assignment",
        target_id=assignment.id,
        detail={
            "society_id": data.society_id,
            "enterprise_id": enterprise_id,
            "need_id": assignment.need_id,
        },
    )
    return assignment_out(assignment)


def list_assignments(
    *,
    session: Session,
    actor: User | None,
    society_id: int | None = None,
    enterprise_id: int | None = None,
    need_id: int | None = None,
    run_id: int | None = None,
    status: AssignmentStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AssignmentOut], int]:
    """The assignments ``actor`` may see (staff all, a society or enterprise its own)."""
    rows, total = filtered_page(
        session,
        select(Assignment).where(assignment_condition(actor)).order_by(Assignment.id.desc()),
        (
            (Assignment.society_id, society_id),
            (Assignment.enterprise_id, enterprise_id),
            (Assignment.need_id, need_id),
            (Assignment.run_id, run_id),
            (Assignment.status, status),
        ),
        limit=limit,
        offset=offset,
    )
    return [assignment_out(a) for a in rows], total


def get_assignment(*, session: Session, actor: User | None, assignment_id: int) -> AssignmentOut:
    return assignment_out(get_visible_assignment(session, actor, assignment_id))
