"""Need shapes, with the enterprise's contact only for readers allowed to see it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, field_validator

from matcher.api.fields import Budget, City, Deadline, Items, Year, stated
from matcher.api.types import Id, Keywords, LongText, Name, Short, Text, UtcDatetime
from matcher.enterprises.schemas import Contact
from matcher.imports import validators as v
from matcher.models import NeedStatus, TargetKind
from matcher.models.enterprise import ACTIVITY_TYPES, SOLUTION_MODES

SolutionMode = Literal[SOLUTION_MODES]  # type: ignore[valid-type]
ActivityType = Literal[ACTIVITY_TYPES]  # type: ignore[valid-type]
SolutionModeIn = Annotated[SolutionMode | None, BeforeValidator(stated(v.parse_solution_mode))]
ActivityTypeIn = Annotated[ActivityType | None, BeforeValidator(stated(v.parse_activity_type))]


class NeedFormFilter(BaseModel):
    """List filters on the need-collection form's fields (all optional, combined with AND)."""

    solution_mode: SolutionMode | None = None
    activity_type: ActivityType | None = None
    discipline: Text(100) | None = Field(default=None, description="学科分类, exactly")
    field: Text(100) | None = Field(default=None, description="one of the need's 所属领域")
    application_industry: Text(100) | None = Field(default=None, description="应用行业, exactly")
    budget_min: float | None = Field(default=None, ge=0, le=1e9, description="万元")
    budget_max: float | None = Field(default=None, ge=0, le=1e9, description="万元")
    year: int | None = Field(
        default=None, ge=1950, le=2100, description="needs whose time frame includes this year"
    )


class NeedSort(StrEnum):
    """Orders of a needs list (ties broken by id, newest first)."""

    newest = "newest"
    oldest = "oldest"
    score_desc = "score_desc"
    score_asc = "score_asc"
    title = "title"


class NeedListFilter(BaseModel):
    """List filters beyond the need's own columns: who it matched, when it was posted, how
    well its best society scores (0–100); and the order."""

    society_id: Id | None = Field(default=None, description="needs among whose matches it is")
    posted_from: date | None = Field(default=None, description="posted on or after (UTC date)")
    posted_to: date | None = Field(default=None, description="posted on or before (UTC date)")
    score_min: float | None = Field(default=None, ge=0, le=100, description="best society score")
    score_max: float | None = Field(default=None, ge=0, le=100, description="best society score")
    sort: NeedSort = NeedSort.newest


class NeedUpdate(BaseModel):
    """A need's fields; the need-collection form's take the values a form cell takes, checked
    by the import's parsers (same rules, same messages)."""

    title: Name | None = None
    description: LongText | None = None
    industry: Short | None = None
    city: City | None = None
    keywords: Keywords | None = None
    deadline: Deadline | None = Field(default=None, description="today or later")
    start_year: Year = Field(default=None, description="需求时限 start: 2022, 2022年3月, 2022.03")
    end_year: Year = Field(default=None, description="需求时限 end, not before the start")
    budget: Budget = Field(
        default=None, description="拟投入资金总额 in 万元: 50, 50万, 0.5亿 (→ 5000); 面议 → none"
    )
    solution_mode: SolutionModeIn = Field(
        default=None, description="技术需求解决方式 (自主研发, 合作开发 … accepted)"
    )
    partner: Text(200) | None = Field(default=None, description="合作意向单位")
    activity_type: ActivityTypeIn = Field(default=None, description="科技活动类型")
    discipline: Short | None = Field(default=None, description="学科分类, as given")
    fields: Items = Field(default=None, description="需求技术所属领域 (a list, or 、-separated)")
    application_industry: Short | None = Field(default=None, description="需求技术应用行业")

    @field_validator("end_year")
    @classmethod
    def _end_after_start(cls, end: int | None, info: ValidationInfo) -> int | None:
        v.check_year_order(info.data.get("start_year"), end)
        return end


class NeedCreate(NeedUpdate):
    title: Name
    description: LongText = ""
    keywords: Keywords = []
    enterprise_id: Id | None = Field(
        default=None, description="staff: required; an enterprise user posts for itself"
    )
    external_id: Text(64, 1) | None = Field(default=None, description="generated when empty")


class NeedOut(BaseModel):
    id: int
    external_id: str
    enterprise_id: int | None
    enterprise_name: str | None
    enterprise_contact: Contact | None = Field(
        default=None, description="only for the enterprise itself, staff, or an assigned society"
    )
    title: str
    description: str
    industry: str | None
    city: str | None
    keywords: list[str]
    deadline: date | None
    status: NeedStatus
    detail_hint: str | None = Field(
        default=None, description="when status is needs_detail: what to add so it can be routed"
    )
    start_year: int | None = Field(default=None, description="需求时限: start year")
    end_year: int | None = Field(default=None, description="需求时限: end year")
    budget: float | None = Field(default=None, description="拟投入资金总额, 万元")
    solution_mode: str | None = Field(default=None, description="技术需求解决方式")
    partner: str | None = Field(default=None, description="合作意向单位")
    activity_type: str | None = Field(default=None, description="科技活动类型")
    discipline: str | None = Field(default=None, description="学科分类, as given")
    fields: list[str] = Field(default=[], description="需求技术所属领域")
    application_industry: str | None = Field(default=None, description="需求技术应用行业")
    created_at: UtcDatetime
    updated_at: UtcDatetime
    best_score: float | None = Field(
        default=None, description="in lists: the best stored society score (0–100), if any"
    )


class Target(StrEnum):
    societies = "societies"
    experts = "experts"

    @property
    def kind(self) -> TargetKind:
        return TargetKind.SOCIETY if self is Target.societies else TargetKind.EXPERT


class MatchOut(BaseModel):
    rank: int
    target_kind: TargetKind
    target_id: int
    target_name: str
    score: float = Field(
        description="0–100: the calibrated chance that this target is a right one for the need"
    )
    components: dict[str, Any] = Field(description="explanation: the fused score's parts")
    matched_keywords: list[str]
    model_id: str
    created_at: UtcDatetime


class NeedWithMatches(NeedOut):
    matches: list[MatchOut] = Field(description="top society matches, best first")
