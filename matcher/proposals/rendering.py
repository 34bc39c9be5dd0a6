"""A proposal's document: its content (the stored snapshot), its heading (number, status,
note), rendering it and keeping it on disk."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from matcher.config import Settings
from matcher.documents.content import Heading, ProposalContent
from matcher.documents.workstation import render_proposal
from matcher.models import Enterprise, ProposalStatus, Society, WorkstationProposal
from matcher.proposals import files
from matcher.proposals.assemble import build_content
from matcher.proposals.rules import Criteria, judge
from matcher.timeutil import assume_utc

log = logging.getLogger(__name__)
CHINA = timezone(timedelta(hours=8))
STATUS_LABELS = {
    ProposalStatus.DRAFT: "草稿",
    ProposalStatus.SUBMITTED: "已提交审核",
    ProposalStatus.APPROVED: "已批准建站",
    ProposalStatus.REJECTED: "未通过",
}
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def china_date(value: datetime | None) -> date:
    """The calendar day in China of an instant (naive values are UTC, as SQLite returns)."""
    return assume_utc(value or datetime.now(UTC)).astimezone(CHINA).date()


def fresh_content(
    session: Session,
    criteria: Criteria,
    *,
    society: Society,
    enterprise: Enterprise,
    by_hand: bool,
) -> ProposalContent:
    verdict = judge(session, criteria, society_id=society.id, enterprise_id=enterprise.id)
    return build_content(
        session, criteria, society=society, enterprise=enterprise, verdict=verdict, by_hand=by_hand
    )


def content_of(session: Session, settings: Settings, proposal: WorkstationProposal):
    """The proposal's stored content (built from the store if it has none yet)."""
    if proposal.snapshot:
        return ProposalContent.from_dict(proposal.snapshot)
    return fresh_content(
        session,
        Criteria.from_settings(settings),
        society=proposal.society,
        enterprise=proposal.enterprise,
        by_hand=proposal.by_hand,
    )


def heading(proposal: WorkstationProposal) -> Heading:
    return Heading(
        number=files.number(proposal.id),
        status=STATUS_LABELS[proposal.status],
        drafted_on=china_date(proposal.created_at).isoformat(),
        note=proposal.status_note,
    )


def store_document(
    session: Session, settings: Settings, proposal: WorkstationProposal
) -> ProposalContent:
    """Render the proposal's document again and replace the file (never edited in place)."""
    session.flush()  # the proposal has its id and timestamps
    content = content_of(session, settings, proposal)
    data = render_proposal(content, heading(proposal))
    proposal.document_path, proposal.document_sha256 = files.write_document(
        settings, proposal.id, data, session
    )
    return content


def document_bytes(session: Session, settings: Settings, proposal: WorkstationProposal) -> bytes:
    """The stored document; if it is missing or damaged, rendered now from the stored
    content (not written: a read only reads; the next move of the proposal rewrites it)."""
    data = files.read_document(settings, proposal.document_path, proposal.document_sha256)
    if data is None:
        log.warning("proposal %s: document missing or damaged, rendered anew", proposal.id)
        data = render_proposal(content_of(session, settings, proposal), heading(proposal))
    return data


def download_name(proposal: WorkstationProposal) -> str:
    return f"{files.number(proposal.id)}-{proposal.enterprise.name}-{proposal.society.name}.docx"
