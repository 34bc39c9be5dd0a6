"""Staff's matches browser: the stored match rows (need, enterprise, society or expert, rank,
0–100 score, matched keywords), filtered, ordered and paged in SQL."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from matcher.api.pagination import paginate
from matcher.api.types import Id, Text, UtcDatetime
from matcher.auth import policy
from matcher.models import (
    Enterprise,
    Expert,
    MatchResult,
    NeedStatus,
    Society,
    TargetKind,
    TechNeed,
    User,
)
from matcher.models.society import expert_societies
from matcher.timeutil import within_days


class MatchSort(StrEnum):
    score_desc = "score_desc"
    newest = "newest"
    rank = "rank"


class MatchFilter(BaseModel):
    """Filters on stored matches (all optional, combined with AND) and their order."""

    target_kind: TargetKind | None = None
    society_id: Id | None = Field(
        default=None, description="rows of this society, or of its experts"
    )
    city: Text(50) | None = Field(default=None, description="the need's city")
    industry: Text(100) | None = Field(default=None, description="the need's industry")
    score_min: float | None = Field(default=None, ge=0, le=100)
    score_max: float | None = Field(default=None, ge=0, le=100)
    matched_from: date | None = Field(default=None, description="ranked on or after (UTC)")
    matched_to: date | None = Field(default=None, description="ranked on or before (UTC)")
    sort: MatchSort = MatchSort.score_desc


class MatchRow(BaseModel):
    id: int
    need_id: int
    need_external_id: str
    need_title: str
    need_status: NeedStatus
    city: str | None
    industry: str | None
    enterprise_name: str | None
    target_kind: TargetKind
    target_id: int
    target_name: str
    rank: int
    score: float = Field(description="0–100")
    matched_keywords: list[str]
    created_at: UtcDatetime


def _conditions(f: MatchFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        column == value
        for column, value in (
            (MatchResult.target_kind, f.target_kind),
            (TechNeed.city, f.city),
            (TechNeed.industry, f.industry),
        )
        if value is not None
    ]
    if f.society_id is not None:
        of_its_expert = exists().where(
            expert_societies.c.expert_id == MatchResult.target_id,
            expert_societies.c.society_id == f.society_id,
        )
        conditions.append(
            or_(
                and_(
                    MatchResult.target_kind == TargetKind.SOCIETY,
                    MatchResult.target_id == f.society_id,
                ),
                and_(MatchResult.target_kind == TargetKind.EXPERT, of_its_expert),
            )
        )
    if f.score_min is not None:
        conditions.append(MatchResult.score >= f.score_min)
    if f.score_max is not None:
        conditions.append(MatchResult.score <= f.score_max)
    return conditions + within_days(MatchResult.created_at, f.matched_from, f.matched_to)


ORDER = {
    MatchSort.score_desc: (MatchResult.score.desc(),),
    MatchSort.newest: (MatchResult.created_at.desc(),),
    MatchSort.rank: (MatchResult.need_id.desc(), MatchResult.rank.asc()),
}


@policy.staff_only
def list_matches(
    *, session: Session, actor: User, filters: MatchFilter, limit: int = 50, offset: int = 0
) -> tuple[list[MatchRow], int]:
    """One page of stored matches (staff), with need, enterprise and target names."""
    target_name = func.coalesce(Society.name, Expert.name, "")
    stmt = (
        select(MatchResult.id)
        .join(TechNeed, TechNeed.id == MatchResult.need_id)
        .where(*_conditions(filters))
        .order_by(*ORDER[filters.sort], MatchResult.id.desc())
    )
    ids, total = paginate(session, stmt, limit=limit, offset=offset)
    if not ids:
        return [], total
    rows = session.execute(
        select(MatchResult, TechNeed, Enterprise.name, target_name)
        .join(TechNeed, TechNeed.id == MatchResult.need_id)
        .outerjoin(Enterprise, Enterprise.id == TechNeed.enterprise_id)
        .outerjoin(Society, _target(TargetKind.SOCIETY, Society.id))
        .outerjoin(Expert, _target(TargetKind.EXPERT, Expert.id))
        .where(MatchResult.id.in_(ids))
    ).all()
    by_id = {m.id: (m, need, ent, name) for m, need, ent, name in rows}
    # a re-rank between the two reads replaces a need's rows: those gone are left out
    return [_row(*by_id[i]) for i in ids if i in by_id], total


def _target(kind: TargetKind, column) -> ColumnElement[bool]:
    return and_(MatchResult.target_kind == kind, column == MatchResult.target_id)


def _row(m: MatchResult, need: TechNeed, enterprise: str | None, name: str) -> MatchRow:
    return MatchRow(
        id=m.id,
        need_id=need.id,
        need_external_id=need.external_id,
        need_title=need.title,
        need_status=need.status,
        city=need.city,
        industry=need.industry,
        enterprise_name=enterprise,
        target_kind=m.target_kind,
        target_id=m.target_id,
        target_name=name,
        rank=m.rank,
        score=m.score,
        matched_keywords=list(m.matched_keywords or []),
        created_at=m.created_at,
    )
