"""``/needs``: post (returns the top society matches), list, read, update, close, matches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from matcher.api.deps import ActorDep, SessionDep, StateDep
from matcher.api.pagination import Page
from matcher.api.types import Id, IdPath, Limit, Offset, Search, Text
from matcher.models import NeedStatus, TargetKind
from matcher.needs import service
from matcher.needs.match_now import match_now as match_needs_now
from matcher.needs.schemas import (
    MatchOut,
    NeedCreate,
    NeedFormFilter,
    NeedListFilter,
    NeedOut,
    NeedUpdate,
    NeedWithMatches,
    Target,
)

router = APIRouter(prefix="/needs", tags=["needs"])

TopK = Annotated[int | None, Query(ge=1, le=100, description="default: the configured top_k")]


class CloseBody(BaseModel):
    reason: Text(500) = ""


@router.post("", response_model=NeedWithMatches, status_code=201)
def post_need(session: SessionDep, actor: ActorDep, state: StateDep, body: NeedCreate):
    """Post a need (an enterprise for itself, staff for any) and get its top society matches."""
    with state.metrics.time_match(TargetKind.SOCIETY.value):
        need, matches = service.post_need(
            session=session, runtime=state.runtime, actor=actor, data=body
        )
    out = service.need_out(session, actor, [need])[0]
    return NeedWithMatches(**out.model_dump(), matches=matches)


@router.get("", response_model=Page[NeedOut])
def list_needs(
    session: SessionDep,
    actor: ActorDep,
    form: Annotated[NeedFormFilter, Query()],
    listing: Annotated[NeedListFilter, Query()],
    status: NeedStatus | None = None,
    city: Text(50) | None = None,
    industry: Text(100) | None = None,
    enterprise_id: Annotated[Id | None, Query()] = None,
    q: Search = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Visible needs (newest first unless ``sort``); all filters combine."""
    items, total = service.list_needs(
        session=session,
        actor=actor,
        status=status,
        city=city,
        industry=industry,
        enterprise_id=enterprise_id,
        q=q,
        form=form,
        listing=listing,
        limit=limit,
        offset=offset,
    )
    return Page[NeedOut](items=items, total=total, limit=limit, offset=offset)


class MatchNowBody(BaseModel):
    need_ids: list[Id] | None = Field(
        default=None, max_length=5000, description="these needs; none: every open need"
    )


class MatchNowOut(BaseModel):
    matched: int = Field(description="needs now matched (leads for their top societies)")
    needs_detail: int = Field(description="needs too vague to route: marked needs_detail")
    skipped: list[str] = Field(description="chosen needs no longer seeking help (external ids)")


@router.post("/match", response_model=MatchNowOut)
def match_now(session: SessionDep, actor: ActorDep, state: StateDep, body: MatchNowBody):
    """Rank the chosen needs, or every open one, against the societies now (staff)."""
    report = match_needs_now(
        session=session, runtime=state.runtime, actor=actor, need_ids=body.need_ids
    )
    return MatchNowOut(
        matched=report.matched, needs_detail=report.needs_detail, skipped=report.skipped
    )


@router.get("/{need_id}", response_model=NeedOut)
def get_need(session: SessionDep, actor: ActorDep, need_id: IdPath):
    return service.get_need(session=session, actor=actor, need_id=need_id)


@router.patch("/{need_id}", response_model=NeedOut)
def update_need(
    session: SessionDep, actor: ActorDep, state: StateDep, need_id: IdPath, body: NeedUpdate
):
    """The posting enterprise or staff; changing the text ranks the need again."""
    return service.update_need(
        session=session, actor=actor, need_id=need_id, data=body, runtime=state.runtime
    )


@router.post("/{need_id}/close", response_model=NeedOut)
def close_need(
    session: SessionDep, actor: ActorDep, need_id: IdPath, body: CloseBody | None = None
):
    reason = body.reason if body else ""
    return service.close_need(session=session, actor=actor, need_id=need_id, reason=reason)


@router.get("/{need_id}/matches", response_model=list[MatchOut])
def get_matches(
    session: SessionDep,
    actor: ActorDep,
    state: StateDep,
    need_id: IdPath,
    target: Target = Target.societies,
    top_k: TopK = None,
):
    """Ranked societies or experts with explanations; computed now if stale."""
    with state.metrics.time_match(target.kind.value):
        return service.need_matches(
            session=session,
            runtime=state.runtime,
            actor=actor,
            need_id=need_id,
            target=target.kind,
            top_k=top_k,
        )
