"""The industries in use: the choices of a need form's industry (free text stays possible)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.models import Enterprise

MAX_VALUES = 300


def industries_in_use(*, session: Session) -> list[str]:
    """The enterprises' industries, distinct and sorted (names only: nothing private)."""
    column = Enterprise.industry
    stmt = (
        select(column)
        .where(column.is_not(None), column != "")
        .distinct()
        .order_by(column)
        .limit(MAX_VALUES)
    )
    return list(session.scalars(stmt))
