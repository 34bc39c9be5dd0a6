"""What a team is built from: an industry's unsolved needs, their weights, and the experts
who fit them (stored expert matches at or above the threshold)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matcher.assignment.coverage import Candidate
from matcher.auth.policy import expert_society_ids
from matcher.imports.cities import normalize_city
from matcher.models import Enterprise, MatchResult, NeedStatus, TargetKind, TechNeed

UNSOLVED = (
    NeedStatus.OPEN,
    NeedStatus.MATCHED,
    NeedStatus.NEEDS_DETAIL,
    NeedStatus.ASSIGNED,
    NeedStatus.IN_SERVICE,
)
"""A team serves the industry's needs not yet resolved or closed."""
CHAIN_LEADER_WEIGHT = 2.0
"""A chain-leader enterprise's need counts double (the programme serves them first)."""


def industry_needs(session: Session, industry: str, city: str | None) -> list[TechNeed]:
    """Unsolved needs whose industry, or whose enterprise's industry or priority industry,
    contains ``industry``; with ``city`` (short, full or pinyin), those whose (or whose
    enterprise's) city starts with it."""
    query = (
        select(TechNeed)
        .outerjoin(Enterprise, TechNeed.enterprise_id == Enterprise.id)
        .where(
            TechNeed.status.in_(UNSOLVED),
            or_(
                TechNeed.industry.contains(industry, autoescape=True),
                Enterprise.industry.contains(industry, autoescape=True),
                Enterprise.priority_industry == industry,
            ),
        )
        .order_by(TechNeed.id)
    )
    if city:
        city = normalize_city(city)  # 洛阳, 洛阳市 and Luoyang alike
        query = query.where(
            or_(
                TechNeed.city.startswith(city, autoescape=True),
                Enterprise.city.startswith(city, autoescape=True),
            )
        )
    return list(session.scalars(query))


def need_weight(need: TechNeed) -> float:
    return CHAIN_LEADER_WEIGHT if need.enterprise and need.enterprise.is_chain_leader else 1.0


def expert_fits(
    session: Session,
    need_ids: Iterable[int],
    threshold: float,
    expert_ids: Iterable[int] | None = None,
) -> dict[int, dict[int, float]]:
    """expert → {need → stored match score} for the scores at or above ``threshold``."""
    need_ids = list(need_ids)
    fits: dict[int, dict[int, float]] = defaultdict(dict)
    if not need_ids:
        return fits
    query = select(MatchResult.target_id, MatchResult.need_id, MatchResult.score).where(
        MatchResult.target_kind == TargetKind.EXPERT,
        MatchResult.need_id.in_(need_ids),
        MatchResult.score >= threshold,
    )
    if expert_ids is not None:
        query = query.where(MatchResult.target_id.in_(list(expert_ids)))
    for expert_id, need_id, score in session.execute(query):
        fits[expert_id][need_id] = min(100.0, max(0.0, float(score)))
    return fits


def candidates(session: Session, fits: dict[int, dict[int, float]]) -> list[Candidate]:
    """One candidate per (expert, society of the expert); experts of no society are left
    out (a team member serves for a society)."""
    societies = expert_society_ids(session, set(fits))
    return [
        Candidate(expert, society, fits[expert])
        for expert in sorted(fits)
        for society in sorted(societies[expert])
    ]
