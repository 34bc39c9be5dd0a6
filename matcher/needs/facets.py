"""The values the need-collection form's fields take among the needs an actor may see:
the choices of a needs browser's filters (学科分类, 应用行业, city, industry)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.auth import policy
from matcher.models import TechNeed, User

FACETS = {
    "discipline": TechNeed.discipline,
    "application_industry": TechNeed.application_industry,
    "city": TechNeed.city,
    "industry": TechNeed.industry,
}
MAX_VALUES = 500


def form_facets(*, session: Session, actor: User | None) -> dict[str, list[str]]:
    """Each facet's distinct values among the visible needs, sorted (at most 500 each)."""
    facets = {}
    for name, column in FACETS.items():
        stmt = (
            select(column)
            .where(policy.need_condition(actor), column.is_not(None), column != "")
            .distinct()
            .order_by(column)
            .limit(MAX_VALUES)
        )
        facets[name] = list(session.scalars(stmt))
    return facets
