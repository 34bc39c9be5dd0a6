"""Committing a dry run (all or nothing, under the database's locks) or discarding it."""

from __future__ import annotations

from collections import Counter
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.assignments import locking
from matcher.assignments.candidates import RUN_NEED_STATUSES
from matcher.audit.service import record
from matcher.auth import policy
from matcher.errors import ConflictError, NotFoundError
from matcher.models import (
    Assignment,
    AssignmentRun,
    AssignmentRunPair,
    AssignmentStatus,
    Expert,
    PairingRun,
    RunStatus,
    User,
)
from matcher.models.base import utcnow

Run = TypeVar("Run", AssignmentRun, PairingRun)
RUN_NAMES: dict[type, tuple[str, str]] = {
    AssignmentRun: ("分配方案", "assignment run"),
    PairingRun: ("结对方案", "pairing run"),
}


def locked_run(session: Session, model: type[Run], run_id: int) -> Run:
    """Take the write lock, then lock and re-read the run (per-need or pairing) as it is now;
    404 if there is none."""
    locking.take_write_lock(session)
    run = session.scalar(
        select(model)
        .where(model.id == run_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if run is None:
        raise NotFoundError(*RUN_NAMES[model])
    return run


def require_dry_run(run: AssignmentRun | PairingRun) -> None:
    if run.status is not RunStatus.DRY_RUN:
        raise ConflictError(
            f"该方案状态为 {run.status.value}，只有试运行方案可以修改或提交",
            f"the run is {run.status.value}: only a dry run can be edited or committed",
            code="run_not_dry_run",
            details={"status": run.status.value},
        )


@policy.staff_only
def commit_run(*, session: Session, actor: User | None, run_id: int) -> tuple[AssignmentRun, int]:
    """Create a ``proposed`` assignment for every new pair of a dry run, all or nothing.

    Societies, needs and lead experts are locked (in that order, by id) and re-counted
    first: if a pair no longer fits — its society or expert full, its need served or
    closed meanwhile — nothing is created (409 ``run_stale``: run it again)."""
    run = locked_run(session, AssignmentRun, run_id)
    require_dry_run(run)
    new = [
        p
        for p in session.scalars(
            select(AssignmentRunPair).where(AssignmentRunPair.run_id == run.id)
        )
        if not p.removed and not p.fixed
    ]
    capacity = locking.lock_societies(session, {p.society_id for p in new})
    needs = {n.id: n for n in locking.lock_needs(session, {p.need_id for p in new})}
    experts = {p.expert_id for p in new if p.expert_id is not None}
    for part in locking.chunks(experts):
        session.execute(
            select(Expert.id).where(Expert.id.in_(part)).with_for_update(key_share=True)
        )
    problems = _stale(session, run, new, capacity, needs, experts)
    if problems:
        raise ConflictError(
            "方案已过时：部分对接已不可行，未创建任何分配，请重新运行",
            "the run is out of date: some pairs no longer fit; nothing was created, run it again",
            code="run_stale",
            details=problems[:20],
        )
    created = []
    for p in new:
        assignment = Assignment(
            society_id=p.society_id,
            enterprise_id=needs[p.need_id].enterprise_id,
            need_id=p.need_id,
            expert_id=p.expert_id,
            status=AssignmentStatus.PROPOSED,
            score=p.score,
            pinned=p.pinned,
            run_id=run.id,
            created_by_id=actor.id if actor else None,
        )
        session.add(assignment)
        created.append((p, assignment))
    session.flush()
    for p, assignment in created:
        p.assignment_id = assignment.id
    locking.follow_assignments(session, list(needs.values()))
    run.status, run.committed_at = RunStatus.COMMITTED, utcnow()
    run.committed_by = actor.username if actor else ""
    session.flush()
    record(
        session=session,
        actor=actor,
        action="assignment_run_committed",
        target_type="assignment_run",
        target_id=run.id,
        count=len(created),
        detail={"assignments": [a.id for _p, a in created][:1000]},
    )
    return run, len(created)


def _stale(session, run, new, capacity, needs, experts) -> list[dict]:
    per_need = run.parameters["per_need"]
    expert_cap = run.parameters["expert_capacity"]
    want_society = Counter(p.society_id for p in new)
    want_need = Counter(p.need_id for p in new)
    want_expert = Counter(p.expert_id for p in new if p.expert_id is not None)
    society_used = locking.active_counts(session, Assignment.society_id, want_society)
    need_used = locking.active_counts(session, Assignment.need_id, want_need)
    expert_used = locking.active_counts(session, Assignment.expert_id, experts)
    active = locking.active_pairs(session, want_need)
    problems = []
    for society_id, count in want_society.items():
        if society_used[society_id] + count > capacity.get(society_id, 0):
            problems.append({"society_id": society_id, "problem": "society_full"})
    for need_id, count in want_need.items():
        need = needs.get(need_id)
        if need is None or need.status not in RUN_NEED_STATUSES:
            problems.append({"need_id": need_id, "problem": "need_not_open"})
        elif need_used[need_id] + count > per_need:
            problems.append({"need_id": need_id, "problem": "need_served"})
    for expert_id, count in want_expert.items():
        if expert_used[expert_id] + count > expert_cap:
            problems.append({"expert_id": expert_id, "problem": "expert_full"})
    for p in new:
        if (p.need_id, p.society_id) in active:
            problems.append(
                {"need_id": p.need_id, "society_id": p.society_id, "problem": "pair_active"}
            )
    return problems


@policy.staff_only
def discard_run(*, session: Session, actor: User | None, run_id: int) -> AssignmentRun:
    run = locked_run(session, AssignmentRun, run_id)
    require_dry_run(run)
    run.status = RunStatus.DISCARDED
    session.flush()
    record(
        session=session,
        actor=actor,
        action="assignment_run_discarded",
        target_type="assignment_run",
        target_id=run.id,
    )
    return run
