"""How well a society fits an enterprise for the programme's pairing (结对), read from the store.

The fit (0–100) of society *s* to enterprise *e* is the mean of *s*'s calibrated scores over
the enterprise's "queries": each of its needs still open to service (the stored society
match, 0 when *s* is not among the need's stored candidates) and one pseudo-need made of the
enterprise's name, industry and priority industry, ranked through the matching runtime (its
top ``top_k`` societies; 0 for the others). An enterprise with no need yet is therefore
ranked by its industry and description alone; without a runtime the pseudo-need is left out
(enterprises without needs then have no candidate).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.assignment.enterprises import EnterpriseEdge
from matcher.assignments.locking import chunks
from matcher.models import Enterprise, MatchResult, NeedStatus, TargetKind, TechNeed

FIT_NEED_STATUSES = tuple(s for s in NeedStatus if s is not NeedStatus.CLOSED)
"""Needs that say what an enterprise wants (every status but closed)."""


@dataclass
class Fit:
    """Per enterprise: the fitting societies and their 0–100 fit, and how many queries
    (needs + the pseudo-need) the mean is over."""

    scores: dict[int, dict[int, float]] = field(default_factory=dict)
    queries: dict[int, int] = field(default_factory=dict)
    pseudo_ranked: int = 0

    def edges(self) -> list[EnterpriseEdge]:
        return [
            EnterpriseEdge(ent, soc, round(score, 3))
            for ent, by_society in self.scores.items()
            for soc, score in by_society.items()
            if score > 0
        ]


def pseudo_need(enterprise: Enterprise) -> TechNeed:
    """A transient (never stored) need standing for what the enterprise does."""
    topic = " ".join(t for t in (enterprise.priority_industry, enterprise.industry) if t)
    return TechNeed(
        title=f"{enterprise.name} {topic}".strip(),
        description=f"{enterprise.name}，所属行业：{topic or '未填'}",
        industry=enterprise.priority_industry or enterprise.industry,
        city=enterprise.city,
        keywords=[t for t in (enterprise.priority_industry, enterprise.industry) if t],
    )


def enterprise_fit(
    session: Session,
    enterprises: list[Enterprise],
    *,
    runtime: Callable[[], Any] | None = None,
    top_k: int = 20,
) -> Fit:
    """The fit of every candidate society to each of ``enterprises`` (see the module)."""
    ids = [e.id for e in enterprises]
    sums: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    queries: dict[int, int] = dict.fromkeys(ids, 0)
    for part in chunks(ids):
        needs = dict(
            session.execute(
                select(TechNeed.id, TechNeed.enterprise_id).where(
                    TechNeed.enterprise_id.in_(part), TechNeed.status.in_(FIT_NEED_STATUSES)
                )
            ).all()
        )
        for ent in needs.values():
            queries[ent] += 1
        for need_part in chunks(list(needs)):
            rows = session.execute(
                select(MatchResult.need_id, MatchResult.target_id, MatchResult.score).where(
                    MatchResult.need_id.in_(need_part),
                    MatchResult.target_kind == TargetKind.SOCIETY,
                )
            )
            for need_id, society_id, score in rows:
                sums[needs[need_id]][society_id] += max(0.0, min(100.0, float(score)))
    fit = Fit()
    if runtime is not None and enterprises:
        from matcher.matching.results import rank_needs

        ranked = rank_needs(
            session=session,
            runtime=runtime(),
            needs=[pseudo_need(e) for e in enterprises],
            target=TargetKind.SOCIETY,
            top_k=top_k,
        )
        for ent, scored in zip(ids, ranked.scored, strict=True):
            queries[ent] += 1
            for s in scored:
                sums[ent][s.id] += max(0.0, min(100.0, float(s.score)))
        fit.pseudo_ranked = len(enterprises)
    fit.queries = queries
    fit.scores = {
        ent: {soc: total / queries[ent] for soc, total in by_society.items()}
        for ent, by_society in sums.items()
        if queries[ent]
    }
    return fit
