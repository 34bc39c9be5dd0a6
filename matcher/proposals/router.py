"""``/proposals``: expert-workstation proposals. Staff generate, start, move and summarise
them; staff, the society and the enterprise concerned read them and their documents."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response

from matcher.api.attachments import SHEET_TYPES
from matcher.api.attachments import attachment as _attachment
from matcher.api.deps import ActorDep, SessionDep, SettingsDep, StaffDep
from matcher.api.pagination import Page
from matcher.api.types import Id, IdPath, Limit, Offset
from matcher.models import ProposalStatus
from matcher.proposals import drafting, lifecycle, service, summary
from matcher.proposals.rendering import MEDIA_TYPE
from matcher.proposals.schemas import GenerateOut, NoteIn, ProposalCreate, ProposalOut, RejectIn

router = APIRouter(prefix="/proposals", tags=["proposals"])


class SummaryFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@router.post("/generate", response_model=GenerateOut)
def generate(
    session: SessionDep, settings: SettingsDep, actor: StaffDep, dry_run: bool = False
) -> GenerateOut:
    """Draft a proposal and its document for every pair the workstation rule selects (none
    for a pair with an open or approved proposal); ``dry_run`` only lists them."""
    return drafting.generate(session=session, settings=settings, actor=actor, dry_run=dry_run)


@router.post("", response_model=ProposalOut, status_code=201)
def create_proposal(
    session: SessionDep, settings: SettingsDep, actor: StaffDep, body: ProposalCreate
) -> ProposalOut:
    """Start a proposal by hand for any pair (409 ``proposal_exists`` if one is open or
    approved)."""
    return drafting.create_by_hand(session=session, settings=settings, actor=actor, data=body)


@router.get("", response_model=Page[ProposalOut])
def list_proposals(
    session: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    status: ProposalStatus | None = None,
    society_id: Annotated[Id | None, Query()] = None,
    enterprise_id: Annotated[Id | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Staff see all; a society or an enterprise the proposals it is party to."""
    items, total = service.list_proposals(
        session=session,
        settings=settings,
        actor=actor,
        status=status,
        society_id=society_id,
        enterprise_id=enterprise_id,
        limit=limit,
        offset=offset,
    )
    return Page[ProposalOut](items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/summary",
    response_class=Response,
    responses={200: {"content": {t: {} for t in SHEET_TYPES.values()}}},
)
def proposals_summary(
    session: SessionDep,
    settings: SettingsDep,
    actor: StaffDep,
    fmt: SummaryFormat = Query(SummaryFormat.xlsx, alias="format"),
) -> Response:
    """One row per proposal, for the staff meeting (.xlsx, or CSV with BOM)."""
    data = summary.summary_bytes(session=session, settings=settings, actor=actor, fmt=fmt.value)
    name = f"{summary.TITLE}.{fmt.value}"
    return _attachment(data, SHEET_TYPES[fmt.value], f"proposals.{fmt.value}", name)


@router.get("/{proposal_id}", response_model=ProposalOut)
def get_proposal(
    session: SessionDep, settings: SettingsDep, actor: ActorDep, proposal_id: IdPath
) -> ProposalOut:
    return service.get_proposal(
        session=session, settings=settings, actor=actor, proposal_id=proposal_id
    )


@router.get(
    "/{proposal_id}/document",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}}},
)
def proposal_document(
    session: SessionDep, settings: SettingsDep, actor: ActorDep, proposal_id: IdPath
) -> Response:
    """The proposal's .docx (学会专家工作站建站建议书)."""
    name, data = service.proposal_document(
        session=session, settings=settings, actor=actor, proposal_id=proposal_id
    )
    return _attachment(data, MEDIA_TYPE, f"proposal-{proposal_id}.docx", name)


def _move(session, settings, actor, proposal_id, action, note: str | None) -> ProposalOut:
    return lifecycle.transition(
        session=session,
        settings=settings,
        actor=actor,
        proposal_id=proposal_id,
        action=action,
        note=note,
    )


@router.post("/{proposal_id}/submit", response_model=ProposalOut)
def submit(
    session: SessionDep,
    settings: SettingsDep,
    actor: StaffDep,
    proposal_id: IdPath,
    body: NoteIn | None = None,
) -> ProposalOut:
    """draft → submitted."""
    note = body.note if body else None
    return _move(session, settings, actor, proposal_id, lifecycle.Action.SUBMIT, note)


@router.post("/{proposal_id}/approve", response_model=ProposalOut)
def approve(
    session: SessionDep,
    settings: SettingsDep,
    actor: StaffDep,
    proposal_id: IdPath,
    body: NoteIn | None = None,
) -> ProposalOut:
    """submitted → approved: the workstation is created with the proposed resident experts."""
    note = body.note if body else None
    return _move(session, settings, actor, proposal_id, lifecycle.Action.APPROVE, note)


@router.post("/{proposal_id}/reject", response_model=ProposalOut)
def reject(
    session: SessionDep, settings: SettingsDep, actor: StaffDep, proposal_id: IdPath, body: RejectIn
) -> ProposalOut:
    """draft or submitted → rejected, saying why."""
    return _move(session, settings, actor, proposal_id, lifecycle.Action.REJECT, body.note)
