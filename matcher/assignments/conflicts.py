"""Conflicts of interest: the list staff keep (imported or entered), and the rule that an
expert never serves the enterprise they work for (names compared after normalisation)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.assignments.records import audit_row, filtered_page
from matcher.assignments.rule_schemas import ConflictIn, ConflictOut, ExpertConflict
from matcher.auth import policy
from matcher.errors import ConflictError, NotFoundError
from matcher.imports.needsheet import company_key
from matcher.models import ConflictOfInterest, ConflictSource, Enterprise, Expert, Society, User

_LEGAL_FORMS = re.compile(r"(股份有限公司|有限责任公司|有限公司|股份公司|\(集团\)|集团)$")
MIN_PREFIX = 4
"""An affiliation that starts with an enterprise's name (its unit, e.g. 技术中心) is that
enterprise when the name has at least this many characters."""


def company_core(name: str | None) -> str:
    """A company name without what varies between spellings: full-width → half-width,
    brackets as (), no spaces, lower case, and no legal-form suffixes (有限公司, 股份有限公司,
    有限责任公司, 集团 …, repeatedly: 某某集团股份有限公司 → 某某)."""
    key = company_key(name or "")
    while True:
        shorter = _LEGAL_FORMS.sub("", key)
        if shorter == key or not shorter:
            return key
        key = shorter


def works_for(affiliation: str | None, enterprise_core: str) -> bool:
    """Whether an expert's affiliation is the enterprise (``enterprise_core`` =
    ``company_core`` of its name): the same name, or the enterprise's name followed by a
    unit of it."""
    if not affiliation or not enterprise_core:
        return False
    mine = company_core(affiliation)
    return mine == enterprise_core or (
        len(enterprise_core) >= MIN_PREFIX and mine.startswith(enterprise_core)
    )


def _out(row: ConflictOfInterest) -> ConflictOut:
    return ConflictOut.model_validate(row, from_attributes=True)


def _audit(session: Session, actor: User | None, row: ConflictOfInterest, action: str) -> None:
    fields = ("enterprise_id", "expert_id", "society_id", "reason")
    audit_row(session, actor, row, action=action, target_type="conflict", fields=fields)


@policy.staff_only
def create_conflict(*, session: Session, actor: User | None, data: ConflictIn) -> ConflictOut:
    if session.get(Enterprise, data.enterprise_id) is None:
        raise NotFoundError("企业", "enterprise")
    is_expert = isinstance(data, ExpertConflict)
    model, party_id = (Expert, data.expert_id) if is_expert else (Society, data.society_id)
    if session.get(model, party_id) is None:
        raise NotFoundError(*(("专家", "expert") if is_expert else ("学会", "society")))
    column = ConflictOfInterest.expert_id if is_expert else ConflictOfInterest.society_id
    exists = session.scalar(
        select(ConflictOfInterest.id).where(
            ConflictOfInterest.enterprise_id == data.enterprise_id, column == party_id
        )
    )
    if exists is not None:
        raise ConflictError("该利益冲突已登记", "this conflict of interest is already listed")
    row = ConflictOfInterest(
        enterprise_id=data.enterprise_id,
        expert_id=party_id if is_expert else None,
        society_id=None if is_expert else party_id,
        reason=data.reason,
        source=ConflictSource.MANUAL,
        created_by=actor.username if actor else "",
    )
    session.add(row)
    session.flush()
    _audit(session, actor, row, "conflict_created")
    return _out(row)


@policy.staff_only
def list_conflicts(
    *,
    session: Session,
    actor: User | None,
    enterprise_id: int | None = None,
    expert_id: int | None = None,
    society_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ConflictOut], int]:
    rows, total = filtered_page(
        session,
        select(ConflictOfInterest).order_by(ConflictOfInterest.id.desc()),
        (
            (ConflictOfInterest.enterprise_id, enterprise_id),
            (ConflictOfInterest.expert_id, expert_id),
            (ConflictOfInterest.society_id, society_id),
        ),
        limit=limit,
        offset=offset,
    )
    return [_out(r) for r in rows], total


@policy.staff_only
def delete_conflict(*, session: Session, actor: User | None, conflict_id: int) -> None:
    row = session.get(ConflictOfInterest, conflict_id)
    if row is None:
        raise NotFoundError("利益冲突", "conflict of interest")
    _audit(session, actor, row, "conflict_deleted")
    session.delete(row)
    session.flush()
