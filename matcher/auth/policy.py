"""Who may see what: the privacy rules, written once and used by every service.

* staff and admin see everything;
* an enterprise sees and edits only its own needs (and their matches);
* a society sees its leads (needs matched to it, or assigned to it) but an enterprise's
  contact details only once an active assignment binds that enterprise to it;
* experts' phone and e-mail are shown to staff/admin and the expert's own societies.

Anything an actor may not see is reported as missing (404), so ids cannot be probed.
A missing actor (``None``) may do nothing; the CLI acts as ``actors.SYSTEM_CLI``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy import Select, exists, false, or_, select, true
from sqlalchemy.orm import Session

from matcher.errors import NotFoundError, PermissionDeniedError
from matcher.models import (
    Assignment,
    AssignmentStatus,
    Enterprise,
    Expert,
    MatchResult,
    NeedStatus,
    Role,
    Society,
    TargetKind,
    TechNeed,
    User,
    expert_societies,
)

STAFF_ROLES = frozenset({Role.STAFF, Role.ADMIN})
P = ParamSpec("P")
R = TypeVar("R")


def is_staff(actor: User | None) -> bool:
    """Staff, admin and the explicit system actors act without restriction; ``None`` (no
    actor) is nobody."""
    return actor is not None and actor.role in STAFF_ROLES


def require_staff(actor: User | None) -> None:
    if not is_staff(actor):
        raise PermissionDeniedError("仅工作人员可执行此操作", "staff only")


def staff_only(fn: Callable[P, R]) -> Callable[P, R]:
    """Declare a service entry staff-only: its keyword argument ``actor`` must be staff,
    admin or a system actor (403 otherwise), checked before the body runs."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        require_staff(kwargs.get("actor"))  # type: ignore[arg-type]
        return fn(*args, **kwargs)

    wrapper.staff_only = True  # type: ignore[attr-defined]
    return wrapper


def party_condition(actor: User | None, *, society_id, enterprise_id):
    """A WHERE clause on rows between a society and an enterprise (given as their two
    columns, e.g. a workstation proposal's): staff all, a society its own, an enterprise
    its own, anyone else nothing."""
    if is_staff(actor):
        return true()
    if actor is None:
        return false()
    if actor.role is Role.SOCIETY and actor.society_id is not None:
        return society_id == actor.society_id
    if actor.role is Role.ENTERPRISE and actor.enterprise_id is not None:
        return enterprise_id == actor.enterprise_id
    return false()


def _active_assignment(society_id: int, enterprise_col) -> object:
    return exists().where(
        Assignment.society_id == society_id,
        Assignment.enterprise_id == enterprise_col,
        Assignment.status != AssignmentStatus.CANCELLED,
    )


def routable():
    """Condition on ``TechNeed``: may be shown to matched societies as a lead (a need that
    says too little to route waits until its enterprise adds detail)."""
    return TechNeed.status != NeedStatus.NEEDS_DETAIL


def _is_lead(society_id: int):
    """Condition on ``TechNeed``: matched to the society (unless it needs more detail), or
    assigned to it."""
    matched = exists().where(
        MatchResult.need_id == TechNeed.id,
        MatchResult.target_kind == TargetKind.SOCIETY,
        MatchResult.target_id == society_id,
        routable(),
    )
    assigned = exists().where(
        Assignment.need_id == TechNeed.id,
        Assignment.society_id == society_id,
        Assignment.status != AssignmentStatus.CANCELLED,
    )
    return or_(matched, assigned)


def need_condition(actor: User | None):
    """A WHERE clause on ``TechNeed`` selecting the needs ``actor`` may see."""
    if is_staff(actor):
        return true()
    if actor is None:
        return false()
    if actor.role is Role.ENTERPRISE and actor.enterprise_id is not None:
        return TechNeed.enterprise_id == actor.enterprise_id
    if actor.role is Role.SOCIETY and actor.society_id is not None:
        return _is_lead(actor.society_id)
    return false()


def visible_needs(actor: User | None) -> Select[tuple[TechNeed]]:
    return select(TechNeed).where(need_condition(actor))


def get_visible_need(session: Session, actor: User | None, need_id: int) -> TechNeed:
    need = session.scalar(visible_needs(actor).where(TechNeed.id == need_id))
    if need is None:
        raise NotFoundError("需求", "need")
    return need


