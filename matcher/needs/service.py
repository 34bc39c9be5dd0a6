"""Technical needs: post, list, read, update, close — under the privacy rules — and their
matches through the matching engine."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, or_, select
from sqlalchemy.orm import Session, selectinload

from matcher.api.pagination import paginate
from matcher.audit.service import apply_changes, record
from matcher.auth import policy
from matcher.enterprises.schemas import Contact
from matcher.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from matcher.imports.validators import CellInvalid, check_year_order
from matcher.models import (
    Enterprise,
    MatchResult,
    NeedStatus,
    Role,
    TargetKind,
    TechNeed,
    User,
)
from matcher.needs.listing import apply_list_filter, best_scores
from matcher.needs.schemas import (
    MatchOut,
    NeedCreate,
    NeedFormFilter,
    NeedListFilter,
    NeedOut,
    NeedUpdate,
)

TEXT_FIELDS = frozenset(
    {"title", "description", "keywords", "industry", "city"}
    | {"discipline", "application_industry", "partner"}
)
"""Changing any of these makes the stored matches stale (the form's 学科分类, 应用行业 and
合作意向单位 are hints to the ranking)."""
FORM_FIELDS = (
    *("start_year", "end_year", "budget", "solution_mode", "partner", "activity_type"),
    *("discipline", "application_industry"),
)
"""The need-collection form's scalar fields, as stored (``fields`` is a list)."""
TEXT_SEARCHED = (TechNeed.title, TechNeed.description)


DETAIL_HINT = (
    "需求描述过于简略，系统无法判断应由哪个学会对接。请补充：所属领域或学科、涉及的产品或"
    "工艺、材料、设备型号、目前观察到的故障或瓶颈、期望达到的指标。补充后将重新匹配。 / "
    "Too little to tell which society fits. Add the field, the product or process, materials, "
    "equipment models, the failure or bottleneck seen and the target figures; it is matched "
    "again once edited."
)


def need_out(session: Session, actor: User | None, needs: Sequence[TechNeed]) -> list[NeedOut]:
    """Serialise needs for ``actor``, with enterprise contacts only where allowed."""
    ent_ids = {n.enterprise_id for n in needs if n.enterprise_id is not None}
    visible = policy.contact_enterprise_ids(session, actor, ent_ids)
    result = []
    for n in needs:
        ent = n.enterprise
        contact = Contact.of(ent, show=ent is not None and ent.id in visible)
        result.append(
            NeedOut(
                id=n.id,
                external_id=n.external_id,
                enterprise_id=n.enterprise_id,
                enterprise_name=ent.name if ent else None,
                enterprise_contact=contact,
                title=n.title,
                description=n.description,
                industry=n.industry,
                city=n.city,
                keywords=list(n.keywords or []),
                deadline=n.deadline,
                status=n.status,
                detail_hint=DETAIL_HINT if n.status is NeedStatus.NEEDS_DETAIL else None,
                **{name: getattr(n, name) for name in FORM_FIELDS},
                fields=list(n.fields or []),
                created_at=n.created_at,
                updated_at=n.updated_at,
            )
        )
    return result


def match_out(results: Sequence[MatchResult], names: dict[int, str]) -> list[MatchOut]:
    return [
        MatchOut(
            rank=r.rank,
            target_kind=r.target_kind,
            target_id=r.target_id,
            target_name=names.get(r.target_id, ""),
            score=r.score,
            components=r.components or {},
            matched_keywords=list(r.matched_keywords or []),
            model_id=r.model_id,
            created_at=r.created_at,
        )
        for r in results
    ]


