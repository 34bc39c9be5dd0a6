"""The yearly report's files: the tables as .xlsx and the summary as .docx, written
atomically (temp file, then rename) under ``$MATCHER_DATA_DIR/reports`` or a chosen folder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from matcher.api.attachments import SHEET_TYPES
from matcher.auth import policy
from matcher.config import Settings
from matcher.exports.formats import render_workbook
from matcher.models import User
from matcher.private import private_dir
from matcher.proposals.files import atomic_write
from matcher.report.document import render_report
from matcher.report.service import ProgrammeReport, programme_report
from matcher.report.tables import report_tables

SUBDIR = "reports"
UNSAFE = re.compile(r"[^\w-]+")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA = {"xlsx": SHEET_TYPES["xlsx"], "docx": DOCX_TYPE}


@dataclass(frozen=True)
class WrittenReport:
    report: ProgrammeReport
    xlsx: Path
    docx: Path


def workbook_bytes(report: ProgrammeReport) -> bytes:
    return render_workbook(report_tables(report.figures))


def stem(round_name: str) -> str:
    """A file name stem safe on every system: ``百会链千企-2026-年度报告``."""
    safe = UNSAFE.sub("_", round_name).strip("_") or "round"
    return f"百会链千企-{safe}-年度报告"


@policy.staff_only
def report_file(
    *, session: Session, actor: User, round_name: str, fmt: str, today: date | None = None
) -> tuple[str, bytes]:
    """(file name, bytes) of the report as .xlsx or .docx, rendered now (nothing stored)."""
    report = programme_report(session=session, actor=actor, round_name=round_name)
    data = workbook_bytes(report) if fmt == "xlsx" else render_report(report, today or date.today())
    return f"{stem(report.round_name)}.{fmt}", data


@policy.staff_only
def write_yearly(
    *,
    session: Session,
    actor: User,
    settings: Settings,
    round_name: str,
    out_dir: Path | None = None,
    today: date | None = None,
) -> WrittenReport:
    """Write both files to ``out_dir`` (default ``$MATCHER_DATA_DIR/reports``)."""
    report = programme_report(session=session, actor=actor, round_name=round_name)
    folder = private_dir(Path(out_dir) if out_dir else settings.data_dir / SUBDIR)
    base = folder / stem(report.round_name)
    xlsx, docx = base.with_suffix(".xlsx"), base.with_suffix(".docx")
    atomic_write(xlsx, workbook_bytes(report))
    atomic_write(docx, render_report(report, today or date.today()))
    return WrittenReport(report, xlsx, docx)
