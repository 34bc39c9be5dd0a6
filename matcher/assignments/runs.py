"""Bulk assignment runs: build one as a dry run, let staff edit it, commit it.

A run reads the store (``candidates.gather``), solves exactly (``matcher.assignment``) and
stores what it chose, what it left out and why, and the candidates the constraints removed.
Committing creates ``proposed`` assignments under the database's locks, all or nothing.
"""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from matcher.assignment import AssignmentInputError, assign
from matcher.assignments.candidates import RunInputs, Runtime, gather
from matcher.assignments.commit import locked_run, require_dry_run
from matcher.assignments.constraints import add_rule, find_rule, remove_rule
from matcher.assignments.rule_schemas import NeedPair
from matcher.assignments.run_schemas import PairEdit, RunCreate
from matcher.audit.service import record
from matcher.auth import policy
from matcher.errors import ConflictError, NotFoundError
from matcher.models import (
    AssignmentConstraint,
    AssignmentRun,
    AssignmentRunPair,
    AssignmentRunRemoved,
    AssignmentRunUnassigned,
    ConstraintKind,
    RunStatus,
    User,
)

REMOVED_BY_STAFF = "removed_by_staff"


@policy.staff_only
def create_run(
    *,
    session: Session,
    actor: User | None,
    params: RunCreate,
    quota_file: str | None = None,
    runtime: Runtime | None = None,
) -> AssignmentRun:
    """Solve a bulk run over every need still to serve and store it as a dry run (needs
    without stored matches are matched first when a ``runtime`` is given)."""
    inputs = gather(
        session,
        per_need=params.per_need,
        top_k=params.top_k,
        min_score=params.min_score,
        expert_capacity=params.expert_capacity,
        runtime=runtime,
        actor=actor,
    )
    quotas, unused = _quotas(params, inputs)
    try:
        result = assign(
            inputs.edges,
            inputs.society_capacity,
            needs=list(inputs.needs),
            per_need=params.per_need,
            min_score=params.min_score,
            expert_capacity=inputs.expert_capacity,
            default_expert_capacity=params.expert_capacity,
            pinned=inputs.pinned,
            fixed=inputs.fixed,
            forbidden=inputs.forbidden,
            conflicts=inputs.conflicts,
            groups=inputs.groups,
            quotas=quotas,
            fair=params.fair.value if params.fair else None,
        )
    except AssignmentInputError as exc:
        if not inputs.pinned:
            raise
        raise ConflictError(
            f"固定对接无法同时满足（{exc.message_zh}），请调整固定对接或参数",
            f"the pinned pairs cannot all be kept ({exc.message_en}); change the pins or "
            "the parameters",
            code="pins_infeasible",
            details=exc.details,
        ) from None
    new_pairs = [p for p in result.pairs if not p.fixed]
    fairness = None
    if result.fairness is not None:
        fairness = dict(vars(result.fairness))
    run = AssignmentRun(
        status=RunStatus.DRY_RUN,
        parameters=params.model_dump(mode="json") | {"quota_file": quota_file},
        summary={
            "needs": len(inputs.needs),
            "candidates": len(inputs.edges),
            "pairs": len(result.pairs),
            "new_pairs": len(new_pairs),
            "fixed": len(result.pairs) - len(new_pairs),
            "pinned": sum(p.pinned for p in result.pairs),
            "unassigned": len(result.unassigned),
            "reason_counts": {str(k): v for k, v in result.reason_counts.items()},
            "removed_candidates": len(inputs.removed),
            "pins_skipped": inputs.pins_skipped,
            "quota_groups_without_needs": unused,
            "matched_first": inputs.matched_first,
            "fairness": fairness,
            "total_seconds": round(result.total_seconds, 4),
        },
        objective=result.objective,
        greedy_objective=result.greedy_objective,
        solve_seconds=result.solve_seconds,
        solver=result.solver,
        fairness_cost=result.fairness.cost if result.fairness else None,
        created_by=actor.username if actor else "",
    )
    session.add(run)
    session.flush()
    _store_result(session, run, inputs, result)
    record(
        session=session,
        actor=actor,
        action="assignment_run_created",
        target_type="assignment_run",
        target_id=run.id,
        count=len(result.pairs),
        detail={"parameters": run.parameters, "objective": run.objective}
        | {"greedy_objective": run.greedy_objective, "unassigned": len(result.unassigned)},
    )
    return run


def _quotas(params: RunCreate, inputs: RunInputs) -> tuple[dict, dict]:
    """The quotas of groups some need of the run is in, and the others (no effect)."""
    used: dict[str, dict[str, int]] = {}
    unused: dict[str, list[str]] = {}
    for dim, limits in params.quotas.items():
        present = set(inputs.groups.get(dim.value, {}).values())
        used[dim.value] = {g: m for g, m in limits.items() if g in present}
        missing = sorted(g for g in limits if g not in present)
        if missing:
            unused[dim.value] = missing
    return used, unused