def list_needs(
    *,
    session: Session,
    actor: User | None,
    status: NeedStatus | None = None,
    city: str | None = None,
    industry: str | None = None,
    enterprise_id: int | None = None,
    q: str | None = None,
    form: NeedFormFilter | None = None,
    listing: NeedListFilter | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[NeedOut], int]:
    """One page of the visible needs, filtered, ordered (``listing``: newest first by
    default) and counted in SQL; each with its best stored society score."""
    stmt = policy.visible_needs(actor).options(selectinload(TechNeed.enterprise))
    for column, value in (
        (TechNeed.status, status),
        (TechNeed.city, city),
        (TechNeed.industry, industry),
        (TechNeed.enterprise_id, enterprise_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if q:
        stmt = stmt.where(
            or_(*(c.contains(q, autoescape=True) for c in (*TEXT_SEARCHED, TechNeed.external_id)))
        )
    if form is not None:
        stmt = stmt.where(*_form_conditions(form))
    stmt = apply_list_filter(stmt, actor, listing or NeedListFilter())
    rows, total = paginate(session, stmt, limit=limit, offset=offset)
    best = best_scores(session, actor, (n.id for n in rows))
    out = need_out(session, actor, rows)
    for need in out:
        need.best_score = best.get(need.id)
    return out, total


def _form_conditions(form: NeedFormFilter) -> list[ColumnElement[bool]]:
    """SQL conditions for the form-field filters that are set."""
    conditions: list[ColumnElement[bool]] = [
        column == value
        for column, value in (
            (TechNeed.solution_mode, form.solution_mode),
            (TechNeed.activity_type, form.activity_type),
            (TechNeed.discipline, form.discipline),
            (TechNeed.application_industry, form.application_industry),
        )
        if value is not None
    ]
    if form.field is not None:  # a JSON list: its text holds the quoted item
        text = cast(TechNeed.fields, String)
        quoted = {json.dumps(form.field), json.dumps(form.field, ensure_ascii=False)}
        conditions.append(or_(*(text.contains(q, autoescape=True) for q in sorted(quoted))))
    if form.budget_min is not None:
        conditions.append(TechNeed.budget >= form.budget_min)
    if form.budget_max is not None:
        conditions.append(TechNeed.budget <= form.budget_max)
    if form.year is not None:
        conditions += [
            or_(TechNeed.start_year.is_not(None), TechNeed.end_year.is_not(None)),
            or_(TechNeed.start_year.is_(None), TechNeed.start_year <= form.year),
            or_(TechNeed.end_year.is_(None), TechNeed.end_year >= form.year),
        ]
    return conditions


def get_need(*, session: Session, actor: User | None, need_id: int) -> NeedOut:
    return need_out(session, actor, [policy.get_visible_need(session, actor, need_id)])[0]


def _enterprise_for(session: Session, actor: User | None, enterprise_id: int | None) -> Enterprise:
    if actor is not None and actor.role is Role.ENTERPRISE:
        if enterprise_id not in (None, actor.enterprise_id):
            raise NotFoundError("企业", "enterprise")
        enterprise_id = actor.enterprise_id
    elif not policy.is_staff(actor):
        raise PermissionDeniedError("只有企业或工作人员可以发布需求", "enterprise or staff only")
    if enterprise_id is None:
        raise InvalidInputError(
            "请指定企业 enterprise_id",
            "enterprise_id is required",
            details={"field": "enterprise_id"},
        )
    ent = session.get(Enterprise, enterprise_id)
    if ent is None:
        raise NotFoundError("企业", "enterprise")
    return ent


def post_need(
    *, session: Session, runtime: Any, actor: User | None, data: NeedCreate
) -> tuple[TechNeed, list[MatchOut]]:
    """Post a need (an enterprise for itself, staff for any enterprise; status open) and
    store its top society matches. It is ranked before anything is written, so the write
    transaction stays short (posting enterprises do not queue on it)."""
    from matcher.matching.service import rank_needs, store_ranked, target_names

    need = _new_need(session, actor, data)
    ranked = rank_needs(session=session, runtime=runtime, needs=[need], target=TargetKind.SOCIETY)
    _save_new(session, actor, need)
    results = store_ranked(session=session, needs=[need], ranked=ranked, actor=actor)[need.id]
    return need, match_out(results, target_names(runtime, TargetKind.SOCIETY))


def _new_need(session: Session, actor: User | None, data: NeedCreate) -> TechNeed:
    """The validated need, not added to the session yet."""
    ent = _enterprise_for(session, actor, data.enterprise_id)
    if data.external_id and not policy.is_staff(actor):  # else ids of others could be probed
        raise InvalidInputError(
            "需求编号由系统生成，企业不能指定",
            "need ids are assigned by the system; only staff may set one",
            details={"field": "external_id"},
        )
    external_id = data.external_id or f"N-{uuid.uuid4().hex[:12]}"
    if session.scalar(select(TechNeed.id).where(TechNeed.external_id == external_id)):
        raise ConflictError(f"需求编号 {external_id} 已存在", f"need {external_id} exists")
    need = TechNeed(
        external_id=external_id,
        enterprise_id=ent.id,  # not the relationship: a backref would drag it into the session
        title=data.title,
        description=data.description or "",
        industry=data.industry or ent.industry,
        city=data.city or ent.city,
        keywords=list(data.keywords or []),
        deadline=data.deadline,
        status=NeedStatus.OPEN,
        **data.model_dump(include={*FORM_FIELDS, "fields"}),
    )
    return need


def _save_new(session: Session, actor: User | None, need: TechNeed) -> None:
    session.add(need)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="need_created",
        target_type="need",
        target_id=need.id,
        detail={"external_id": need.external_id, "enterprise_id": need.enterprise_id},
    )


def invalidate_matches(*, session: Session, need: TechNeed) -> int:
    """Drop the stored matches of ``need`` (its text changed); a matched need, or one that
    needed more detail, reopens."""
    removed = session.execute(delete(MatchResult).where(MatchResult.need_id == need.id)).rowcount
    if need.status in (NeedStatus.MATCHED, NeedStatus.NEEDS_DETAIL):
        need.status = NeedStatus.OPEN
    return removed or 0


def update_need(
    *,
    session: Session,
    actor: User | None,
    need_id: int,
    data: NeedUpdate,
    runtime: Any = None,
) -> NeedOut:
    """Edit a need; when its text changes it is ranked again at once (with ``runtime``; else
    its stored matches are dropped until the next bulk match)."""
    need = policy.get_owned_need(session, actor, need_id)
    if need.status is NeedStatus.CLOSED:
        raise ConflictError("需求已关闭，不能修改", "the need is closed")
    _check_time_frame(need, data)
    changed = apply_changes(
        session=session,
        actor=actor,
        obj=need,
        changes=data.model_dump(exclude_unset=True),
        action="need_updated",
        target_type="need",
    )
    if TEXT_FIELDS & set(changed):
        invalidate_matches(session=session, need=need)
        session.flush()
        if runtime is not None:
            from matcher.matching.service import rerank

            rerank(session=session, runtime=runtime, needs=[need], actor=actor)
    session.flush()
    return need_out(session, actor, [need])[0]


def _check_time_frame(need: TechNeed, data: NeedUpdate) -> None:
    """An edited time frame may not end before it starts, stored years included."""
    start = data.start_year if data.start_year is not None else need.start_year
    end = data.end_year if data.end_year is not None else need.end_year
    try:
        check_year_order(start, end)
    except CellInvalid as exc:
        field = "end_year" if data.end_year is not None else "start_year"
        raise InvalidInputError(exc.zh, exc.en, details={"field": field}) from None


def close_need(*, session: Session, actor: User | None, need_id: int, reason: str = "") -> NeedOut:
    need = policy.get_owned_need(session, actor, need_id)
    if need.status is not NeedStatus.CLOSED:
        previous = need.status
        need.status = NeedStatus.CLOSED
        record(
            session=session,
            actor=actor,
            action="need_closed",
            target_type="need",
            target_id=need.id,
            detail={"from": previous.value, "reason": reason},
        )
        session.flush()
    return need_out(session, actor, [need])[0]


def need_matches(
    *,
    session: Session,
    runtime: Any,
    actor: User | None,
    need_id: int,
    target: TargetKind,
    top_k: int | None = None,
) -> list[MatchOut]:
    """The need's ranked matches (stored if fresh, else computed now); owner or staff only."""
    from matcher.matching.service import get_matches, target_names

    need = policy.get_owned_need(session, actor, need_id)
    results = get_matches(session=session, runtime=runtime, need=need, target=target, top_k=top_k)
    return match_out(results, target_names(runtime, target))
