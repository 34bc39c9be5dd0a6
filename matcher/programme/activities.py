"""Service activity records (服务活动记录): a society (or staff) records, lists and edits what
it did for an enterprise; the enterprise confirms or disputes it; volunteer hours add up per
society and per expert.

Who may do what: staff everything (a record names its society); a society records and edits
its own, for an enterprise it is paired with in an open round or bound to by an assignment;
an enterprise sees the records about it and answers them. Records an actor may not see are
404. Editing a record sets its confirmation back to pending.
"""

from __future__ import annotations

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session, joinedload

from matcher.audit.service import record
from matcher.auth import policy
from matcher.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from matcher.models import (
    Assignment,
    AssignmentStatus,
    ConfirmationStatus,
    Enterprise,
    Expert,
    ProgrammeRound,
    Role,
    ServiceActivity,
    Society,
    User,
    activity_experts,
    expert_societies,
)
from matcher.models.base import utcnow
from matcher.programme.activity_rules import Lookups, expert_hours, problems
from matcher.programme.schemas import ActivityAnswer, ActivityExpertOut, ActivityIn, ActivityOut


def _visible(actor: User | None):
    return policy.party_condition(
        actor, society_id=ServiceActivity.society_id, enterprise_id=ServiceActivity.enterprise_id
    )


def _society_of(actor: User | None, data: ActivityIn) -> int:
    """The society a new record belongs to: the actor's own, or (staff) the one named."""
    if policy.is_staff(actor):
        if data.society_id is None:
            raise InvalidInputError("请指定学会", "society_id is required", code="missing_field")
        return data.society_id
    if actor is not None and actor.role is Role.SOCIETY and actor.society_id is not None:
        if data.society_id not in (None, actor.society_id):
            raise NotFoundError("学会", "society")
        return actor.society_id
    raise PermissionDeniedError("仅学会或工作人员可记录服务活动", "societies and staff only")


def _check(session: Session, actor: User | None, society_id: int, data: ActivityIn) -> Lookups:
    if session.get(Society, society_id) is None:
        raise NotFoundError("学会", "society")
    if session.get(Enterprise, data.enterprise_id) is None:
        raise NotFoundError("企业", "enterprise")
    look = Lookups.load(
        session,
        experts=set(data.expert_ids),
        needs={data.need_id} - {None},
        assignments={data.assignment_id} - {None},
    )
    if not policy.is_staff(actor) and not _serves(session, look, society_id, data.enterprise_id):
        raise NotFoundError("企业", "enterprise")
    found = problems(
        look,
        society_id=society_id,
        enterprise_id=data.enterprise_id,
        service_type=data.service_type,
        platform_kind=data.platform_kind,
        expert_ids=data.expert_ids,
        need_id=data.need_id,
        assignment_id=data.assignment_id,
    )
    if found:
        text = "; ".join(msg for _f, msg in found)
        raise InvalidInputError(
            text,
            text,
            code="invalid_activity",
            details=[{"field": f, "message": m} for f, m in found],
        )
    return look


def _serves(session: Session, look: Lookups, society_id: int, enterprise_id: int) -> bool:
    """Paired in an open round, or bound by an assignment (not cancelled)."""
    if (enterprise_id, society_id) in look.pair_round:
        return True
    return bool(
        session.scalar(
            select(
                exists().where(
                    Assignment.society_id == society_id,
                    Assignment.enterprise_id == enterprise_id,
                    Assignment.status != AssignmentStatus.CANCELLED,
                )
            )
        )
    )


def _write_experts(session: Session, activity: ServiceActivity, expert_ids: list[int]) -> None:
    session.execute(delete(activity_experts).where(activity_experts.c.activity_id == activity.id))
    shares = expert_hours(activity.volunteer_hours, expert_ids)
    if shares:
        session.execute(
            insert(activity_experts),
            [{"activity_id": activity.id, "expert_id": e, "hours": h} for e, h in shares.items()],
        )


def _fields(data: ActivityIn) -> dict:
    return data.model_dump(exclude={"society_id", "expert_ids"})


