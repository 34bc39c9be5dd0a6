"""Drafting workstation proposals (staff): every pair the rule selects (``generate``), or any
pair by hand (``create_by_hand``); each draft gets its content snapshot and its document.
A pair with an open (draft, submitted) or approved proposal is never drafted again, nor one
rejected since its last completed service."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from matcher.audit.service import record
from matcher.auth import policy
from matcher.config import Settings
from matcher.errors import ConflictError, NotFoundError
from matcher.models import (
    BLOCKING_STATUSES,
    Enterprise,
    ProposalStatus,
    Society,
    User,
    WorkstationProposal,
)
from matcher.proposals import files
from matcher.proposals.assemble import build_content
from matcher.proposals.rendering import store_document
from matcher.proposals.rules import Criteria, Verdict, judge, pair_exclusion, qualifying_pairs
from matcher.proposals.schemas import CandidateOut, GenerateOut, ProposalCreate, ProposalOut
from matcher.proposals.service import proposal_out
from matcher.timeutil import assume_utc


def take_write_lock(session: Session) -> None:
    """SQLite: take the write lock before reading what a write checks (a no-op update).
    PostgreSQL: the partial unique index on open pairs settles races."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE profile_revision SET revision = revision WHERE id = 0"))


def blocking_proposal(
    session: Session, *, society_id: int, enterprise_id: int
) -> WorkstationProposal | None:
    """The pair's open (draft, submitted) or approved proposal, if any."""
    return session.scalar(
        select(WorkstationProposal).where(
            WorkstationProposal.society_id == society_id,
            WorkstationProposal.enterprise_id == enterprise_id,
            WorkstationProposal.status.in_(BLOCKING_STATUSES),
        )
    )


def _rejected_since_last_service(session: Session, verdict: Verdict) -> int | None:
    """A rejected proposal of the pair decided after its last completed service (nothing new
    to judge since): the rule does not propose the pair again."""
    last = assume_utc(verdict.history.last_completed)
    rejected = session.execute(
        select(WorkstationProposal.id, WorkstationProposal.decided_at)
        .where(
            WorkstationProposal.society_id == verdict.society_id,
            WorkstationProposal.enterprise_id == verdict.enterprise_id,
            WorkstationProposal.status == ProposalStatus.REJECTED,
        )
        .order_by(WorkstationProposal.decided_at.desc(), WorkstationProposal.id.desc())
    ).first()
    if rejected is None:
        return None
    decided = assume_utc(rejected.decided_at)
    return rejected.id if last is None or decided is None or decided >= last else None


def _title(society: Society, enterprise: Enterprise) -> str:
    return f"{society.name}—{enterprise.name}专家工作站建站建议"[:200]


def _draft(
    session: Session,
    settings: Settings,
    actor: User,
    criteria: Criteria,
    *,
    society: Society,
    enterprise: Enterprise,
    verdict: Verdict,
    by_hand: bool,
    note: str | None = None,
) -> WorkstationProposal:
    content = build_content(
        session, criteria, society=society, enterprise=enterprise, verdict=verdict, by_hand=by_hand
    )
    proposal = WorkstationProposal(
        society_id=society.id,
        enterprise_id=enterprise.id,
        status=ProposalStatus.DRAFT,
        title=_title(society, enterprise),
        rationale=content.basis,
        by_hand=by_hand,
        expert_ids=[e.expert_id for e in content.experts],
        snapshot=content.to_dict(),
        created_by=actor.username,
        status_note=note,
    )
    proposal.society, proposal.enterprise = society, enterprise
    session.add(proposal)
    store_document(session, settings, proposal)
    return proposal


def _refresh(session: Session, settings: Settings, criteria: Criteria, proposal) -> bool:
    """Take a draft's content from the store again; rewrite its document if it changed (or
    the file is missing or damaged). Whether anything was rewritten."""
    verdict = judge(
        session, criteria, society_id=proposal.society_id, enterprise_id=proposal.enterprise_id
    )
    content = build_content(
        session,
        criteria,
        society=proposal.society,
        enterprise=proposal.enterprise,
        verdict=verdict,
        by_hand=proposal.by_hand,
    )
    intact = files.read_document(settings, proposal.document_path, proposal.document_sha256)
    if content.to_dict() == proposal.snapshot and intact is not None:
        return False
    proposal.snapshot, proposal.rationale = content.to_dict(), content.basis
    proposal.expert_ids = [e.expert_id for e in content.experts]
    store_document(session, settings, proposal)
    return True


