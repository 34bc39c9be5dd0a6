"""Societies: directory, profile updates, leads (needs matched to them) and responses."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from matcher.api.pagination import paginate
from matcher.audit.service import apply_changes, record
from matcher.auth import policy
from matcher.errors import InvalidInputError, NotFoundError
from matcher.models import (
    LeadResponse,
    LeadResponseStatus,
    MatchResult,
    Society,
    TargetKind,
    TechNeed,
    User,
    expert_societies,
)
from matcher.needs.service import need_out
from matcher.societies.schemas import (
    LeadFilter,
    LeadOut,
    LeadResponseIn,
    LeadResponseOut,
    LeadSort,
    ResponseFilter,
    SocietyOut,
    SocietyUpdate,
)
from matcher.timeutil import within_days


def society_out(session: Session, rows: Sequence[Society]) -> list[SocietyOut]:
    ids = [s.id for s in rows]
    counts = dict(
        session.execute(
            select(expert_societies.c.society_id, func.count())
            .where(expert_societies.c.society_id.in_(ids))
            .group_by(expert_societies.c.society_id)
        ).all()
    )
    return [
        SocietyOut(
            id=s.id,
            external_id=s.external_id,
            name=s.name,
            disciplines=list(s.disciplines or []),
            description=s.description or "",
            city=s.city,
            capacity=s.capacity,
            contact_name=s.contact_name,
            contact_phone=s.contact_phone,
            email=s.email,
            expert_count=counts.get(s.id, 0),
        )
        for s in rows
    ]


def list_societies(
    *, session: Session, q: str | None, city: str | None, limit: int, offset: int
) -> tuple[list[SocietyOut], int]:
    """The public directory of societies (every signed-in role may read it)."""
    stmt = select(Society).order_by(Society.id)
    if q:
        stmt = stmt.where(or_(Society.name.contains(q), Society.description.contains(q)))
    if city:
        stmt = stmt.where(Society.city == city)
    rows, total = paginate(session, stmt, limit=limit, offset=offset)
    return society_out(session, rows), total


def get_society(*, session: Session, society_id: int) -> SocietyOut:
    society = session.get(Society, society_id)
    if society is None:
        raise NotFoundError("学会", "society")
    return society_out(session, [society])[0]


def update_society(
    *, session: Session, actor: User | None, society_id: int, data: SocietyUpdate
) -> SocietyOut:
    """The society itself or staff may edit its profile."""
    society = policy.get_managed_society(session, actor, society_id)
    apply_changes(
        session=session,
        actor=actor,
        obj=society,
        changes=data.model_dump(exclude_unset=True),
        action="society_updated",
        target_type="society",
    )
    session.flush()
    return society_out(session, [society])[0]


def list_leads(
    *,
    session: Session,
    actor: User | None,
    society_id: int,
    filters: LeadFilter | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[LeadOut], int]:
    """One page of the needs matched to the society, filtered, ordered and counted in SQL,
    each with its match and the society's response (if any)."""
    policy.get_managed_society(session, actor, society_id)
    f = filters or LeadFilter()
    stmt = (
        select(MatchResult)
        .join(TechNeed, TechNeed.id == MatchResult.need_id)
        .outerjoin(
            LeadResponse,
            (LeadResponse.need_id == MatchResult.need_id) & (LeadResponse.society_id == society_id),
        )
        .where(MatchResult.target_kind == TargetKind.SOCIETY, MatchResult.target_id == society_id)
        .where(policy.routable(), *_lead_conditions(f))
        .options(selectinload(MatchResult.need).selectinload(TechNeed.enterprise))
    )
    order = (
        (MatchResult.score.desc(), MatchResult.id)
        if f.sort is LeadSort.score
        else (TechNeed.created_at.desc(), MatchResult.id)
    )
    rows, total = paginate(session, stmt.order_by(*order), limit=limit, offset=offset)
    needs = need_out(session, actor, [r.need for r in rows])
    responses = {
        r.need_id: r
        for r in session.scalars(
            select(LeadResponse).where(
                LeadResponse.society_id == society_id,
                LeadResponse.need_id.in_([r.need_id for r in rows]),
            )
        )
    }
    items = []
    for match, need in zip(rows, needs, strict=True):
        resp = responses.get(match.need_id)
        items.append(
            LeadOut(
                need=need,
                rank=match.rank,
                score=match.score,
                components=match.components or {},
                matched_keywords=list(match.matched_keywords or []),
                response=LeadResponseOut(
                    status=resp.status, reason=resp.reason, updated_at=resp.updated_at
                )
                if resp
                else None,
            )
        )
    return items, total


def _lead_conditions(f: LeadFilter) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``f`` (the need's columns, the score, the answer, the date)."""
    out: list[ColumnElement[bool]] = [
        column == value
        for column, value in (
            (TechNeed.city, f.city),
            (TechNeed.industry, f.industry),
            (TechNeed.status, f.status),
        )
        if value
    ]
    if f.min_score is not None:
        out.append(MatchResult.score >= f.min_score)
    if f.max_score is not None:
        out.append(MatchResult.score <= f.max_score)
    if f.response is ResponseFilter.none:
        out.append(LeadResponse.id.is_(None))
    elif f.response is ResponseFilter.answered:
        out.append(LeadResponse.id.is_not(None))
    elif f.response is not None:
        out.append(LeadResponse.status == LeadResponseStatus(f.response.value))
    return out + within_days(TechNeed.created_at, f.posted_from, f.posted_to)


def respond_to_lead(
    *, session: Session, actor: User | None, society_id: int, need_id: int, data: LeadResponseIn
) -> LeadResponseOut:
    """Record (or change) the society's answer to one of its leads."""
    policy.get_managed_society(session, actor, society_id)
    is_lead = session.scalar(
        select(MatchResult.id).where(
            MatchResult.need_id == need_id,
            MatchResult.target_kind == TargetKind.SOCIETY,
            MatchResult.target_id == society_id,
        )
    )
    if is_lead is None:
        raise NotFoundError("线索", "lead")
    if data.status is LeadResponseStatus.NOT_SUITABLE and not data.reason:
        raise InvalidInputError(
            "请说明不合适的原因", "a reason is required", details={"field": "reason"}
        )
    resp = session.scalar(
        select(LeadResponse).where(
            LeadResponse.need_id == need_id, LeadResponse.society_id == society_id
        )
    )
    if resp is None:
        resp = LeadResponse(need_id=need_id, society_id=society_id)
        session.add(resp)
    resp.status, resp.reason = data.status, data.reason
    resp.user_id = actor.id if actor else None
    session.flush()
    record(
        session=session,
        actor=actor,
        action="lead_response",
        target_type="need",
        target_id=need_id,
        detail={"society_id": society_id, "status": data.status.value, "reason": data.reason},
    )
    return LeadResponseOut(status=resp.status, reason=resp.reason, updated_at=resp.updated_at)
