"""The programme's figures for one round, read from the store (staff only; reads only)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from matcher.auth import policy
from matcher.models import (
    Assignment,
    AssignmentStatus,
    ConfirmationStatus,
    Enterprise,
    EnterprisePairing,
    PairingStatus,
    ProgrammeRound,
    ServiceActivity,
    User,
    Workstation,
)
from matcher.models.programme import PRIORITY_INDUSTRIES
from matcher.programme.rounds import find_round
from matcher.report.figures import (
    NO_CITY,
    OTHER,
    ActivityRow,
    Figures,
    PairRow,
    Place,
    SolvedRow,
    StationRow,
    programme_figures,
)

COUNTED_PAIRS = (PairingStatus.ACTIVE, PairingStatus.ENDED)


@dataclass(frozen=True)
class ProgrammeReport:
    round_name: str
    year: int
    figures: Figures


def round_year(programme_round: ProgrammeRound) -> int:
    """The calendar year of a round: the year its name starts with ("2026", "2026 第二批"),
    else the year it was created."""
    found = re.match(r"\s*(\d{4})", programme_round.name)
    return int(found.group(1)) if found else programme_round.created_at.year


def priority_of(enterprise: Enterprise) -> str:
    """The enterprise's priority industry: as recorded, else the first priority industry its
    industry names (轴承制造 → 轴承), else ``OTHER``."""
    if enterprise.priority_industry:
        return enterprise.priority_industry
    industry = enterprise.industry or ""
    return next((p for p in PRIORITY_INDUSTRIES if p in industry), OTHER)


def _places(session: Session, enterprise_ids: set[int]) -> dict[int, tuple[Place, bool]]:
    if not enterprise_ids:
        return {}
    rows = session.scalars(select(Enterprise).where(Enterprise.id.in_(enterprise_ids)))
    return {e.id: (Place(e.city or NO_CITY, priority_of(e)), bool(e.is_chain_leader)) for e in rows}


@policy.staff_only
def programme_report(*, session: Session, actor: User, round_name: str) -> ProgrammeReport:
    """Figures of a round: its active or ended pairs, its activities (and undated-round ones of
    its year) but disputed ones, needs whose service completed in its year, workstations
    started in its year."""
    programme_round = find_round(session, round_name.strip())
    year = round_year(programme_round)
    start, end = date(year, 1, 1), date(year, 12, 31)
    pairs = session.execute(
        select(EnterprisePairing.society_id, EnterprisePairing.enterprise_id).where(
            EnterprisePairing.round_id == programme_round.id,
            EnterprisePairing.status.in_(COUNTED_PAIRS),
        )
    ).all()
    activities = session.scalars(
        select(ServiceActivity).where(
            or_(
                ServiceActivity.round_id == programme_round.id,
                and_(
                    ServiceActivity.round_id.is_(None),
                    ServiceActivity.activity_date.between(start, end),
                ),
            ),
            ServiceActivity.confirmation != ConfirmationStatus.DISPUTED,
        )
    ).all()
    solved = session.execute(
        select(Assignment.need_id, Assignment.society_id, Assignment.enterprise_id).where(
            Assignment.status == AssignmentStatus.COMPLETED,
            Assignment.need_id.is_not(None),
            Assignment.completed_at >= datetime(year, 1, 1, tzinfo=UTC),
            Assignment.completed_at < datetime(year + 1, 1, 1, tzinfo=UTC),
        )
    ).all()
    stations = session.execute(
        select(Workstation.society_id, Workstation.enterprise_id).where(
            Workstation.start_date.between(start, end)
        )
    ).all()
    enterprise_ids = {r[1] for r in pairs} | {a.enterprise_id for a in activities}
    enterprise_ids |= {r[2] for r in solved} | {r[1] for r in stations}
    places = _places(session, enterprise_ids)
    figures = programme_figures(
        [PairRow(s, e, places[e][1], places[e][0]) for s, e in pairs],
        [
            ActivityRow(
                a.society_id,
                a.enterprise_id,
                a.service_type,
                a.platform_kind,
                a.activity_date.month,
                float(a.volunteer_hours or 0.0),
                places[a.enterprise_id][0],
            )
            for a in activities
        ],
        [SolvedRow(n, s, places[e][0]) for n, s, e in solved],
        [StationRow(s, e, places[e][0]) for s, e in stations],
    )
    return ProgrammeReport(programme_round.name, year, figures)


@policy.staff_only
def round_names(*, session: Session, actor: User) -> list[str]:
    """The rounds, newest first (for choosing one)."""
    return list(session.scalars(select(ProgrammeRound.name).order_by(ProgrammeRound.id.desc())))
