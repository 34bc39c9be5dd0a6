"""``/matching``: how the engine scores (fusion weights, calibration) and thin profiles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from matcher.api.deps import SessionDep, StaffDep, StateDep
from matcher.matching import quality
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
