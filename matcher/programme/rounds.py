"""Programme rounds and their pairs: open, list, end (a round or one pair), and the partner
societies a paired enterprise's new needs list first (reason ``结对学会``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from matcher.audit.service import record
from matcher.auth import policy
from matcher.errors import ConflictError, NotFoundError
from matcher.models import (
    EnterprisePairing,
    PairingStatus,
    ProgrammeRound,
    RoundStatus,
    User,
)
from matcher.models.base import utcnow
from matcher.programme.schemas import PairOut, RoundOut

PAIRED_REASON = "结对学会"
"""Why a need of a paired enterprise lists the partner society first."""


def find_round(session: Session, name: str) -> ProgrammeRound:
    row = session.scalar(select(ProgrammeRound).where(ProgrammeRound.name == name))
    if row is None:
        raise NotFoundError(f"结对轮次 {name}", f"programme round {name}")
    return row


def open_round(session: Session, actor: User | None, name: str) -> ProgrammeRound:
    """The round of this name, created when new; an ended round is a 409."""
    row = session.scalar(select(ProgrammeRound).where(ProgrammeRound.name == name))
    if row is None:
        row = ProgrammeRound(name=name, created_by=actor.username if actor else "")
        session.add(row)
        session.flush()
        record(
            session=session,
            actor=actor,
            action="programme_round_opened",
            target_type="programme_round",
            target_id=row.id,
            detail={"name": name},
        )
    elif row.status is RoundStatus.ENDED:
        raise ConflictError(
            f"结对轮次 {name} 已结束", f"programme round {name} has ended", code="round_ended"
        )
    return row


def list_rounds(*, session: Session, actor: User | None) -> list[RoundOut]:
    """Every round with its number of active pairs (anyone signed in may read them)."""
    if actor is None:
        return []
    counts = dict(
        session.execute(
            select(EnterprisePairing.round_id, func.count())
            .where(EnterprisePairing.status == PairingStatus.ACTIVE)
            .group_by(EnterprisePairing.round_id)
        ).all()
    )
    rows = session.scalars(select(ProgrammeRound).order_by(ProgrammeRound.name.desc()))
    return [
        RoundOut.model_validate(r, from_attributes=True).model_copy(
            update={"active_pairs": counts.get(r.id, 0)}
        )
        for r in rows
    ]


def pair_out(pair: EnterprisePairing, round_name: str) -> PairOut:
    ent, soc = pair.enterprise, pair.society
    return PairOut(
        id=pair.id,
        round=round_name,
        run_id=pair.run_id,
        enterprise_id=ent.id,
        enterprise_name=ent.name,
        city=ent.city,
        industry=ent.priority_industry or ent.industry,
        is_chain_leader=bool(ent.is_chain_leader),
        society_id=soc.id,
        society_name=soc.name,
        status=pair.status,
        score=pair.score,
        reason=pair.reason,
        pinned=pair.pinned,
        end_reason=pair.end_reason,
    )


def list_pairs(
    *,
    session: Session,
    actor: User | None,
    round_name: str,
    status: PairingStatus | None = PairingStatus.ACTIVE,
) -> list[PairOut]:
    """A round's pairs (active ones unless ``status`` says otherwise): staff see all, a
    society its own, an enterprise its own."""
    rnd = find_round(session, round_name)
    stmt = (
        select(EnterprisePairing)
        .where(
            EnterprisePairing.round_id == rnd.id,
            policy.party_condition(
                actor,
                society_id=EnterprisePairing.society_id,
                enterprise_id=EnterprisePairing.enterprise_id,
            ),
        )
        .options(joinedload(EnterprisePairing.enterprise), joinedload(EnterprisePairing.society))
        .order_by(EnterprisePairing.enterprise_id, EnterprisePairing.score.desc())
    )
    if status is not None:
        stmt = stmt.where(EnterprisePairing.status == status)
    return [pair_out(p, rnd.name) for p in session.scalars(stmt)]


def _end(pairs: list[EnterprisePairing], reason: str) -> None:
    now = utcnow()
    for p in pairs:
        p.status, p.end_reason, p.ended_at = PairingStatus.ENDED, reason, now


@policy.staff_only
def end_round(
    *, session: Session, actor: User | None, round_name: str, reason: str = ""
) -> RoundOut:
    """End a round: every active pair of it ends (with ``reason``, default 轮次结束)."""
    rnd = find_round(session, round_name)
    if rnd.status is RoundStatus.ENDED:
        raise ConflictError(
            f"结对轮次 {round_name} 已结束", f"round {round_name} has ended", code="round_ended"
        )
    active = session.scalars(
        select(EnterprisePairing).where(
            EnterprisePairing.round_id == rnd.id,
            EnterprisePairing.status.in_((PairingStatus.ACTIVE, PairingStatus.PROPOSED)),
        )
    ).all()
    _end([p for p in active if p.status is PairingStatus.ACTIVE], reason or "轮次结束 round ended")
    for p in active:
        if p.status is PairingStatus.PROPOSED:
            p.status = PairingStatus.REMOVED
    rnd.status, rnd.ended_at = RoundStatus.ENDED, utcnow()
    rnd.ended_by = actor.username if actor else ""
    session.flush()
    record(
        session=session,
        actor=actor,
        action="programme_round_ended",
        target_type="programme_round",
        target_id=rnd.id,
        count=len(active),
        detail={"name": rnd.name, "reason": reason},
    )
    return RoundOut.model_validate(rnd, from_attributes=True)


@policy.staff_only
def end_pair(*, session: Session, actor: User | None, pair_id: int, reason: str) -> PairOut:
    """End one active pair (e.g. the enterprise left the programme)."""
    pair = session.get(EnterprisePairing, pair_id)
    if pair is None:
        raise NotFoundError("结对", "pair")
    if pair.status is not PairingStatus.ACTIVE:
        raise ConflictError(
            f"该结对状态为 {pair.status.value}，只有生效的结对可以结束",
            f"the pair is {pair.status.value}: only an active pair can end",
            code="pair_not_active",
        )
    _end([pair], reason)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="programme_pair_ended",
        target_type="enterprise_pairing",
        target_id=pair.id,
        detail={"reason": reason},
    )
    return pair_view(session, pair)


def pair_view(session: Session, pair: EnterprisePairing) -> PairOut:
    rnd = session.get(ProgrammeRound, pair.round_id)
    return pair_out(pair, rnd.name if rnd else "")


def paired_societies(session: Session, enterprise_id: int) -> dict[int, str]:
    """Society id → ``结对学会`` for the enterprise's active pairs in open rounds."""
    ids = session.scalars(
        select(EnterprisePairing.society_id)
        .join(ProgrammeRound, ProgrammeRound.id == EnterprisePairing.round_id)
        .where(
            EnterprisePairing.enterprise_id == enterprise_id,
            EnterprisePairing.status == PairingStatus.ACTIVE,
            ProgrammeRound.status == RoundStatus.OPEN,
        )
        .order_by(EnterprisePairing.score.desc())
    )
    return dict.fromkeys(ids, PAIRED_REASON)


def any_active_pair(session: Session) -> bool:
    return (
        session.scalar(
            select(EnterprisePairing.id)
            .where(EnterprisePairing.status == PairingStatus.ACTIVE)
            .limit(1)
        )
        is not None
    )
