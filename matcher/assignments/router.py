"""``/assignments`` (create by hand, list, read, life cycle) and, included here, the bulk
runs (``/assignment-runs``) and the standing rules (pins, forbids, conflicts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matcher.api.deps import ActorDep, SessionDep, StaffDep
from matcher.api.pagination import Page
from matcher.api.types import Id, IdPath, Limit, Offset
from matcher.assignments import bulk, lifecycle, service
from matcher.assignments.bulk_schemas import BulkTransitionIn, BulkTransitionOut
from matcher.assignments.rules_router import router as rules_router
from matcher.assignments.runs_router import router as runs_router
from matcher.assignments.schemas import AssignmentCreate, AssignmentOut, CompleteIn, ReasonIn
from matcher.models import AssignmentStatus

assignments = APIRouter(prefix="/assignments", tags=["assignments"])


@assignments.post("", response_model=AssignmentOut, status_code=201)
def create_assignment(session: SessionDep, actor: StaffDep, body: AssignmentCreate):
    """Staff only: confirmed at once (within the society's capacity). The society then sees
    the enterprise's contact details."""
    return service.create_assignment(session=session, actor=actor, data=body)


@assignments.get("", response_model=Page[AssignmentOut])
def list_assignments(
    session: SessionDep,
    actor: ActorDep,
    society_id: Annotated[Id | None, Query()] = None,
    enterprise_id: Annotated[Id | None, Query()] = None,
    need_id: Annotated[Id | None, Query()] = None,
    run_id: Annotated[Id | None, Query()] = None,
    status: AssignmentStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Staff see all; a society its own; an enterprise its own."""
    items, total = service.list_assignments(
        session=session,
        actor=actor,
        society_id=society_id,
        enterprise_id=enterprise_id,
        need_id=need_id,
        run_id=run_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    return Page[AssignmentOut](items=items, total=total, limit=limit, offset=offset)


@assignments.post("/transitions", response_model=BulkTransitionOut)
def transition_many(session: SessionDep, actor: StaffDep, body: BulkTransitionIn):
    """Staff: one life-cycle move for many assignments, per row — each row that may move
    does, each that may not is listed with its code and message (a missing reason, rating
    or outcome refuses the whole request with 422)."""
    return bulk.transition_many(session=session, actor=actor, data=body)


@assignments.get("/{assignment_id}", response_model=AssignmentOut)
def get_assignment(session: SessionDep, actor: ActorDep, assignment_id: IdPath):
    return service.get_assignment(session=session, actor=actor, assignment_id=assignment_id)


def _move(session, actor, assignment_id, action, **kw) -> AssignmentOut:
    return lifecycle.transition(
        session=session, actor=actor, assignment_id=assignment_id, action=action, **kw
    )


@assignments.post("/{assignment_id}/confirm", response_model=AssignmentOut)
def confirm(session: SessionDep, actor: ActorDep, assignment_id: IdPath):
    """The society accepts a proposed pair (or staff for it)."""
    return _move(session, actor, assignment_id, lifecycle.Action.CONFIRM)


@assignments.post("/{assignment_id}/decline", response_model=AssignmentOut)
def decline(session: SessionDep, actor: ActorDep, assignment_id: IdPath, body: ReasonIn):
    """The society declines a proposed pair: its place is freed, and no later run proposes
    the pair again."""
    return _move(session, actor, assignment_id, lifecycle.Action.DECLINE, reason=body.reason)


@assignments.post("/{assignment_id}/start", response_model=AssignmentOut)
def start(session: SessionDep, actor: ActorDep, assignment_id: IdPath):
    """The society starts serving a confirmed pair (or staff for it)."""
    return _move(session, actor, assignment_id, lifecycle.Action.START)


@assignments.post("/{assignment_id}/complete", response_model=AssignmentOut)
def complete(session: SessionDep, actor: ActorDep, assignment_id: IdPath, body: CompleteIn):
    """The enterprise rates the finished service 1–5 with a short outcome (or staff)."""
    return _move(
        session,
        actor,
        assignment_id,
        lifecycle.Action.COMPLETE,
        rating=body.rating,
        outcome=body.outcome,
    )


@assignments.post("/{assignment_id}/cancel", response_model=AssignmentOut)
def cancel(session: SessionDep, actor: ActorDep, assignment_id: IdPath, body: ReasonIn):
    """Staff, the society or the enterprise stop an open pair (reason required)."""
    return _move(session, actor, assignment_id, lifecycle.Action.CANCEL, reason=body.reason)


router = APIRouter()
router.include_router(assignments)
router.include_router(runs_router)
router.include_router(rules_router)
