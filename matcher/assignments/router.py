"""``/assignments``: minimal staff create and list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matcher.api.deps import SessionDep, StaffDep
from matcher.api.pagination import Page
from matcher.api.types import Id, Limit, Offset
from matcher.assignments import service
from matcher.assignments.schemas import AssignmentCreate, AssignmentOut

router = APIRouter(prefix="/assignments", tags=["assignments"])


@router.post("", response_model=AssignmentOut, status_code=201)
def create_assignment(session: SessionDep, actor: StaffDep, body: AssignmentCreate):
    """Staff only. The society then sees the enterprise's contact details."""
    return service.create_assignment(session=session, actor=actor, data=body)


@router.get("", response_model=Page[AssignmentOut])
def list_assignments(
    session: SessionDep,
    actor: StaffDep,
    society_id: Annotated[Id | None, Query()] = None,
    enterprise_id: Annotated[Id | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    items, total = service.list_assignments(
        session=session,
        actor=actor,
        society_id=society_id,
        enterprise_id=enterprise_id,
        limit=limit,
        offset=offset,
    )
    return Page[AssignmentOut](items=items, total=total, limit=limit, offset=offset)
