"""``/matching``: how the engine scores (fusion weights, calibration) and thin profiles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from matcher.api.deps import SessionDep, StaffDep, StateDep
from matcher.api.pagination import Page
from matcher.api.types import Limit, Offset
from matcher.matching import quality
from matcher.matching.browse import MatchFilter, MatchRow, list_matches
from matcher.models import TargetKind

router = APIRouter(prefix="/matching", tags=["matching"])


class ThinProfileOut(BaseModel):
    kind: TargetKind
    id: int
    external_id: str
    name: str
    informative_words: int


@router.get("/weights", response_model=dict[str, Any])
def weights(session: SessionDep, actor: StaffDep, state: StateDep):
    """The fusion weights and calibrations in use, and how they were obtained (staff)."""
    return quality.fusion_report(session=session, runtime=state.runtime, actor=actor)


@router.get("/thin-profiles", response_model=list[ThinProfileOut])
def thin_profiles(session: SessionDep, actor: StaffDep, state: StateDep):
    """Society and expert profiles too thin to match reliably, to complete (staff)."""
    found = quality.thin_profiles(session=session, runtime=state.runtime, actor=actor)
    return [ThinProfileOut(**vars(p)) for p in found]


@router.get("/results", response_model=Page[MatchRow])
def results(
    session: SessionDep,
    actor: StaffDep,
    filters: Annotated[MatchFilter, Query()],
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Stored matches with need, enterprise and target names, filtered and paged (staff)."""
    items, total = list_matches(
        session=session, actor=actor, filters=filters, limit=limit, offset=offset
    )
    return Page[MatchRow](items=items, total=total, limit=limit, offset=offset)
