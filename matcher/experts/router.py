"""``/experts``: directory, profile updates and roster changes (by the expert's society or
staff)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from matcher.api.deps import ActorDep, SessionDep
from matcher.api.pagination import Page
from matcher.api.types import Id, IdPath, Limit, Offset, Search, Text
from matcher.experts import service
from matcher.experts.schemas import ExpertCreate, ExpertOut, ExpertUpdate

router = APIRouter(prefix="/experts", tags=["experts"])


@router.get("", response_model=Page[ExpertOut])
def list_experts(
    session: SessionDep,
    actor: ActorDep,
    society_id: Annotated[Id | None, Query()] = None,
    q: Search = None,
    city: Text(50) | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    items, total = service.list_experts(
        session=session,
        actor=actor,
        society_id=society_id,
        q=q,
        city=city,
        limit=limit,
        offset=offset,
    )
    return Page[ExpertOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/{expert_id}", response_model=ExpertOut)
def get_expert(session: SessionDep, actor: ActorDep, expert_id: IdPath):
    return service.get_expert(session=session, actor=actor, expert_id=expert_id)


@router.patch("/{expert_id}", response_model=ExpertOut)
def update_expert(session: SessionDep, actor: ActorDep, expert_id: IdPath, body: ExpertUpdate):
    return service.update_expert(session=session, actor=actor, expert_id=expert_id, data=body)


@router.post("", response_model=ExpertOut, status_code=201)
def create_expert(session: SessionDep, actor: ActorDep, body: ExpertCreate):
    """Add an expert to a society's roster: a society user to its own, staff to the named one."""
    return service.create_expert(session=session, actor=actor, data=body)


@router.delete("/{expert_id}/societies/{society_id}", status_code=204)
def remove_from_society(
    session: SessionDep, actor: ActorDep, expert_id: IdPath, society_id: IdPath
) -> Response:
    """Take the expert off the society's roster (its record and other memberships stay)."""
    service.remove_from_society(
        session=session, actor=actor, expert_id=expert_id, society_id=society_id
    )
    return Response(status_code=204)
