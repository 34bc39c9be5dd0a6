"""The SQL of a needs list beyond the need's own columns: the best stored society score
(as a reader may see it), which society a need matched, when it was posted, and the order."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, Subquery, exists, func, select
from sqlalchemy.orm import Session

from matcher.models import MatchResult, Role, TargetKind, TechNeed, User
from matcher.needs.schemas import NeedListFilter, NeedSort
from matcher.timeutil import within_days


def _society_scores(actor: User | None) -> Select:
    """Society match rows a reader may weigh: a society only its own (another society's
    score on its lead is not its business), everyone else all of them."""
    stmt = select(MatchResult).where(MatchResult.target_kind == TargetKind.SOCIETY)
    if actor is not None and actor.role is Role.SOCIETY:
        stmt = stmt.where(MatchResult.target_id == actor.society_id)
    return stmt


def best_score_subquery(actor: User | None) -> Subquery:
    """need_id → best society score (0–100) among the rows ``actor`` may weigh."""
    rows = _society_scores(actor).subquery()
    return (
        select(rows.c.need_id, func.max(rows.c.score).label("best"))
        .group_by(rows.c.need_id)
        .subquery("best_scores")
    )


def best_scores(session: Session, actor: User | None, need_ids: Iterable[int]) -> dict[int, float]:
    """The best stored society score of each of these needs that has one."""
    ids = list(need_ids)
    if not ids:
        return {}
    best = best_score_subquery(actor)
    return dict(
        session.execute(select(best.c.need_id, best.c.best).where(best.c.need_id.in_(ids))).all()
    )


def apply_list_filter(stmt: Select, actor: User | None, listing: NeedListFilter) -> Select:
    """``stmt`` (a select of needs) filtered and ordered as ``listing`` asks, in SQL."""
    conditions: list[ColumnElement[bool]] = []
    if listing.society_id is not None:
        conditions.append(
            exists().where(
                MatchResult.need_id == TechNeed.id,
                MatchResult.target_kind == TargetKind.SOCIETY,
                MatchResult.target_id == listing.society_id,
            )
        )
    conditions += within_days(TechNeed.created_at, listing.posted_from, listing.posted_to)
    stmt = stmt.where(*conditions)
    scored = listing.score_min is not None or listing.score_max is not None
    by_score = listing.sort in (NeedSort.score_desc, NeedSort.score_asc)
    if scored or by_score:
        best = best_score_subquery(actor)
        stmt = stmt.join(best, best.c.need_id == TechNeed.id, isouter=not scored)
        if listing.score_min is not None:
            stmt = stmt.where(best.c.best >= listing.score_min)
        if listing.score_max is not None:
            stmt = stmt.where(best.c.best <= listing.score_max)
    order = {
        NeedSort.newest: [TechNeed.created_at.desc()],
        NeedSort.oldest: [TechNeed.created_at.asc()],
        NeedSort.title: [TechNeed.title.asc()],
    }
    if by_score:
        column = best.c.best
        first = column.desc() if listing.sort is NeedSort.score_desc else column.asc()
        order[listing.sort] = [first.nulls_last()]
    return stmt.order_by(None).order_by(*order[listing.sort], TechNeed.id.desc())
