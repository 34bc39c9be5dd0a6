"""Reading runs back for staff: the list, and one run with its pairs, its unassigned needs
(each with its reason) and the candidates its constraints removed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.api.pagination import paginate
from matcher.assignments.locking import chunks
from matcher.assignments.run_schemas import (
    RemovedOut,
    RunDetailOut,
    RunOut,
    RunPairOut,
    RunUnassignedOut,
)
from matcher.assignments.run_terms import reason_text
from matcher.auth import policy
from matcher.errors import NotFoundError
from matcher.models import (
    AssignmentRun,
    AssignmentRunPair,
    AssignmentRunRemoved,
    AssignmentRunUnassigned,
    Enterprise,
    Expert,
    RunStatus,
    Society,
    TechNeed,
    User,
)


def run_out(run: AssignmentRun) -> RunOut:
    return RunOut.model_validate(run, from_attributes=True)


@policy.staff_only
def list_runs(
    *,
    session: Session,
    actor: User | None,
    status: RunStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[RunOut], int]:
    stmt = select(AssignmentRun).order_by(AssignmentRun.id.desc())
    if status is not None:
        stmt = stmt.where(AssignmentRun.status == status)
    rows, total = paginate(session, stmt, limit=limit, offset=offset)
    return [run_out(r) for r in rows], total


class _Names:
    """Names of the needs, societies, experts and enterprises a run mentions, read at once."""

    def __init__(self, session: Session, needs: set[int], societies: set[int], experts: set[int]):
        self.need: dict[int, tuple[str, str, int | None, str | None]] = {}
        for part in chunks(needs):
            rows = session.execute(
                select(
                    TechNeed.id,
                    TechNeed.external_id,
                    TechNeed.title,
                    TechNeed.enterprise_id,
                    TechNeed.city,
                ).where(TechNeed.id.in_(part))
            )
            self.need.update(
                {r.id: (r.external_id, r.title, r.enterprise_id, r.city) for r in rows}
            )
        enterprises = {v[2] for v in self.need.values() if v[2] is not None}
        self.enterprise = self._names(session, Enterprise, enterprises)
        self.society = self._names(session, Society, societies)
        self.expert = self._names(session, Expert, experts)

    @staticmethod
    def _names(session: Session, model, ids: set[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for part in chunks(ids):
            out.update(
                session.execute(select(model.id, model.name).where(model.id.in_(part))).all()
            )
        return out

    def party_fields(self, row) -> dict:
        """The need, society and lead expert of a run pair or removed candidate, named."""
        return {
            "need_id": row.need_id,
            "society_id": row.society_id,
            "society_name": self.society.get(row.society_id, ""),
            "expert_id": row.expert_id,
            "expert_name": self.expert.get(row.expert_id) if row.expert_id else None,
        }

    def need_fields(self, need_id: int) -> dict:
        ext, title, enterprise_id, city = self.need.get(need_id, ("", "", None, None))
        return {
            "need_external_id": ext,
            "need_title": title,
            "enterprise_name": self.enterprise.get(enterprise_id) if enterprise_id else None,
            "city": city,
        }


@policy.staff_only
def get_run(
    *, session: Session, actor: User | None, run_id: int, need_id: int | None = None
) -> RunDetailOut:
    """The run with everything it holds (only about ``need_id`` when given: why that need
    got its pairs, or none, and which candidates were removed)."""
    run = session.get(AssignmentRun, run_id)
    if run is None:
        raise NotFoundError("分配方案", "assignment run")
    tables = []
    for model in (AssignmentRunPair, AssignmentRunUnassigned, AssignmentRunRemoved):
        stmt = select(model).where(model.run_id == run.id).order_by(model.need_id, model.id)
        if need_id is not None:
            stmt = stmt.where(model.need_id == need_id)
        tables.append(session.scalars(stmt).all())
    pairs, unassigned, removed = tables
    names = _Names(
        session,
        {r.need_id for rows in tables for r in rows},
        {r.society_id for rows in (pairs, removed) for r in rows},
        {r.expert_id for rows in (pairs, removed) for r in rows if r.expert_id is not None},
    )
    return RunDetailOut(
        **run_out(run).model_dump(),
        pairs=[
            RunPairOut(
                **names.need_fields(p.need_id),
                **names.party_fields(p),
                id=p.id,
                enterprise_id=p.enterprise_id,
                score=p.score,
                pinned=p.pinned,
                fixed=p.fixed,
                removed=p.removed,
                removed_reason=p.removed_reason,
                assignment_id=p.assignment_id,
            )
            for p in pairs
        ],
        unassigned=[
            RunUnassignedOut(
                **names.need_fields(u.need_id),
                need_id=u.need_id,
                reason=u.reason,
                reason_text=reason_text(u.reason),
            )
            for u in unassigned
        ],
        removed=[
            RemovedOut(
                **names.party_fields(r),
                need_external_id=names.need_fields(r.need_id)["need_external_id"],
                reason=r.reason,
                detail=r.detail,
            )
            for r in removed
        ],
    )
