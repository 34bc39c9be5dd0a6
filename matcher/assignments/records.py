"""Small helpers the assignment services share: a filtered page of rows, and the audit event
of a rule row (created or deleted)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from matcher.api.pagination import paginate
from matcher.audit.service import record
from matcher.models import User


def filtered_page(
    session: Session,
    stmt: Select,
    filters: Sequence[tuple[Any, object]],
    *,
    limit: int,
    offset: int,
) -> tuple[Sequence[Any], int]:
    """One page of ``stmt`` with ``column == value`` for each filter that is given."""
    for column, value in filters:
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(session, stmt, limit=limit, offset=offset)


def audit_row(
    session: Session,
    actor: User | None,
    row: Any,
    *,
    action: str,
    target_type: str,
    fields: tuple[str, ...],
) -> None:
    """Audit ``action`` on ``row`` with the named fields as the detail."""
    record(
        session=session,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=row.id,
        detail={name: getattr(row, name) for name in fields},
    )