def _store_result(session: Session, run: AssignmentRun, inputs: RunInputs, result) -> None:
    pairs = [
        {
            "run_id": run.id,
            "need_id": p.need_id,
            "society_id": p.society_id,
            "expert_id": p.expert_id,
            "enterprise_id": p.enterprise_id,
            "score": p.score,
            "pinned": p.pinned,
            "fixed": p.fixed,
            "removed": False,
            "assignment_id": inputs.fixed_assignment.get((p.need_id, p.society_id)),
        }
        for p in result.pairs
    ]
    unassigned = [
        {"run_id": run.id, "need_id": need_id, "reason": str(reason)}
        for need_id, reason in result.unassigned.items()
    ]
    removed = [{"run_id": run.id} | vars(r) for r in inputs.removed]
    for model, rows in (
        (AssignmentRunPair, pairs),
        (AssignmentRunUnassigned, unassigned),
        (AssignmentRunRemoved, removed),
    ):
        for start in range(0, len(rows), 1000):
            session.execute(insert(model), rows[start : start + 1000])


@policy.staff_only
def edit_pair(
    *, session: Session, actor: User | None, run_id: int, pair_id: int, edit: PairEdit
) -> AssignmentRunPair:
    """Pin, forbid, remove or restore one pair of a dry run (pins and forbids are kept as
    standing rules for later runs; a removal is this run's only)."""
    run = locked_run(session, AssignmentRun, run_id)
    pair = session.get(AssignmentRunPair, pair_id)
    if pair is None or pair.run_id != run.id:
        raise NotFoundError("对接", "pair")
    require_dry_run(run)
    if pair.fixed:
        raise ConflictError(
            "这是已生效的对接，请通过其生命周期（确认、取消）处理",
            "this pair is an active assignment: change it through its life cycle",
            code="fixed_pair",
        )
    rule = NeedPair(need_id=pair.need_id, society_id=pair.society_id, reason=edit.reason)
    if edit.action == "pin":
        add_rule(session=session, actor=actor, kind=ConstraintKind.PIN, data=rule)
        pair.pinned, pair.removed, pair.removed_reason = True, False, None
    elif edit.action == "forbid":
        pin = find_rule(session, ConstraintKind.PIN, pair.need_id, None, pair.society_id)
        if pin is not None:
            remove_rule(session=session, actor=actor, row=pin)
        add_rule(session=session, actor=actor, kind=ConstraintKind.FORBID, data=rule)
        pair.pinned, pair.removed = False, True
        pair.removed_reason = f"forbidden{': ' + edit.reason if edit.reason else ''}"
    elif edit.action == "remove":
        pair.removed, pair.removed_reason = True, edit.reason or "removed by staff"
    else:
        _check_not_forbidden(session, pair)
        pair.removed, pair.removed_reason = False, None
    session.flush()
    _follow_pairs(session, run, pair.need_id)
    record(
        session=session,
        actor=actor,
        action="assignment_run_pair_edited",
        target_type="assignment_run",
        target_id=run.id,
        detail={"pair_id": pair.id, "need_id": pair.need_id, "society_id": pair.society_id}
        | {"action": edit.action, "reason": edit.reason},
    )
    return pair


def _check_not_forbidden(session: Session, pair: AssignmentRunPair) -> None:
    forbid = session.scalar(
        select(AssignmentConstraint.id).where(
            AssignmentConstraint.kind == ConstraintKind.FORBID,
            AssignmentConstraint.society_id == pair.society_id,
            (AssignmentConstraint.need_id == pair.need_id)
            | (AssignmentConstraint.enterprise_id == pair.enterprise_id),
        )
    )
    if forbid is not None:
        raise ConflictError(
            f"该组合已被禁止（编号 {forbid}），请先删除禁止规则",
            f"this pair is forbidden (id {forbid}); delete the forbid first",
            code="pin_forbid_clash",
            details={"rule_id": forbid},
        )


def _follow_pairs(session: Session, run: AssignmentRun, need_id: int) -> None:
    """A need that staff left short in this run is listed as unassigned (and no longer
    once its pairs are back)."""
    count = session.scalar(
        select(func.count()).where(
            AssignmentRunPair.run_id == run.id,
            AssignmentRunPair.need_id == need_id,
            AssignmentRunPair.removed.is_(False),
        )
    )
    row = session.scalar(
        select(AssignmentRunUnassigned).where(
            AssignmentRunUnassigned.run_id == run.id, AssignmentRunUnassigned.need_id == need_id
        )
    )
    if count < run.parameters["per_need"] and row is None:
        session.add(
            AssignmentRunUnassigned(run_id=run.id, need_id=need_id, reason=REMOVED_BY_STAFF)
        )
    elif count >= run.parameters["per_need"] and row is not None and row.reason == REMOVED_BY_STAFF:
        session.delete(row)
    session.flush()
