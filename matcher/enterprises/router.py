"""``/enterprises``: list and read (privacy-filtered); staff create and update."""

from __future__ import annotations

from fastapi import APIRouter

from matcher.api.deps import ActorDep, SessionDep, StaffDep
from matcher.api.pagination import Page
from matcher.api.types import IdPath, Limit, Offset, Search, Text
from matcher.enterprises import service
from matcher.enterprises.schemas import EnterpriseCreate, EnterpriseOut, EnterpriseUpdate

router = APIRouter(prefix="/enterprises", tags=["enterprises"])


@router.get("", response_model=Page[EnterpriseOut])
def list_enterprises(
    session: SessionDep,
    actor: ActorDep,
    q: Search = None,
    city: Text(50) | None = None,
    industry: Text(100) | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    items, total = service.list_enterprises(
        session=session, actor=actor, q=q, city=city, industry=industry, limit=limit, offset=offset
    )
    return Page[EnterpriseOut](items=items, total=total, limit=limit, offset=offset)


@router.post("", response_model=EnterpriseOut, status_code=201)
def create_enterprise(session: SessionDep, actor: StaffDep, body: EnterpriseCreate):
    """Staff only."""
    return service.create_enterprise(session=session, actor=actor, data=body)


@router.get("/{enterprise_id}", response_model=EnterpriseOut)
def get_enterprise(session: SessionDep, actor: ActorDep, enterprise_id: IdPath):
    return service.get_enterprise(session=session, actor=actor, enterprise_id=enterprise_id)


@router.patch("/{enterprise_id}", response_model=EnterpriseOut)
def update_enterprise(
    session: SessionDep, actor: StaffDep, enterprise_id: IdPath, body: EnterpriseUpdate
):
    """Staff only."""
    return service.update_enterprise(
        session=session, actor=actor, enterprise_id=enterprise_id, data=body
    )
