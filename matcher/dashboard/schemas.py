"""Dashboard filters and the data behind each figure."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, computed_field, model_validator

from matcher.api.fields import City
from matcher.errors import InvalidInputError
from matcher.models import NeedStatus

UNSPECIFIED = "未填 unspecified"
OTHER_CITY = "省外或未填 other"


class DashboardFilter(BaseModel):
    """Dates are inclusive calendar days (UTC); ``city`` is one of Henan's cities."""

    since: date | None = Field(default=None, description="from this day (inclusive)")
    until: date | None = Field(default=None, description="to this day (inclusive)")
    city: City | None = Field(default=None, description="only this city")

    @model_validator(mode="after")
    def _ordered(self) -> DashboardFilter:
        if self.since and self.until and self.since > self.until:
            raise InvalidInputError(
                f"开始日期 {self.since} 晚于结束日期 {self.until}",
                f"since {self.since} is after until {self.until}",
                details={"field": "since"},
            )
        return self


class LabelCount(BaseModel):
    label: str
    count: int


class DisciplineCount(BaseModel):
    label: str
    stated: int = Field(description="needs naming this discipline (学科分类)")
    inferred: int = Field(description="needs naming none whose first-ranked society has it")

    @computed_field
    @property
    def count(self) -> int:
        return self.stated + self.inferred


class MonthStatusCount(BaseModel):
    month: str = Field(description="YYYY-MM of the need's creation (UTC)")
    status: NeedStatus
    count: int


class Coverage(BaseModel):
    min_score: float
    open_needs: int = Field(description="needs awaiting a society (open, matched, needs detail)")
    covered: int = Field(description="of them, with a society scoring at least min_score")
    share: float = Field(description="covered / open_needs, 0 when there are none")


class SocietyLoad(BaseModel):
    society_id: int
    name: str
    city: str | None
    capacity: int
    active: int = Field(description="assignments proposed, confirmed or in service")
    utilisation: float = Field(description="active / capacity (0 when capacity is 0)")


class LeadResponseRate(BaseModel):
    society_id: int
    name: str
    leads: int
    responded: int
    rate: float = Field(description="responded / leads")
    median_hours: float | None = Field(
        description="median hours from the need's posting to the society's first answer"
    )


class ServicesMonth(BaseModel):
    month: str = Field(description="YYYY-MM of completion (UTC)")
    completed: int
    rated: int
    mean_rating: float | None