def owns_need(actor: User | None, need: TechNeed) -> bool:
    """Staff, or the enterprise that posted it: may edit it and read its matches."""
    if is_staff(actor):
        return True
    return (
        actor is not None
        and actor.role is Role.ENTERPRISE
        and actor.enterprise_id is not None
        and need.enterprise_id == actor.enterprise_id
    )


def get_owned_need(session: Session, actor: User | None, need_id: int) -> TechNeed:
    need = get_visible_need(session, actor, need_id)
    if not owns_need(actor, need):
        raise NotFoundError("需求", "need")
    return need


def enterprise_condition(actor: User | None):
    """A WHERE clause on ``Enterprise``: staff all, an enterprise itself, a society those
    with a lead for it or an active assignment to it."""
    if is_staff(actor):
        return true()
    if actor is None:
        return false()
    if actor.role is Role.ENTERPRISE and actor.enterprise_id is not None:
        return Enterprise.id == actor.enterprise_id
    if actor.role is Role.SOCIETY and actor.society_id is not None:
        with_lead = exists().where(
            TechNeed.enterprise_id == Enterprise.id, _is_lead(actor.society_id)
        )
        return or_(with_lead, _active_assignment(actor.society_id, Enterprise.id))
    return false()


def get_visible_enterprise(session: Session, actor: User | None, enterprise_id: int) -> Enterprise:
    ent = session.scalar(
        select(Enterprise).where(Enterprise.id == enterprise_id, enterprise_condition(actor))
    )
    if ent is None:
        raise NotFoundError("企业", "enterprise")
    return ent


def contact_enterprise_ids(
    session: Session, actor: User | None, enterprise_ids: set[int]
) -> set[int]:
    """Of ``enterprise_ids``, those whose contact details ``actor`` may see."""
    if not enterprise_ids or actor is None:
        return set()
    if actor.role in STAFF_ROLES:
        return set(enterprise_ids)
    if actor.role is Role.ENTERPRISE and actor.enterprise_id is not None:
        return {actor.enterprise_id} & enterprise_ids
    if actor.role is Role.SOCIETY and actor.society_id is not None:
        rows = session.scalars(
            select(Assignment.enterprise_id).where(
                Assignment.society_id == actor.society_id,
                Assignment.enterprise_id.in_(enterprise_ids),
                Assignment.status != AssignmentStatus.CANCELLED,
            )
        )
        return set(rows)
    return set()


def can_see_contact(session: Session, actor: User | None, enterprise: Enterprise) -> bool:
    return enterprise.id in contact_enterprise_ids(session, actor, {enterprise.id})


def can_manage_society(actor: User | None, society_id: int) -> bool:
    """Staff, or the society's own users: edit its profile, read its leads, answer them."""
    if is_staff(actor):
        return True
    return actor is not None and actor.role is Role.SOCIETY and actor.society_id == society_id


def get_managed_society(session: Session, actor: User | None, society_id: int) -> Society:
    """The society if ``actor`` may manage it; 404 otherwise (ids cannot be probed)."""
    society = session.get(Society, society_id)
    if society is None or not can_manage_society(actor, society_id):
        raise NotFoundError("学会", "society")
    return society


def expert_society_ids(session: Session, expert_ids: set[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {i: set() for i in expert_ids}
    if expert_ids:
        rows = session.execute(
            select(expert_societies.c.expert_id, expert_societies.c.society_id).where(
                expert_societies.c.expert_id.in_(expert_ids)
            )
        )
        for expert_id, society_id in rows:
            out[expert_id].add(society_id)
    return out


def can_manage_expert(actor: User | None, society_ids: set[int]) -> bool:
    """Staff, or a user of one of the expert's societies: see contacts, edit the profile."""
    if is_staff(actor):
        return True
    return actor is not None and actor.role is Role.SOCIETY and actor.society_id in society_ids


def get_managed_expert(session: Session, actor: User | None, expert_id: int) -> Expert:
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFoundError("专家", "expert")
    if not can_manage_expert(actor, {s.id for s in expert.societies}):
        raise PermissionDeniedError("只能修改本学会的专家", "only the expert's society may edit")
    return expert


__all__ = [
    "STAFF_ROLES",
    "can_manage_expert",
    "can_manage_society",
    "can_see_contact",
    "contact_enterprise_ids",
    "enterprise_condition",
    "expert_society_ids",
    "get_managed_expert",
    "get_managed_society",
    "get_owned_need",
    "get_visible_enterprise",
    "get_visible_need",
    "is_staff",
    "need_condition",
    "owns_need",
    "party_condition",
    "require_staff",
    "staff_only",
    "visible_needs",
]