@policy.staff_only
def generate(
    *, session: Session, settings: Settings, actor: User, dry_run: bool = False
) -> GenerateOut:
    """Draft a proposal (and its document) for every pair the rule selects that has no open
    or approved proposal (nor one rejected since its last completed service), and bring the
    other drafts up to date. ``dry_run`` only reports what would be drafted."""
    criteria = Criteria.from_settings(settings)
    if not dry_run:
        take_write_lock(session)
    verdicts = qualifying_pairs(session, criteria)
    societies = _by_id(session, Society, {v.society_id for v in verdicts})
    enterprises = _by_id(session, Enterprise, {v.enterprise_id for v in verdicts})
    candidates, created = [], []
    for v in verdicts:
        society, enterprise = societies[v.society_id], enterprises[v.enterprise_id]
        existing = blocking_proposal(session, society_id=society.id, enterprise_id=enterprise.id)
        rejected = None if existing else _rejected_since_last_service(session, v)
        if existing is not None:
            outcome, proposal_id = "exists", existing.id
        elif rejected is not None:
            outcome, proposal_id = "rejected_before", rejected
        elif dry_run:
            outcome, proposal_id = "would_create", None
        else:
            proposal = _draft(
                session,
                settings,
                actor,
                criteria,
                society=society,
                enterprise=enterprise,
                verdict=v,
                by_hand=False,
            )
            outcome, proposal_id = "created", proposal.id
            created.append(proposal.id)
        candidates.append(_candidate(v, society, enterprise, outcome, proposal_id))
    refreshed = 0
    if not dry_run:
        drafts = session.scalars(
            select(WorkstationProposal)
            .where(WorkstationProposal.status == ProposalStatus.DRAFT)
            .order_by(WorkstationProposal.id)
        ).all()
        refreshed = sum(
            _refresh(session, settings, criteria, p) for p in drafts if p.id not in created
        )
        record(
            session=session,
            actor=actor,
            action="proposals_generated",
            target_type="proposal",
            count=len(created),
            detail={"created": created, "refreshed": refreshed},
        )
    return GenerateOut(
        dry_run=dry_run, candidates=candidates, created=len(created), refreshed=refreshed
    )


def _by_id(session: Session, model, ids: set[int]) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)))}


def _candidate(v: Verdict, society, enterprise, outcome: str, proposal_id) -> CandidateOut:
    return CandidateOut(
        society_id=society.id,
        society_name=society.name,
        enterprise_id=enterprise.id,
        enterprise_name=enterprise.name,
        route=v.route,
        services=v.history.services,
        mean_rating=None if v.history.mean_rating is None else round(v.history.mean_rating, 2),
        society_score=None if v.society_score is None else round(v.society_score, 1),
        experts=len(v.candidates),
        outcome=outcome,
        proposal_id=proposal_id,
    )


@policy.staff_only
def create_by_hand(
    *, session: Session, settings: Settings, actor: User, data: ProposalCreate
) -> ProposalOut:
    """Start a proposal for any pair, qualified or not (the document says what the pair
    lacks, and that it has no shared history when it has none)."""
    society = session.get(Society, data.society_id)
    if society is None:
        raise NotFoundError("学会", "society")
    enterprise = session.get(Enterprise, data.enterprise_id)
    if enterprise is None:
        raise NotFoundError("企业", "enterprise")
    take_write_lock(session)
    existing = blocking_proposal(session, society_id=society.id, enterprise_id=enterprise.id)
    if existing is not None:
        number = files.number(existing.id)
        raise ConflictError(
            f"该学会与企业已有未结或已批准的建站建议（{number}）",
            f"the pair already has an open or approved proposal ({number})",
            code="proposal_exists",
            details={"proposal_id": existing.id, "status": existing.status.value},
        )
    excluded = pair_exclusion(session, society_id=society.id, enterprise_id=enterprise.id)
    if excluded:
        raise ConflictError(
            excluded, "this society may not serve this enterprise", code="pair_excluded"
        )
    criteria = Criteria.from_settings(settings)
    verdict = judge(session, criteria, society_id=society.id, enterprise_id=enterprise.id)
    proposal = _draft(
        session,
        settings,
        actor,
        criteria,
        society=society,
        enterprise=enterprise,
        verdict=verdict,
        by_hand=True,
        note=data.note,
    )
    record(
        session=session,
        actor=actor,
        action="proposal_created",
        target_type="proposal",
        target_id=proposal.id,
        detail={
            "society_id": society.id,
            "enterprise_id": enterprise.id,
            "by_hand": True,
            "meets_rule": verdict.qualifies,
            "services": verdict.history.services,
        },
    )
    return proposal_out(session, settings, proposal)
