"""The programme figures as the API returns them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from matcher.report.figures import Figures


class ProgrammeFiguresOut(BaseModel):
    round: str
    year: int
    figures: Figures = Field(
        description="totals (vs goals 100 societies, 1,000 enterprises), by type, by month, "
        "by city, by priority industry"
    )


class YearlyReportOut(ProgrammeFiguresOut):
    files: list[str] = Field(description="written files, relative to the data directory")
