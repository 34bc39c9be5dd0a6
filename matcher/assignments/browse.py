"""Assignments as people read them: each row with the names of its need, enterprise,
society and lead expert, filtered by status, names, city and creation date, one page at a
time (the staff services page; every actor sees only what ``assignment_condition`` lets it)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from matcher.api.pagination import paginate
from matcher.assignments.schemas import AssignmentOut
from matcher.assignments.service import assignment_condition, assignment_out
from matcher.models import Assignment, AssignmentStatus, Enterprise, Expert, Society, TechNeed, User
from matcher.timeutil import within_days


class AssignmentFilter(BaseModel):
    """Every field optional; names match as substrings, ``city`` is the need's (or, without
    one, the enterprise's); dates are inclusive days (UTC) of creation."""

    statuses: list[AssignmentStatus] = []
    society: str | None = None
    enterprise: str | None = None
    city: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    run_id: int | None = None


class AssignmentRow(AssignmentOut):
    society_name: str
    enterprise_name: str
    need_external_id: str | None
    need_title: str | None
    city: str | None
    expert_name: str | None


def browse_assignments(
    *,
    session: Session,
    actor: User | None,
    filters: AssignmentFilter,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AssignmentRow], int]:
    """One page of the assignments ``actor`` may see, newest first, with names."""
    city = func.coalesce(func.nullif(TechNeed.city, ""), Enterprise.city)
    stmt = (
        select(Assignment)
        .join(Society, Society.id == Assignment.society_id)
        .join(Enterprise, Enterprise.id == Assignment.enterprise_id)
        .outerjoin(TechNeed, TechNeed.id == Assignment.need_id)
        .where(assignment_condition(actor))
        .options(
            selectinload(Assignment.society),
            selectinload(Assignment.enterprise),
            selectinload(Assignment.need),
        )
        .order_by(Assignment.id.desc())
    )
    f = filters
    conditions = [
        (f.statuses, lambda: Assignment.status.in_(f.statuses)),
        (f.society, lambda: Society.name.contains(f.society, autoescape=True)),
        (f.enterprise, lambda: Enterprise.name.contains(f.enterprise, autoescape=True)),
        (f.city, lambda: city == f.city),
        (f.run_id, lambda: Assignment.run_id == f.run_id),
    ]
    for given, condition in conditions:
        if given:
            stmt = stmt.where(condition())
    stmt = stmt.where(*within_days(Assignment.created_at, f.created_from, f.created_to))
    rows, total = paginate(session, stmt, limit=limit, offset=offset)
    experts = {e for e in (a.expert_id for a in rows) if e is not None}
    names = dict(
        session.execute(select(Expert.id, Expert.name).where(Expert.id.in_(experts))).all()
    )
    return [_row(a, names) for a in rows], total


def _row(a: Assignment, experts: dict[int, str]) -> AssignmentRow:
    need = a.need
    return AssignmentRow(
        **assignment_out(a).model_dump(),
        society_name=a.society.name,
        enterprise_name=a.enterprise.name,
        need_external_id=need.external_id if need else None,
        need_title=need.title if need else None,
        city=(need.city if need and need.city else None) or a.enterprise.city,
        expert_name=experts.get(a.expert_id) if a.expert_id else None,
    )