def record_activity(*, session: Session, actor: User | None, data: ActivityIn) -> ActivityOut:
    """Record one activity (see the module for who may)."""
    society_id = _society_of(actor, data)
    look = _check(session, actor, society_id, data)
    activity = ServiceActivity(
        society_id=society_id,
        round_id=look.pair_round.get((data.enterprise_id, society_id)),
        created_by=actor.username if actor else "",
        **_fields(data),
    )
    session.add(activity)
    session.flush()
    _write_experts(session, activity, data.expert_ids)
    record(
        session=session,
        actor=actor,
        action="activity_recorded",
        target_type="service_activity",
        target_id=activity.id,
    )
    return get_activity(session=session, actor=actor, activity_id=activity.id)


def _own(session: Session, actor: User | None, activity_id: int) -> ServiceActivity:
    row = session.scalar(
        select(ServiceActivity)
        .where(ServiceActivity.id == activity_id, _visible(actor))
        .options(joinedload(ServiceActivity.society), joinedload(ServiceActivity.enterprise))
    )
    if row is None:
        raise NotFoundError("服务活动", "activity")
    return row


def update_activity(
    *, session: Session, actor: User | None, activity_id: int, data: ActivityIn
) -> ActivityOut:
    """Edit a record (its society or staff); the enterprise's answer goes back to pending."""
    row = _own(session, actor, activity_id)
    if not policy.is_staff(actor) and (actor is None or actor.role is not Role.SOCIETY):
        raise PermissionDeniedError("仅记录的学会或工作人员可修改", "only its society or staff")
    society_id = data.society_id if policy.is_staff(actor) and data.society_id else row.society_id
    look = _check(session, actor, society_id, data)
    for key, value in _fields(data).items():
        setattr(row, key, value)
    row.society_id = society_id
    row.round_id = look.pair_round.get((data.enterprise_id, society_id), row.round_id)
    row.confirmation, row.confirmation_note = ConfirmationStatus.PENDING, None
    row.confirmed_by, row.confirmed_at = None, None
    session.flush()
    _write_experts(session, row, data.expert_ids)
    record(
        session=session,
        actor=actor,
        action="activity_edited",
        target_type="service_activity",
        target_id=row.id,
    )
    return get_activity(session=session, actor=actor, activity_id=row.id)


def answer_activity(
    *, session: Session, actor: User | None, activity_id: int, answer: ActivityAnswer
) -> ActivityOut:
    """The enterprise confirms or disputes a record about it (a dispute needs a note)."""
    row = _own(session, actor, activity_id)
    if actor is None or actor.role is not Role.ENTERPRISE:
        raise PermissionDeniedError("仅该企业可确认或提出异议", "only the enterprise may answer")
    if answer.answer == "disputed" and not answer.note:
        raise InvalidInputError(
            "提出异议时请说明原因", "a dispute needs a note", code="missing_field"
        )
    row.confirmation = ConfirmationStatus(answer.answer)
    row.confirmation_note = answer.note or None
    row.confirmed_by, row.confirmed_at = actor.username, utcnow()
    session.flush()
    record(
        session=session,
        actor=actor,
        action=f"activity_{answer.answer}",
        target_type="service_activity",
        target_id=row.id,
        detail={"note": answer.note},
    )
    return get_activity(session=session, actor=actor, activity_id=row.id)


_DERIVED = {"round", "experts", "society_name", "enterprise_name"}


def _outs(session: Session, rows: list[ServiceActivity]) -> list[ActivityOut]:
    ids = [r.id for r in rows]
    experts: dict[int, list[ActivityExpertOut]] = {i: [] for i in ids}
    if ids:
        for aid, eid, name, hours in session.execute(
            select(activity_experts.c.activity_id, Expert.id, Expert.name, activity_experts.c.hours)
            .join(Expert, Expert.id == activity_experts.c.expert_id)
            .where(activity_experts.c.activity_id.in_(ids))
            .order_by(Expert.id)
        ):
            experts[aid].append(ActivityExpertOut(expert_id=eid, expert_name=name, hours=hours))
    rounds = dict(session.execute(select(ProgrammeRound.id, ProgrammeRound.name)).all())
    return [
        ActivityOut(
            **{k: getattr(r, k) for k in ActivityOut.model_fields if k not in _DERIVED}
            | {"round": rounds.get(r.round_id), "experts": experts[r.id]}
            | {"society_name": r.society.name, "enterprise_name": r.enterprise.name}
        )
        for r in rows
    ]


def get_activity(*, session: Session, actor: User | None, activity_id: int) -> ActivityOut:
    return _outs(session, [_own(session, actor, activity_id)])[0]


