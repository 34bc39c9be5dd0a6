"""The proposal life cycle (staff only): draft → submitted → approved | rejected.

=======  ================  =========  =========================================
action   from              to         note
=======  ================  =========  =========================================
submit   draft             submitted  optional
approve  submitted         approved   optional; creates the workstation
reject   draft, submitted  rejected   required (why not)
=======  ================  =========  =========================================

A move the current state does not allow is 409 ``illegal_transition`` (the state is checked
by the UPDATE itself, so two concurrent moves cannot both succeed). Every move is audited
and regenerates the document (its heading shows the status and the note).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from matcher.audit.service import record
from matcher.auth import policy
from matcher.config import Settings
from matcher.errors import ConflictError, InvalidInputError
from matcher.models import (
    Expert,
    ProposalStatus,
    User,
    Workstation,
    WorkstationProposal,
    expert_societies,
)
from matcher.models.base import utcnow
from matcher.proposals.drafting import take_write_lock
from matcher.proposals.rendering import china_date, store_document
from matcher.proposals.schemas import ProposalOut
from matcher.proposals.service import get_visible_proposal, proposal_out

P = ProposalStatus


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"


DONE = {Action.SUBMIT: "submitted", Action.APPROVE: "approved", Action.REJECT: "rejected"}
RULES: dict[Action, tuple[frozenset[ProposalStatus], ProposalStatus]] = {
    Action.SUBMIT: (frozenset({P.DRAFT}), P.SUBMITTED),
    Action.APPROVE: (frozenset({P.SUBMITTED}), P.APPROVED),
    Action.REJECT: (frozenset({P.DRAFT, P.SUBMITTED}), P.REJECTED),
}


@policy.staff_only
def transition(
    *,
    session: Session,
    settings: Settings,
    actor: User,
    proposal_id: int,
    action: Action,
    note: str | None = None,
) -> ProposalOut:
    """Move one proposal (see the table above)."""
    action = Action(action)
    sources, target = RULES[action]
    proposal = get_visible_proposal(session, actor, proposal_id)
    if action is Action.REJECT and not (note or "").strip():
        raise InvalidInputError(
            "请填写不予通过的理由", "a note is required to reject", details={"field": "note"}
        )
    take_write_lock(session)
    experts = _residents(session, proposal) if action is Action.APPROVE else []
    if action is Action.APPROVE and proposal.status in sources and not experts:
        raise ConflictError(
            "建议中没有仍属该学会的拟进站专家，无法批准",
            "no proposed resident expert is still a member of the society",
            code="no_resident_experts",
        )
    previous = proposal.status
    now = utcnow()
    values: dict = {"status": target, "updated_at": now}
    if note is not None:
        values["status_note"] = note
    if action is Action.SUBMIT:
        values["submitted_at"] = now
    else:
        values.update(decided_by=actor.username, decided_at=now)
    moved = session.execute(
        update(WorkstationProposal)
        .where(WorkstationProposal.id == proposal.id, WorkstationProposal.status.in_(sources))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(proposal)
    if moved != 1:
        raise ConflictError(
            f"状态为 {proposal.status.value} 的建站建议不能执行 {action.value}",
            f"a proposal that is {proposal.status.value} cannot be {DONE[action]}",
            code="illegal_transition",
            details={
                "status": proposal.status.value,
                "action": action.value,
                "allowed_from": sorted(s.value for s in sources),
            },
        )
    station = _open_workstation(session, actor, proposal, experts) if experts else None
    store_document(session, settings, proposal)
    record(
        session=session,
        actor=actor,
        action=f"proposal_{action.value}",
        target_type="proposal",
        target_id=proposal.id,
        detail={"from": previous.value, "to": target.value}
        | ({"note": note} if note is not None else {}),
    )
    return proposal_out(session, settings, proposal, station.id if station else None)


def _residents(session: Session, proposal: WorkstationProposal) -> list[Expert]:
    """The proposed experts that still exist and still belong to the society, in order."""
    ids = list(proposal.expert_ids or [])
    if not ids:
        return []
    members = set(
        session.scalars(
            select(expert_societies.c.expert_id).where(
                expert_societies.c.society_id == proposal.society_id,
                expert_societies.c.expert_id.in_(ids),
            )
        )
    )
    found = {e.id: e for e in session.scalars(select(Expert).where(Expert.id.in_(members)))}
    return [found[i] for i in ids if i in found]


def _open_workstation(
    session: Session, actor: User, proposal: WorkstationProposal, experts: list[Expert]
) -> Workstation:
    existing = session.scalar(
        select(Workstation.id).where(
            Workstation.society_id == proposal.society_id,
            Workstation.enterprise_id == proposal.enterprise_id,
        )
    )
    if existing is not None:
        raise ConflictError(
            "该学会已在该企业建有工作站",
            "the society already has a workstation at this enterprise",
            code="workstation_exists",
            details={"workstation_id": existing},
        )
    station = Workstation(
        society_id=proposal.society_id,
        enterprise_id=proposal.enterprise_id,
        proposal_id=proposal.id,
        name=f"{proposal.society.name}专家工作站（{proposal.enterprise.name}）"[:300],
        start_date=china_date(proposal.decided_at),
        experts=experts,
    )
    session.add(station)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="workstation_created",
        target_type="workstation",
        target_id=station.id,
        detail={"proposal_id": proposal.id, "experts": [e.id for e in experts]},
    )
    return station
