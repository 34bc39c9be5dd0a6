"""The assignment life cycle: proposed → confirmed → in_service → completed, or cancelled.

========  ===============================  ==========  ================================
action    from                             to          who (and staff)
========  ===============================  ==========  ================================
confirm   proposed                         confirmed   its society
decline   proposed                         cancelled   its society; reason; remembered
start     confirmed                        in_service  its society
complete  in_service                       completed   its enterprise; rating 1–5, outcome
cancel    proposed, confirmed, in_service  cancelled   its society or enterprise; reason
========  ===============================  ==========  ================================

A declined pair is never proposed again by a later run.
An assignment the actor may not see is 404; one it sees but may not move this way is 403;
a move its current state does not allow is 409 ``illegal_transition``. The society's and
the need's rows are locked first (as a commit does), the need's status follows, and every
move is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from matcher.assignments import locking
from matcher.assignments.schemas import AssignmentOut
from matcher.assignments.service import assignment_out, get_visible_assignment
from matcher.audit.service import record
from matcher.auth import policy
from matcher.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from matcher.models import Assignment, AssignmentStatus, Role, User
from matcher.models.base import utcnow

S = AssignmentStatus


class Action(StrEnum):
    CONFIRM = "confirm"
    DECLINE = "decline"
    START = "start"
    COMPLETE = "complete"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Rule:
    sources: frozenset[AssignmentStatus]
    target: AssignmentStatus
    roles: frozenset[Role]  # besides staff
    stamp: str  # the timestamp column set by the move


SOCIETY, ENTERPRISE = frozenset({Role.SOCIETY}), frozenset({Role.ENTERPRISE})
RULES = {
    Action.CONFIRM: Rule(frozenset({S.PROPOSED}), S.CONFIRMED, SOCIETY, "confirmed_at"),
    Action.DECLINE: Rule(frozenset({S.PROPOSED}), S.CANCELLED, SOCIETY, "declined_at"),
    Action.START: Rule(frozenset({S.CONFIRMED}), S.IN_SERVICE, SOCIETY, "started_at"),
    Action.COMPLETE: Rule(frozenset({S.IN_SERVICE}), S.COMPLETED, ENTERPRISE, "completed_at"),
    Action.CANCEL: Rule(
        frozenset({S.PROPOSED, S.CONFIRMED, S.IN_SERVICE}),
        S.CANCELLED,
        SOCIETY | ENTERPRISE,
        "cancelled_at",
    ),
}
WHO = {
    Action.CONFIRM: ("学会", "the society"),
    Action.DECLINE: ("学会", "the society"),
    Action.START: ("学会", "the society"),
    Action.COMPLETE: ("企业", "the enterprise"),
    Action.CANCEL: ("相关学会、企业", "the society or the enterprise"),
}


def _allowed(actor: User | None, rule: Rule) -> bool:
    return policy.is_staff(actor) or (actor is not None and actor.role in rule.roles)


def transition(
    *,
    session: Session,
    actor: User | None,
    assignment_id: int,
    action: Action,
    reason: str | None = None,
    rating: int | None = None,
    outcome: str | None = None,
) -> AssignmentOut:
    """Move one assignment (see the table above)."""
    action = Action(action)
    rule = RULES[action]
    seen = get_visible_assignment(session, actor, assignment_id)
    if not _allowed(actor, rule):
        zh, en = WHO[action]
        raise PermissionDeniedError(
            f"只有{zh}或工作人员可以执行该操作", f"only {en} or staff may {action.value} it"
        )
    check_move_inputs(action, reason=reason, rating=rating, outcome=outcome)
    locking.take_write_lock(session)
    locking.lock_societies(session, [seen.society_id])
    needs = locking.lock_needs(session, [seen.need_id]) if seen.need_id else []
    assignment = locking.lock_assignment(session, assignment_id)
    if assignment is None:  # deleted meanwhile (its society or enterprise was)
        raise NotFoundError("分配", "assignment")
    previous = assignment.status
    if previous not in rule.sources:
        raise ConflictError(
            f"状态为 {previous.value} 的分配不能执行 {action.value}",
            f"an assignment that is {previous.value} cannot be {action.value}ed",
            code="illegal_transition",
            details={
                "status": previous.value,
                "action": action.value,
                "allowed_from": sorted(s.value for s in rule.sources),
            },
        )
    _apply(assignment, action, rule, reason, rating, outcome)
    session.flush()
    locking.follow_assignments(session, needs)
    record(
        session=session,
        actor=actor,
        action=f"assignment_{action.value}",
        target_type="assignment",
        target_id=assignment.id,
        detail={"from": previous.value, "to": assignment.status.value}
        | {k: v for k, v in (("reason", reason), ("rating", rating)) if v is not None},
    )
    return assignment_out(assignment)


def check_move_inputs(
    action: Action, *, reason: str | None, rating: int | None, outcome: str | None
) -> None:
    """Refuse (422 ``invalid_input``, naming the field) a move whose own inputs are missing:
    a decline or cancel needs a reason, a completion a rating 1–5 and an outcome text.
    Needs no database, so a bulk move checks its shared inputs once, before anything moves."""
    if action in (Action.DECLINE, Action.CANCEL) and not (reason or "").strip():
        raise InvalidInputError("请说明原因", "a reason is required", details={"field": "reason"})
    if action is Action.COMPLETE:
        if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
            raise InvalidInputError(
                "评分应为 1–5 的整数",
                "the rating must be a whole number 1-5",
                details={"field": "rating"},
            )
        if not (outcome or "").strip():
            raise InvalidInputError(
                "请简述服务成效", "a short outcome text is required", details={"field": "outcome"}
            )


def _apply(
    assignment: Assignment,
    action: Action,
    rule: Rule,
    reason: str | None,
    rating: int | None,
    outcome: str | None,
) -> None:
    now = utcnow()
    assignment.status = rule.target
    setattr(assignment, rule.stamp, now)
    if action in (Action.DECLINE, Action.CANCEL):
        assignment.cancel_reason = reason
        assignment.cancelled_at = now
    if action is Action.COMPLETE:
        assignment.rating, assignment.rating_comment = rating, outcome
