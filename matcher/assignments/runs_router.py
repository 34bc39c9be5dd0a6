"""``/assignment-runs``: bulk runs (staff only): solve a dry run, review, edit, commit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matcher.api.deps import SessionDep, StaffDep, StateDep
from matcher.api.pagination import Page
from matcher.api.types import Id, IdPath, Limit, Offset
from matcher.assignments import commit, run_views, runs
from matcher.assignments.run_schemas import (
    CommitOut,
    PairEdit,
    RunCreate,
    RunDetailOut,
    RunOut,
    RunPairOut,
)
from matcher.errors import NotFoundError
from matcher.models import RunStatus

router = APIRouter(prefix="/assignment-runs", tags=["assignment runs"])


@router.post("", response_model=RunOut, status_code=201)
def create_run(session: SessionDep, actor: StaffDep, state: StateDep, body: RunCreate):
    """Solve a bulk assignment of every need still to serve, exactly, and store it as a dry
    run: pins, forbids, declines, conflicts and active assignments are kept. Needs without
    stored matches are matched first. Read the pairs and reasons with ``GET …/{id}``."""
    run = runs.create_run(session=session, actor=actor, params=body, runtime=lambda: state.runtime)
    return run_views.run_out(run)


@router.get("", response_model=Page[RunOut])
def list_runs(
    session: SessionDep,
    actor: StaffDep,
    status: RunStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    items, total = run_views.list_runs(
        session=session, actor=actor, status=status, limit=limit, offset=offset
    )
    return Page[RunOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/{run_id}", response_model=RunDetailOut)
def get_run(
    session: SessionDep,
    actor: StaffDep,
    run_id: IdPath,
    need_id: Annotated[Id | None, Query(description="only what concerns this need")] = None,
):
    """The run's pairs, its unassigned needs with their reasons, and the candidates that
    conflicts, forbids and declines removed (and why)."""
    return run_views.get_run(session=session, actor=actor, run_id=run_id, need_id=need_id)


@router.patch("/{run_id}/pairs/{pair_id}", response_model=RunPairOut)
def edit_pair(
    session: SessionDep, actor: StaffDep, run_id: IdPath, pair_id: IdPath, body: PairEdit
):
    """Pin, forbid, remove or restore one pair of a dry run."""
    pair = runs.edit_pair(session=session, actor=actor, run_id=run_id, pair_id=pair_id, edit=body)
    detail = run_views.get_run(session=session, actor=actor, run_id=run_id, need_id=pair.need_id)
    found = next((p for p in detail.pairs if p.id == pair.id), None)
    if found is None:  # pragma: no cover - the pair was just read
        raise NotFoundError("对接", "pair")
    return found


@router.post("/{run_id}/commit", response_model=CommitOut)
def commit_run(session: SessionDep, actor: StaffDep, run_id: IdPath):
    """Create a ``proposed`` assignment for each new pair, all or nothing (409
    ``run_stale`` when a pair no longer fits: run again)."""
    run, created = commit.commit_run(session=session, actor=actor, run_id=run_id)
    return CommitOut(**run_views.run_out(run).model_dump(), created=created)


@router.post("/{run_id}/discard", response_model=RunOut)
def discard_run(session: SessionDep, actor: StaffDep, run_id: IdPath):
    return run_views.run_out(commit.discard_run(session=session, actor=actor, run_id=run_id))
