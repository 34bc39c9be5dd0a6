"""The workstations approvals created, as staff, the society and the enterprise concerned see
them (anyone else sees none)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.auth import policy
from matcher.models import User, Workstation
from matcher.proposals import files


@dataclass(frozen=True)
class WorkstationRow:
    id: int
    name: str
    society_id: int
    society_name: str
    enterprise_id: int
    enterprise_name: str
    start_date: date
    experts: list[str]  # resident experts' names
    proposal: str | None  # the approved proposal's number (WS-00007)


def list_workstations(*, session: Session, actor: User | None) -> list[WorkstationRow]:
    """The workstations ``actor`` is party to (staff: all), newest first."""
    rows = session.scalars(
        select(Workstation)
        .where(
            policy.party_condition(
                actor,
                society_id=Workstation.society_id,
                enterprise_id=Workstation.enterprise_id,
            )
        )
        .options(
            selectinload(Workstation.society),
            selectinload(Workstation.enterprise),
            selectinload(Workstation.experts),
        )
        .order_by(Workstation.id.desc())
    )
    return [
        WorkstationRow(
            id=w.id,
            name=w.name,
            society_id=w.society_id,
            society_name=w.society.name,
            enterprise_id=w.enterprise_id,
            enterprise_name=w.enterprise.name,
            start_date=w.start_date,
            experts=sorted(e.name for e in w.experts),
            proposal=files.number(w.proposal_id) if w.proposal_id else None,
        )
        for w in rows
    ]
