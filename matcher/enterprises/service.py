"""Enterprises: listing and reading under the privacy rules; staff create and update."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matcher.api.pagination import paginate
from matcher.audit.service import apply_changes, record
from matcher.auth import policy
from matcher.enterprises.schemas import EnterpriseCreate, EnterpriseOut, EnterpriseUpdate
from matcher.errors import ConflictError
from matcher.models import Enterprise, User


def out(session: Session, actor: User | None, rows: Sequence[Enterprise]) -> list[EnterpriseOut]:
    """Serialise enterprises for ``actor``, withholding contacts it may not see."""
    visible = policy.contact_enterprise_ids(session, actor, {e.id for e in rows})
    return [EnterpriseOut.of(e, show_contact=e.id in visible) for e in rows]


def list_enterprises(
    *,
    session: Session,
    actor: User | None,
    q: str | None = None,
    city: str | None = None,
    industry: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EnterpriseOut], int]:
    stmt = select(Enterprise).where(policy.enterprise_condition(actor)).order_by(Enterprise.id)
    if q:
        stmt = stmt.where(or_(Enterprise.name.contains(q), Enterprise.external_id == q))
    if city:
        stmt = stmt.where(Enterprise.city == city)
    if industry:
        stmt = stmt.where(Enterprise.industry == industry)
    rows, total = paginate(session, stmt, limit=limit, offset=offset)
    return out(session, actor, rows), total


def get_enterprise(*, session: Session, actor: User | None, enterprise_id: int) -> EnterpriseOut:
    ent = policy.get_visible_enterprise(session, actor, enterprise_id)
    return out(session, actor, [ent])[0]


def _check_unique(session: Session, *, external_id: str | None, credit_code: str | None) -> None:
    for column, value in (
        (Enterprise.external_id, external_id),
        (Enterprise.credit_code, credit_code),
    ):
        if value and session.scalar(select(Enterprise.id).where(column == value)) is not None:
            raise ConflictError(f"{column.key} {value} 已存在", f"{column.key} {value} exists")


@policy.staff_only
def create_enterprise(
    *, session: Session, actor: User | None, data: EnterpriseCreate
) -> EnterpriseOut:
    values = data.model_dump()
    values["external_id"] = values["external_id"] or f"E-{uuid.uuid4().hex[:12]}"
    values["is_chain_leader"] = bool(values["is_chain_leader"])
    _check_unique(session, external_id=values["external_id"], credit_code=values["credit_code"])
    ent = Enterprise(**values)
    session.add(ent)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="enterprise_created",
        target_type="enterprise",
        target_id=ent.id,
        detail={"external_id": ent.external_id},
    )
    return out(session, actor, [ent])[0]


@policy.staff_only
def update_enterprise(
    *, session: Session, actor: User | None, enterprise_id: int, data: EnterpriseUpdate
) -> EnterpriseOut:
    ent = policy.get_visible_enterprise(session, actor, enterprise_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("credit_code") and changes["credit_code"] != ent.credit_code:
        _check_unique(session, external_id=None, credit_code=changes["credit_code"])
    apply_changes(
        session=session,
        actor=actor,
        obj=ent,
        changes=changes,
        action="enterprise_updated",
        target_type="enterprise",
    )
    session.flush()
    return out(session, actor, [ent])[0]
