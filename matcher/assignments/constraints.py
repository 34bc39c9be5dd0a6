"""Pinned and forbidden pairs: staff decisions that every later bulk run keeps.

A pin forces a society onto a need (or onto each need of an enterprise) in every run that
includes the need; a forbid keeps it off. A pair cannot be both, and a pin never overrides
a conflict of interest.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from matcher.assignments.records import audit_row, filtered_page
from matcher.assignments.rule_schemas import NeedPair, RuleIn, RuleOut
from matcher.auth import policy
from matcher.errors import ConflictError, NotFoundError
from matcher.models import (
    AssignmentConstraint,
    ConflictOfInterest,
    ConstraintKind,
    Enterprise,
    Society,
    TechNeed,
    User,
)

LABELS = {ConstraintKind.PIN: ("固定对接", "pin"), ConstraintKind.FORBID: ("禁止对接", "forbid")}


def _out(row: AssignmentConstraint) -> RuleOut:
    return RuleOut.model_validate(row, from_attributes=True)


def _audit(session: Session, actor: User | None, row: AssignmentConstraint, verb: str) -> None:
    audit_row(
        session,
        actor,
        row,
        action=f"assignment_{row.kind.value}_{verb}",
        target_type="assignment_constraint",
        fields=("need_id", "enterprise_id", "society_id", "reason"),
    )


def _target(session: Session, data: RuleIn) -> tuple[int | None, int]:
    """The need (if any) and the enterprise the rule is about; 404 for unknown ids."""
    if session.get(Society, data.society_id) is None:
        raise NotFoundError("学会", "society")
    if isinstance(data, NeedPair):
        need = session.get(TechNeed, data.need_id)
        if need is None:
            raise NotFoundError("需求", "need")
        return need.id, need.enterprise_id
    if session.get(Enterprise, data.enterprise_id) is None:
        raise NotFoundError("企业", "enterprise")
    return None, data.enterprise_id


def _about(need_id: int | None, enterprise_id: int | None) -> ColumnElement[bool]:
    """Rules on this need or its enterprise; for an enterprise rule, on any of its needs."""
    if need_id is not None:
        return or_(
            AssignmentConstraint.need_id == need_id,
            AssignmentConstraint.enterprise_id == enterprise_id,
        )
    needs = select(TechNeed.id).where(TechNeed.enterprise_id == enterprise_id)
    return or_(
        AssignmentConstraint.enterprise_id == enterprise_id,
        AssignmentConstraint.need_id.in_(needs),
    )


def find_rule(
    session: Session,
    kind: ConstraintKind,
    need_id: int | None,
    enterprise_id: int | None,
    society_id: int,
) -> AssignmentConstraint | None:
    """The rule of ``kind`` exactly on (need or enterprise, society)."""
    column = (
        AssignmentConstraint.need_id if need_id is not None else AssignmentConstraint.enterprise_id
    )
    return session.scalar(
        select(AssignmentConstraint).where(
            AssignmentConstraint.kind == kind,
            column == (need_id if need_id is not None else enterprise_id),
            AssignmentConstraint.society_id == society_id,
        )
    )


def _check_clash(
    session: Session,
    kind: ConstraintKind,
    need_id: int | None,
    enterprise_id: int | None,
    society_id: int,
) -> None:
    other = ConstraintKind.FORBID if kind is ConstraintKind.PIN else ConstraintKind.PIN
    clash = session.scalar(
        select(AssignmentConstraint.id).where(
            AssignmentConstraint.kind == other,
            AssignmentConstraint.society_id == society_id,
            _about(need_id, enterprise_id),
        )
    )
    if clash is not None:
        zh, en = LABELS[other]
        raise ConflictError(
            f"该组合已有{zh}（编号 {clash}），请先删除",
            f"this pair already has a {en} (id {clash}); delete it first",
            code="pin_forbid_clash",
            details={"rule_id": clash},
        )
    if kind is ConstraintKind.PIN and enterprise_id is not None:
        conflict = session.scalar(
            select(ConflictOfInterest.id).where(
                ConflictOfInterest.enterprise_id == enterprise_id,
                ConflictOfInterest.society_id == society_id,
            )
        )
        if conflict is not None:
            raise ConflictError(
                "该学会与企业存在利益冲突，不能固定对接",
                "the society has a conflict of interest with the enterprise: it cannot be pinned",
                code="conflict_of_interest",
                details={"conflict_id": conflict},
            )


def add_rule(
    *, session: Session, actor: User | None, kind: ConstraintKind, data: RuleIn
) -> tuple[AssignmentConstraint, bool]:
    """The rule, created unless it exists (``True`` when created); clashes are 409."""
    need_id, enterprise_id = _target(session, data)
    existing = find_rule(
        session, kind, need_id, enterprise_id if need_id is None else None, data.society_id
    )
    if existing is not None:
        return existing, False
    _check_clash(session, kind, need_id, enterprise_id, data.society_id)
    row = AssignmentConstraint(
        kind=kind,
        need_id=need_id,
        enterprise_id=None if need_id is not None else enterprise_id,
        society_id=data.society_id,
        reason=data.reason,
        created_by=actor.username if actor else "",
    )
    session.add(row)
    session.flush()
    _audit(session, actor, row, "created")
    return row, True


@policy.staff_only
def create_rule(
    *, session: Session, actor: User | None, kind: ConstraintKind, data: RuleIn
) -> RuleOut:
    """Pin or forbid a pair; the same rule twice is a 409."""
    row, created = add_rule(session=session, actor=actor, kind=kind, data=data)
    if not created:
        zh, en = LABELS[kind]
        raise ConflictError(
            f"该{zh}已存在（编号 {row.id}）",
            f"this {en} already exists (id {row.id})",
            details={"rule_id": row.id},
        )
    return _out(row)


@policy.staff_only
def list_rules(
    *,
    session: Session,
    actor: User | None,
    kind: ConstraintKind,
    need_id: int | None = None,
    enterprise_id: int | None = None,
    society_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[RuleOut], int]:
    rows, total = filtered_page(
        session,
        select(AssignmentConstraint).order_by(AssignmentConstraint.id.desc()),
        (
            (AssignmentConstraint.kind, kind),
            (AssignmentConstraint.need_id, need_id),
            (AssignmentConstraint.enterprise_id, enterprise_id),
            (AssignmentConstraint.society_id, society_id),
        ),
        limit=limit,
        offset=offset,
    )
    return [_out(r) for r in rows], total


def remove_rule(*, session: Session, actor: User | None, row: AssignmentConstraint) -> None:
    _audit(session, actor, row, "deleted")
    session.delete(row)
    session.flush()


@policy.staff_only
def delete_rule(
    *, session: Session, actor: User | None, kind: ConstraintKind, rule_id: int
) -> None:
    row = session.get(AssignmentConstraint, rule_id)
    if row is None or row.kind is not kind:
        zh, en = LABELS[kind]
        raise NotFoundError(zh, en)
    remove_rule(session=session, actor=actor, row=row)