def list_activities(
    *,
    session: Session,
    actor: User | None,
    society_id: int | None = None,
    enterprise_id: int | None = None,
    confirmation: ConfirmationStatus | None = None,
    limit: int = 500,
    offset: int = 0,
) -> tuple[list[ActivityOut], int]:
    """The records the actor may see, newest first, and how many there are."""
    where = [_visible(actor)]
    if society_id is not None:
        where.append(ServiceActivity.society_id == society_id)
    if enterprise_id is not None:
        where.append(ServiceActivity.enterprise_id == enterprise_id)
    if confirmation is not None:
        where.append(ServiceActivity.confirmation == confirmation)
    total = session.scalar(select(func.count()).select_from(ServiceActivity).where(*where))
    rows = session.scalars(
        select(ServiceActivity)
        .where(*where)
        .options(joinedload(ServiceActivity.society), joinedload(ServiceActivity.enterprise))
        .order_by(ServiceActivity.activity_date.desc(), ServiceActivity.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return _outs(session, list(rows)), total or 0


def _hours_scope(actor: User | None):
    """Staff: every society; a society: its own; anyone else: nothing."""
    if policy.is_staff(actor):
        return None
    if actor is not None and actor.role is Role.SOCIETY and actor.society_id is not None:
        return actor.society_id
    raise PermissionDeniedError("仅学会或工作人员可查看志愿时长", "societies and staff only")


def hours_by_society(*, session: Session, actor: User | None) -> list[dict]:
    """Volunteer hours per society: the sum of its activities' totals (and their number)."""
    scope = _hours_scope(actor)
    stmt = (
        select(
            Society.id,
            Society.name,
            func.sum(ServiceActivity.volunteer_hours),
            func.count(ServiceActivity.id),
        )
        .join(ServiceActivity, ServiceActivity.society_id == Society.id)
        .group_by(Society.id, Society.name)
        .order_by(func.sum(ServiceActivity.volunteer_hours).desc(), Society.id)
    )
    if scope is not None:
        stmt = stmt.where(Society.id == scope)
    return [
        {"id": i, "name": n, "hours": float(h or 0), "activities": c}
        for i, n, h, c in session.execute(stmt)
    ]


def hours_by_expert(*, session: Session, actor: User | None) -> list[dict]:
    """Volunteer hours per expert: the sum of their shares (a society sees its records')."""
    scope = _hours_scope(actor)
    stmt = (
        select(
            Expert.id,
            Expert.name,
            func.sum(activity_experts.c.hours),
            func.count(activity_experts.c.activity_id),
        )
        .join(activity_experts, activity_experts.c.expert_id == Expert.id)
        .join(ServiceActivity, ServiceActivity.id == activity_experts.c.activity_id)
        .group_by(Expert.id, Expert.name)
        .order_by(func.sum(activity_experts.c.hours).desc(), Expert.id)
    )
    if scope is not None:
        stmt = stmt.where(ServiceActivity.society_id == scope)
    return [
        {"id": i, "name": n, "hours": float(h or 0), "activities": c}
        for i, n, h, c in session.execute(stmt)
    ]


def recording_choices(
    *, session: Session, actor: User | None, society_id: int
) -> tuple[dict[int, str], dict[int, str]]:
    """What a record of ``society_id`` may name: the enterprises it serves (paired in an
    open round, or bound by an assignment) and its experts, each id → name."""
    if not policy.is_staff(actor) and (actor is None or actor.society_id != society_id):
        raise NotFoundError("学会", "society")
    look = Lookups.load(session, experts=set(), needs=set(), assignments=set())
    paired = {e for e, s in look.pair_round if s == society_id}
    assigned = set(
        session.scalars(
            select(Assignment.enterprise_id).where(
                Assignment.society_id == society_id,
                Assignment.status != AssignmentStatus.CANCELLED,
                Assignment.enterprise_id.is_not(None),
            )
        )
    )
    enterprises = dict(
        session.execute(
            select(Enterprise.id, Enterprise.name)
            .where(Enterprise.id.in_(paired | assigned))
            .order_by(Enterprise.name)
        ).all()
    )
    experts = dict(
        session.execute(
            select(Expert.id, Expert.name)
            .join(expert_societies, expert_societies.c.expert_id == Expert.id)
            .where(expert_societies.c.society_id == society_id)
            .order_by(Expert.name)
        ).all()
    )
    return enterprises, experts
