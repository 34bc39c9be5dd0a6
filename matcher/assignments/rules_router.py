"""Standing rules every bulk run keeps (staff only): ``/assignment-pins``,
``/assignment-forbids`` and ``/conflicts`` (conflicts of interest)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from matcher.api.deps import SessionDep, StaffDep
from matcher.api.pagination import Page
from matcher.api.types import Id, IdPath, Limit, Offset
from matcher.assignments import conflicts, constraints
from matcher.assignments.rule_schemas import ConflictIn, ConflictOut, RuleIn, RuleOut
from matcher.models import ConstraintKind

router = APIRouter()
OptionalId = Annotated[Id | None, Query()]


def _rule_routes(kind: ConstraintKind, path: str, what: str) -> None:
    sub = APIRouter(prefix=path, tags=["assignment rules"])

    @sub.post("", response_model=RuleOut, status_code=201, name=f"create_{kind.value}")
    def create(session: SessionDep, actor: StaffDep, body: RuleIn):
        return constraints.create_rule(session=session, actor=actor, kind=kind, data=body)

    create.__doc__ = f"{what} a society for one need, or for every need of an enterprise."

    @sub.get("", response_model=Page[RuleOut], name=f"list_{kind.value}s")
    def list_(
        session: SessionDep,
        actor: StaffDep,
        need_id: OptionalId = None,
        enterprise_id: OptionalId = None,
        society_id: OptionalId = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ):
        items, total = constraints.list_rules(
            session=session,
            actor=actor,
            kind=kind,
            need_id=need_id,
            enterprise_id=enterprise_id,
            society_id=society_id,
            limit=limit,
            offset=offset,
        )
        return Page[RuleOut](items=items, total=total, limit=limit, offset=offset)

    @sub.delete("/{rule_id}", status_code=204, response_class=Response, name=f"delete_{kind.value}")
    def delete(session: SessionDep, actor: StaffDep, rule_id: IdPath):
        constraints.delete_rule(session=session, actor=actor, kind=kind, rule_id=rule_id)
        return Response(status_code=204)

    router.include_router(sub)


_rule_routes(ConstraintKind.PIN, "/assignment-pins", "Pin (force)")
_rule_routes(ConstraintKind.FORBID, "/assignment-forbids", "Forbid")

conflict_routes = APIRouter(prefix="/conflicts", tags=["assignment rules"])


@conflict_routes.post("", response_model=ConflictOut, status_code=201)
def create_conflict(session: SessionDep, actor: StaffDep, body: ConflictIn):
    """An expert or a society that must never serve the enterprise (a file of them:
    ``POST /imports/conflicts``)."""
    return conflicts.create_conflict(session=session, actor=actor, data=body)


@conflict_routes.get("", response_model=Page[ConflictOut])
def list_conflicts(
    session: SessionDep,
    actor: StaffDep,
    enterprise_id: OptionalId = None,
    expert_id: OptionalId = None,
    society_id: OptionalId = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    items, total = conflicts.list_conflicts(
        session=session,
        actor=actor,
        enterprise_id=enterprise_id,
        expert_id=expert_id,
        society_id=society_id,
        limit=limit,
        offset=offset,
    )
    return Page[ConflictOut](items=items, total=total, limit=limit, offset=offset)


@conflict_routes.delete("/{conflict_id}", status_code=204, response_class=Response)
def delete_conflict(session: SessionDep, actor: StaffDep, conflict_id: IdPath):
    conflicts.delete_conflict(session=session, actor=actor, conflict_id=conflict_id)
    return Response(status_code=204)


router.include_router(conflict_routes)
