"""Why a (need, society) pair was proposed, in a few plain words read from its stored match:
the matched keywords, "same city", and the society's experts who fit best."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.assignments.locking import chunks
from matcher.models import MatchResult, TargetKind

Pair = tuple[int, int]  # (need_id, society_id)


def pair_reasons(session: Session, pairs: Iterable[Pair]) -> dict[Pair, str]:
    """A short bilingual reason per pair that has a stored match (others are left out)."""
    wanted = set(pairs)
    out: dict[Pair, str] = {}
    for part in chunks(need for need, _society in wanted):
        rows = session.execute(
            select(
                MatchResult.need_id,
                MatchResult.target_id,
                MatchResult.matched_keywords,
                MatchResult.components,
            ).where(MatchResult.need_id.in_(part), MatchResult.target_kind == TargetKind.SOCIETY)
        )
        for need_id, society_id, keywords, components in rows:
            if (need_id, society_id) in wanted:
                out[(need_id, society_id)] = reason_of(keywords or [], components or {})
    return out


def reason_of(keywords: list[str], components: dict) -> str:
    parts = []
    if keywords:
        parts.append("关键词 keywords: " + "、".join(str(k) for k in keywords[:6]))
    if components.get("city"):
        parts.append("同城 same city")
    experts = [str(e.get("name")) for e in components.get("top_experts") or [] if e.get("name")]
    if experts:
        parts.append("专家 experts: " + "、".join(experts))
    return "；".join(parts)
