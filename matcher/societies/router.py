"""``/societies``: directory, profile, leads and responses to leads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matcher.api.deps import ActorDep, SessionDep
from matcher.api.pagination import Page
from matcher.api.types import IdPath, Limit, Offset, Search, Text
from matcher.societies import service
from matcher.societies.schemas import (
    LeadFilter,
    LeadOut,
    LeadResponseIn,
    LeadResponseOut,
    SocietyOut,
    SocietyUpdate,
)

router = APIRouter(prefix="/societies", tags=["societies"])


@router.get("", response_model=Page[SocietyOut])
def list_societies(
    session: SessionDep,
    actor: ActorDep,
    q: Search = None,
    city: Text(50) | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    items, total = service.list_societies(
        session=session, q=q, city=city, limit=limit, offset=offset
    )
    return Page[SocietyOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/{society_id}", response_model=SocietyOut)
def get_society(session: SessionDep, actor: ActorDep, society_id: IdPath):
    return service.get_society(session=session, society_id=society_id)


@router.patch("/{society_id}", response_model=SocietyOut)
def update_society(session: SessionDep, actor: ActorDep, society_id: IdPath, body: SocietyUpdate):
    """The society itself or staff."""
    return service.update_society(session=session, actor=actor, society_id=society_id, data=body)


@router.get("/{society_id}/leads", response_model=Page[LeadOut])
def list_leads(
    session: SessionDep,
    actor: ActorDep,
    society_id: IdPath,
    filters: Annotated[LeadFilter, Query()],
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Needs matched to this society (the society itself or staff), best first or newest;
    filtered by the need's city, industry, status and posting date, the score (0–100) and
    the society's answer (interested, not_suitable, answered, none)."""
    items, total = service.list_leads(
        session=session,
        actor=actor,
        society_id=society_id,
        filters=filters,
        limit=limit,
        offset=offset,
    )
    return Page[LeadOut](items=items, total=total, limit=limit, offset=offset)


@router.put("/{society_id}/leads/{need_id}/response", response_model=LeadResponseOut)
def respond_to_lead(
    session: SessionDep, actor: ActorDep, society_id: IdPath, need_id: IdPath, body: LeadResponseIn
):
    """Interested, or not suitable with a reason."""
    return service.respond_to_lead(
        session=session, actor=actor, society_id=society_id, need_id=need_id, data=body
    )
