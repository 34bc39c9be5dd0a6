"""``/programme``: pairing runs and rounds (staff), pairs (each party its own), service
activity records (societies record, enterprises answer, staff see all), volunteer hours."""

from __future__ import annotations

from fastapi import APIRouter

from matcher.api.deps import ActorDep, SessionDep, StaffDep, StateDep
from matcher.api.pagination import Page
from matcher.api.types import Id, IdPath, Limit, Offset, Text
from matcher.assignments.run_schemas import PairEdit
from matcher.models import ConfirmationStatus, PairingStatus
from matcher.programme import activities, pairing, rounds
from matcher.programme.schemas import (
    ActivityAnswer,
    ActivityIn,
    ActivityOut,
    HoursOut,
    PairEnd,
    PairingCreate,
    PairingRunDetailOut,
    PairingRunOut,
    PairOut,
    RoundEnd,
    RoundOut,
)

router = APIRouter(prefix="/programme", tags=["programme"])


@router.post("/pairing-runs", response_model=PairingRunOut, status_code=201)
def create_pairing_run(session: SessionDep, actor: StaffDep, state: StateDep, body: PairingCreate):
    """Pair every enterprise with ``per_enterprise`` societies for a round, exactly (chain
    leaders first), and store it as a dry run. Enterprises are ranked through the matching
    runtime by their industry (a pseudo-need) besides their needs' stored matches."""
    run = pairing.create_pairing_run(
        session=session, actor=actor, params=body, runtime=lambda: state.runtime
    )
    return pairing.run_out(session, run)


@router.get("/pairing-runs", response_model=list[PairingRunOut])
def list_pairing_runs(session: SessionDep, actor: StaffDep):
    return pairing.list_pairing_runs(session=session, actor=actor)


@router.get("/pairing-runs/{run_id}", response_model=PairingRunDetailOut)
def get_pairing_run(session: SessionDep, actor: StaffDep, run_id: IdPath):
    return pairing.get_pairing_run(session=session, actor=actor, run_id=run_id)


@router.patch("/pairing-runs/{run_id}/pairs/{pair_id}", response_model=PairOut)
def edit_pairing_pair(
    session: SessionDep, actor: StaffDep, run_id: IdPath, pair_id: IdPath, body: PairEdit
):
    """Pin, forbid, remove or restore one pair of a dry pairing run."""
    pair = pairing.edit_pairing_pair(
        session=session, actor=actor, run_id=run_id, pair_id=pair_id, edit=body
    )
    return rounds.pair_view(session, pair)


@router.post("/pairing-runs/{run_id}/commit", response_model=PairingRunOut)
def commit_pairing_run(session: SessionDep, actor: StaffDep, run_id: IdPath):
    """Make the dry run's pairs active, all or nothing (409 ``run_stale``: run again)."""
    run, _made = pairing.commit_pairing_run(session=session, actor=actor, run_id=run_id)
    return pairing.run_out(session, run)


@router.post("/pairing-runs/{run_id}/discard", response_model=PairingRunOut)
def discard_pairing_run(session: SessionDep, actor: StaffDep, run_id: IdPath):
    run = pairing.discard_pairing_run(session=session, actor=actor, run_id=run_id)
    return pairing.run_out(session, run)


@router.get("/rounds", response_model=list[RoundOut])
def list_rounds(session: SessionDep, actor: ActorDep):
    return rounds.list_rounds(session=session, actor=actor)


@router.post("/rounds/{name}/end", response_model=RoundOut)
def end_round(session: SessionDep, actor: StaffDep, name: Text(50, 1), body: RoundEnd):
    """End a round: its active pairs end too."""
    return rounds.end_round(session=session, actor=actor, round_name=name, reason=body.reason)


@router.get("/rounds/{name}/pairs", response_model=list[PairOut])
def list_pairs(
    session: SessionDep,
    actor: ActorDep,
    name: Text(50, 1),
    status: PairingStatus | None = PairingStatus.ACTIVE,
):
    """The round's pairs: staff all, a society or enterprise its own."""
    return rounds.list_pairs(session=session, actor=actor, round_name=name, status=status)


@router.post("/pairs/{pair_id}/end", response_model=PairOut)
def end_pair(session: SessionDep, actor: StaffDep, pair_id: IdPath, body: PairEnd):
    return rounds.end_pair(session=session, actor=actor, pair_id=pair_id, reason=body.reason)


@router.post("/activities", response_model=ActivityOut, status_code=201)
def record_activity(session: SessionDep, actor: ActorDep, body: ActivityIn):
    """Record a service activity (a society its own, for a partner enterprise; staff any)."""
    return activities.record_activity(session=session, actor=actor, data=body)


@router.get("/activities", response_model=Page[ActivityOut])
def list_activities(
    session: SessionDep,
    actor: ActorDep,
    society_id: Id | None = None,
    enterprise_id: Id | None = None,
    confirmation: ConfirmationStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    items, total = activities.list_activities(
        session=session,
        actor=actor,
        society_id=society_id,
        enterprise_id=enterprise_id,
        confirmation=confirmation,
        limit=limit,
        offset=offset,
    )
    return Page[ActivityOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/activities/{activity_id}", response_model=ActivityOut)
def get_activity(session: SessionDep, actor: ActorDep, activity_id: IdPath):
    return activities.get_activity(session=session, actor=actor, activity_id=activity_id)


@router.put("/activities/{activity_id}", response_model=ActivityOut)
def update_activity(session: SessionDep, actor: ActorDep, activity_id: IdPath, body: ActivityIn):
    """Edit a record (its society or staff); the enterprise's answer goes back to pending."""
    return activities.update_activity(
        session=session, actor=actor, activity_id=activity_id, data=body
    )


@router.post("/activities/{activity_id}/answer", response_model=ActivityOut)
def answer_activity(
    session: SessionDep, actor: ActorDep, activity_id: IdPath, body: ActivityAnswer
):
    """The enterprise confirms or disputes (with a note) a record about it."""
    return activities.answer_activity(
        session=session, actor=actor, activity_id=activity_id, answer=body
    )


@router.get("/hours/societies", response_model=list[HoursOut])
def society_hours(session: SessionDep, actor: ActorDep):
    """Volunteer hours per society (staff all; a society its own)."""
    return activities.hours_by_society(session=session, actor=actor)


@router.get("/hours/experts", response_model=list[HoursOut])
def expert_hours(session: SessionDep, actor: ActorDep):
    """Volunteer hours per expert (staff all; a society those on its records)."""
    return activities.hours_by_expert(session=session, actor=actor)
