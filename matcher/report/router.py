"""``/reports``: the programme's figures and the yearly report (staff only)."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Query, Response

from matcher.api.attachments import attachment
from matcher.api.deps import SessionDep, SettingsDep, StaffDep
from matcher.api.types import Text
from matcher.report import output
from matcher.report.schemas import ProgrammeFiguresOut, YearlyReportOut
from matcher.report.service import programme_report

router = APIRouter(prefix="/reports", tags=["reports"])
RoundName = Text(50, 1)


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    docx = "docx"


@router.get("/programme", response_model=ProgrammeFiguresOut)
def programme_figures(
    session: SessionDep, actor: StaffDep, round_name: RoundName = Query(alias="round")
) -> ProgrammeFiguresOut:
    """The round's figures: societies engaged, enterprises paired (chain leaders among them),
    activities by type and month, volunteer hours, needs solved, workstations and platforms,
    by city and by priority industry."""
    report = programme_report(session=session, actor=actor, round_name=round_name)
    return ProgrammeFiguresOut(round=report.round_name, year=report.year, figures=report.figures)


@router.get(
    "/yearly",
    response_class=Response,
    responses={200: {"content": {t: {} for t in output.MEDIA.values()}}},
)
def yearly_file(
    session: SessionDep,
    actor: StaffDep,
    round_name: RoundName = Query(alias="round"),
    fmt: ReportFormat = Query(ReportFormat.docx, alias="format"),
) -> Response:
    """The yearly report: the tables (.xlsx) or the Chinese summary with charts (.docx)."""
    name, data = output.report_file(
        session=session, actor=actor, round_name=round_name, fmt=fmt.value
    )
    return attachment(data, output.MEDIA[fmt.value], f"yearly-report.{fmt.value}", name)


@router.post("/yearly", response_model=YearlyReportOut, status_code=201)
def write_yearly(
    session: SessionDep,
    settings: SettingsDep,
    actor: StaffDep,
    round_name: RoundName = Query(alias="round"),
) -> YearlyReportOut:
    """Write both files under the data directory (``reports/``), replacing older ones."""
    written = output.write_yearly(
        session=session, actor=actor, settings=settings, round_name=round_name
    )
    report = written.report
    files = [p.relative_to(settings.data_dir).as_posix() for p in (written.xlsx, written.docx)]
    return YearlyReportOut(
        round=report.round_name, year=report.year, figures=report.figures, files=files
    )
