"""Assignments of a society to an enterprise (optionally for one need); staff only here."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.api.pagination import paginate
from matcher.assignments.schemas import AssignmentCreate, AssignmentOut
from matcher.audit.service import record
from matcher.auth import policy
from matcher.errors import ConflictError, InvalidInputError, NotFoundError
from matcher.models import (
    Assignment,
    AssignmentStatus,
    Enterprise,
    NeedStatus,
    Society,
    TechNeed,
    User,
)


def _out(a: Assignment) -> AssignmentOut:
    return AssignmentOut.model_validate(a, from_attributes=True)


@policy.staff_only
def create_assignment(
    *, session: Session, actor: User | None, data: AssignmentCreate
) -> AssignmentOut:
    """Assign a society to an enterprise (or to one need, which then becomes assigned)."""
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
    assignment = Assignment(
        society_id=data.society_id,
        enterprise_id=enterprise_id,
        need_id=need.id if need else None,
        status=AssignmentStatus.CONFIRMED,
        note=data.note,
        created_by_id=actor.id if actor else None,
    )
    session.add(assignment)
    if need is not None and need.status in (NeedStatus.OPEN, NeedStatus.MATCHED):
        need.status = NeedStatus.ASSIGNED
    session.flush()
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
    return _out(assignment)


@policy.staff_only
def list_assignments(
    *,
    session: Session,
    actor: User | None,
    society_id: int | None = None,
    enterprise_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AssignmentOut], int]:
    stmt = select(Assignment).order_by(Assignment.id.desc())
    if society_id is not None:
        stmt = stmt.where(Assignment.society_id == society_id)
    if enterprise_id is not None:
        stmt = stmt.where(Assignment.enterprise_id == enterprise_id)
    rows, total = paginate(session, stmt, limit=limit, offset=offset)
    return [_out(a) for a in rows], total
