"""Experts: directory (contacts withheld by the privacy rules) and profile updates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from matcher.api.pagination import paginate
from matcher.audit.service import apply_changes, record
from matcher.auth import policy
from matcher.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from matcher.experts.schemas import ExpertCreate, ExpertOut, ExpertUpdate
from matcher.models import Expert, Role, User, expert_societies


def expert_out(session: Session, actor: User | None, rows: Sequence[Expert]) -> list[ExpertOut]:
    memberships = policy.expert_society_ids(session, {e.id for e in rows})
    out = []
    for e in rows:
        societies = memberships.get(e.id, set())
        show = policy.can_manage_expert(actor, societies)
        out.append(
            ExpertOut(
                id=e.id,
                external_id=e.external_id,
                name=e.name,
                title=e.title,
                affiliation=e.affiliation,
                city=e.city,
                research_areas=list(e.research_areas or []),
                profile=e.profile or "",
                society_ids=sorted(societies),
                contact_visible=show,
                phone=e.phone if show else None,
                email=e.email if show else None,
            )
        )
    return out


def list_experts(
    *,
    session: Session,
    actor: User | None,
    society_id: int | None = None,
    q: str | None = None,
    city: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ExpertOut], int]:
    stmt = select(Expert).order_by(Expert.id)
    if society_id is not None:
        stmt = stmt.where(
            Expert.id.in_(
                select(expert_societies.c.expert_id).where(
                    expert_societies.c.society_id == society_id
                )
            )
        )
    if q:
        stmt = stmt.where(or_(Expert.name.contains(q), Expert.profile.contains(q)))
    if city:
        stmt = stmt.where(Expert.city == city)
    rows, total = paginate(session, stmt, limit=limit, offset=offset)
    return expert_out(session, actor, rows), total


def get_expert(*, session: Session, actor: User | None, expert_id: int) -> ExpertOut:
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFoundError("专家", "expert")
    return expert_out(session, actor, [expert])[0]


def update_expert(
    *, session: Session, actor: User | None, expert_id: int, data: ExpertUpdate
) -> ExpertOut:
    """Staff, or a user of one of the expert's societies."""
    expert = policy.get_managed_expert(session, actor, expert_id)
    apply_changes(
        session=session,
        actor=actor,
        obj=expert,
        changes=data.model_dump(exclude_unset=True),
        action="expert_updated",
        target_type="expert",
    )
    session.flush()
    return expert_out(session, actor, [expert])[0]


def _society_for(actor: User | None, society_id: int | None) -> int:
    """The society whose roster changes: staff name one; a society user its own (naming
    another is 404 later); anyone else may not."""
    if policy.is_staff(actor):
        if society_id is None:
            raise InvalidInputError(
                "请指定学会 society_id", "society_id is required", details={"field": "society_id"}
            )
        return society_id
    if actor is None or actor.role is not Role.SOCIETY or actor.society_id is None:
        raise PermissionDeniedError("只有学会或工作人员可以管理专家", "society or staff only")
    return society_id or actor.society_id


def create_expert(*, session: Session, actor: User | None, data: ExpertCreate) -> ExpertOut:
    """Add an expert to a society's roster: the society's own users or staff."""
    society = policy.get_managed_society(session, actor, _society_for(actor, data.society_id))
    fields = data.model_dump(exclude={"society_id"}, exclude_none=True)
    expert = Expert(external_id=f"X-{uuid.uuid4().hex[:12]}", societies=[society], **fields)
    session.add(expert)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="expert_created",
        target_type="expert",
        target_id=expert.id,
        detail={"society_id": society.id, "name": expert.name},
    )
    return expert_out(session, actor, [expert])[0]


def remove_from_society(
    *, session: Session, actor: User | None, expert_id: int, society_id: int | None = None
) -> None:
    """Take an expert off a society's roster (deactivate it there); the expert's record and
    other memberships stay. The society's own users or staff; an expert of another society
    is 404 to a society user."""
    society = policy.get_managed_society(session, actor, _society_for(actor, society_id))
    removed = session.execute(
        delete(expert_societies).where(
            expert_societies.c.expert_id == expert_id,
            expert_societies.c.society_id == society.id,
        )
    ).rowcount
    if not removed:
        raise NotFoundError("专家", "expert")
    record(
        session=session,
        actor=actor,
        action="expert_removed",
        target_type="expert",
        target_id=expert_id,
        detail={"society_id": society.id},
    )
