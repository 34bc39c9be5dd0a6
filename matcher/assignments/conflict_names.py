"""Conflicts of interest as staff read them: with the names of the enterprise and of the
expert or society (one query per table for a page), and the choices for a new one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.assignments.conflicts import list_conflicts
from matcher.assignments.rule_schemas import ConflictOut
from matcher.auth import policy
from matcher.models import Enterprise, Expert, Society, User

MODELS = {"enterprise": Enterprise, "expert": Expert, "society": Society}


@dataclass(frozen=True)
class NamedConflict:
    conflict: ConflictOut
    enterprise: str
    party: str  # the expert's or the society's name
    party_kind: str  # "expert" | "society"


def _names(session: Session, model, ids: set[int] | None = None) -> dict[int, str]:
    """Id → "name（external id）" of these rows of ``model`` (all when ``ids`` is None)."""
    stmt = select(model.id, model.external_id, model.name).order_by(model.name)
    if ids is not None:
        if not ids:
            return {}
        stmt = stmt.where(model.id.in_(sorted(ids)))
    return {i: f"{name}（{ext}）" for i, ext, name in session.execute(stmt)}


@policy.staff_only
def named_conflicts(
    *, session: Session, actor: User, limit: int = 50, offset: int = 0
) -> tuple[list[NamedConflict], int]:
    """One page of conflicts, newest first, with names."""
    rows, total = list_conflicts(session=session, actor=actor, limit=limit, offset=offset)
    enterprises = _names(session, Enterprise, {r.enterprise_id for r in rows})
    experts = _names(session, Expert, {r.expert_id for r in rows if r.expert_id})
    societies = _names(session, Society, {r.society_id for r in rows if r.society_id})
    return [
        NamedConflict(
            r,
            enterprises.get(r.enterprise_id, ""),
            experts.get(r.expert_id, "") if r.expert_id else societies.get(r.society_id, ""),
            "expert" if r.expert_id else "society",
        )
        for r in rows
    ], total


@policy.staff_only
def party_choices(
    *, session: Session, actor: User, kinds: tuple[str, ...] = tuple(MODELS)
) -> dict[str, dict[int, str]]:
    """Id → "name（external id）" of every enterprise, expert or society, by kind."""
    return {kind: _names(session, MODELS[kind]) for kind in kinds}
