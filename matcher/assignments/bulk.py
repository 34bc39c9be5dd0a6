"""Life-cycle moves of many assignments at once (staff): the single move's rules for each row,
applied per row — rows that may move do, and each row that may not is reported with its
error code and message, never skipped silently.

The inputs every row shares (a cancel's reason, a completion's rating and outcome) are checked
once, before anything moves: without them nothing is done. All the rows' societies, then
needs, are locked first, in id order, so a bulk move holds the same lock order as a commit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.assignments import locking
from matcher.assignments.bulk_schemas import BulkTransitionIn, BulkTransitionOut, RowOutcome
from matcher.assignments.lifecycle import check_move_inputs, transition
from matcher.auth import policy
from matcher.errors import MatcherError
from matcher.models import Assignment, User


@policy.staff_only
def transition_many(
    *, session: Session, actor: User | None, data: BulkTransitionIn
) -> BulkTransitionOut:
    """Move each listed assignment by ``data.action``; one outcome per distinct id, in the
    order given (``ok`` with the new status, or the refusal's code and message)."""
    action = data.action
    check_move_inputs(action, reason=data.reason, rating=data.rating, outcome=data.outcome)
    ids = list(dict.fromkeys(data.assignment_ids))
    locking.take_write_lock(session)
    parties = session.execute(
        select(Assignment.society_id, Assignment.need_id).where(Assignment.id.in_(ids))
    ).all()
    locking.lock_societies(session, {society for society, _need in parties})
    locking.lock_needs(session, {need for _society, need in parties if need is not None})
    outcomes = []
    for assignment_id in ids:
        try:
            moved = transition(
                session=session,
                actor=actor,
                assignment_id=assignment_id,
                action=action,
                reason=data.reason,
                rating=data.rating,
                outcome=data.outcome,
            )
        except MatcherError as exc:  # raised before the row is written: nothing to undo
            outcomes.append(
                RowOutcome(assignment_id=assignment_id, ok=False, code=exc.code, message=str(exc))
            )
        else:
            outcomes.append(RowOutcome(assignment_id=assignment_id, ok=True, status=moved.status))
    done = sum(o.ok for o in outcomes)
    return BulkTransitionOut(action=action, done=done, refused=len(outcomes) - done, rows=outcomes)
