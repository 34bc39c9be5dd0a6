"""Pairing runs (结对): every enterprise gets ``per_enterprise`` societies for a round, each
society at most ``society_capacity`` enterprises, solved exactly — the same life cycle as the
per-need assignment runs: a dry run staff review (pin, forbid, remove, restore one pair),
then commit (all or nothing, re-checked under the write lock) or discard.

Fit: ``matcher.programme.fit``. Kept as they are: the round's active pairs (fixed), staff pins
and forbids on an enterprise (``AssignmentConstraint`` with ``enterprise_id``, shared with the
per-need runs) and listed society conflicts of interest (never paired).

Chain-leader rule (a constraint, not a weight): the pairing pairs as many chain-leader
enterprises (链主, ``Enterprise.is_chain_leader``) with at least one society as any feasible
pairing can — all of them whenever that is feasible — and among those pairings has the highest
total fit (``pair_enterprises``' lexicographic optimum; the summary reports the cost).
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.assignment import AssignmentInputError
from matcher.assignment.enterprises import EnterpriseEdge, pair_enterprises
from matcher.assignments.candidates import Runtime
from matcher.assignments.commit import locked_run, require_dry_run
from matcher.assignments.constraints import add_rule, find_rule, remove_rule
from matcher.assignments.locking import take_write_lock
from matcher.assignments.rule_schemas import EnterprisePair
from matcher.assignments.run_schemas import PairEdit
from matcher.audit.service import record
from matcher.auth import policy
from matcher.errors import ConflictError, NotFoundError
from matcher.models import (
    AssignmentConstraint,
    ConflictOfInterest,
    ConstraintKind,
    Enterprise,
    EnterprisePairing,
    PairingRun,
    PairingStatus,
    ProgrammeRound,
    RunStatus,
    Society,
    User,
)
from matcher.models.base import utcnow
from matcher.programme.fit import enterprise_fit
from matcher.programme.rounds import open_round, pair_out
from matcher.programme.schemas import PairingCreate, PairingRunDetailOut, PairingRunOut


@policy.staff_only
def create_pairing_run(
    *, session: Session, actor: User | None, params: PairingCreate, runtime: Runtime | None = None
) -> PairingRun:
    """Solve the round's pairing exactly and store it as a dry run (see the module)."""
    take_write_lock(session)
    rnd = open_round(session, actor, params.round)
    enterprises = session.scalars(select(Enterprise).order_by(Enterprise.id)).all()
    active = session.execute(
        select(EnterprisePairing.enterprise_id, EnterprisePairing.society_id).where(
            EnterprisePairing.round_id == rnd.id,
            EnterprisePairing.status == PairingStatus.ACTIVE,
        )
    ).all()
    fixed = {(e, s) for e, s in active}
    rules = _rules(session)
    pinned = {p for p in rules[ConstraintKind.PIN] if p not in fixed}
    forbidden = rules[ConstraintKind.FORBID] | _society_conflicts(session)
    fit = enterprise_fit(
        session,
        list(enterprises),
        runtime=runtime if params.industry_fit else None,
        top_k=params.top_k,
    )
    edges = fit.edges()
    have = {(e.enterprise_id, e.society_id) for e in edges}
    score = {(e.enterprise_id, e.society_id): e.score for e in edges}
    edges += [EnterpriseEdge(e, s, 0.0) for e, s in (fixed | pinned) - have]
    capacity = dict.fromkeys(session.scalars(select(Society.id)), params.society_capacity)
    leaders = [e.id for e in enterprises if e.is_chain_leader]
    try:
        result = pair_enterprises(
            edges,
            capacity,
            per_enterprise=params.per_enterprise,
            chain_leaders=leaders,
            enterprises=[e.id for e in enterprises],
            min_score=params.min_score,
            pinned=sorted(pinned),
            fixed=sorted(fixed),
            forbidden=forbidden,
        )
    except AssignmentInputError as exc:
        raise ConflictError(
            f"固定结对无法同时满足（{exc.message_zh}），请调整固定结对或参数",
            f"the pinned pairs cannot all be kept ({exc.message_en}); change the pins or "
            "the parameters",
            code="pins_infeasible",
            details=exc.details,
        ) from None
    paired = {p.need_id for p in result.pairs}
    run = PairingRun(
        round_id=rnd.id,
        status=RunStatus.DRY_RUN,
        parameters=params.model_dump(mode="json")
        | {"chain_leader_rule": "constraint: as many chain leaders paired as feasible"},
        summary={
            "enterprises": len(enterprises),
            "enterprises_paired": len(paired),
            "chain_leaders": len(leaders),
            "chain_leaders_paired": len(paired & set(leaders)),
            "candidates": len(edges),
            "pairs": len(result.pairs),
            "new_pairs": sum(not p.fixed for p in result.pairs),
            "fixed": sum(p.fixed for p in result.pairs),
            "pinned": sum(p.pinned for p in result.pairs),
            "societies_used": len({p.society_id for p in result.pairs}),
            "unassigned": len(result.unassigned),
            "unassigned_enterprises": {str(k): str(v) for k, v in result.unassigned.items()},
            "reason_counts": {str(k): v for k, v in result.reason_counts.items()},
            "removed_candidates": len(forbidden & have),
            "pseudo_needs_ranked": fit.pseudo_ranked,
            "fairness_cost": result.fairness.cost if result.fairness else 0.0,
            "total_seconds": round(result.total_seconds, 4),
        },
        objective=result.objective,
        solve_seconds=result.solve_seconds,
        solver=result.solver,
        created_by=actor.username if actor else "",
    )
    session.add(run)
    session.flush()
    for p in result.pairs:
        if p.fixed:
            continue
        session.add(
            EnterprisePairing(
                round_id=rnd.id,
                run_id=run.id,
                enterprise_id=p.need_id,
                society_id=p.society_id,
                status=PairingStatus.PROPOSED,
                score=score.get((p.need_id, p.society_id), p.score),
                reason="pinned" if p.pinned else "optimiser",
                pinned=p.pinned,
                created_by=run.created_by,
            )
        )
    session.flush()
    record(
        session=session,
        actor=actor,
        action="pairing_run_created",
        target_type="pairing_run",
        target_id=run.id,
        count=len(result.pairs),
        detail={"parameters": run.parameters, "objective": run.objective},
    )
    return run


def _rules(session: Session) -> dict[ConstraintKind, set[tuple[int, int]]]:
    """Staff pins and forbids on whole enterprises, as (enterprise, society) pairs."""
    out: dict[ConstraintKind, set[tuple[int, int]]] = {k: set() for k in ConstraintKind}
    rows = session.execute(
        select(
            AssignmentConstraint.kind,
            AssignmentConstraint.enterprise_id,
            AssignmentConstraint.society_id,
        ).where(AssignmentConstraint.enterprise_id.is_not(None))
    )
    for kind, ent, soc in rows:
        out[kind].add((ent, soc))
    return out


def _society_conflicts(session: Session) -> set[tuple[int, int]]:
    rows = session.execute(
        select(ConflictOfInterest.enterprise_id, ConflictOfInterest.society_id).where(
            ConflictOfInterest.society_id.is_not(None)
        )
    )
    return {(e, s) for e, s in rows}


def _run_pairs(session: Session, run: PairingRun) -> list[EnterprisePairing]:
    return list(
        session.scalars(
            select(EnterprisePairing)
            .where(EnterprisePairing.run_id == run.id)
            .order_by(EnterprisePairing.id)
        )
    )


@policy.staff_only
def edit_pairing_pair(
    *, session: Session, actor: User | None, run_id: int, pair_id: int, edit: PairEdit
) -> EnterprisePairing:
    """Pin, forbid, remove or restore one pair of a dry pairing run; pins and forbids are
    standing rules on the enterprise (later runs, and per-need runs, keep them)."""
    run = locked_run(session, PairingRun, run_id)
    pair = session.get(EnterprisePairing, pair_id)
    if pair is None or pair.run_id != run.id:
        raise NotFoundError("结对", "pair")
    require_dry_run(run)
    rule = EnterprisePair(
        enterprise_id=pair.enterprise_id, society_id=pair.society_id, reason=edit.reason
    )
    if edit.action == "pin":
        add_rule(session=session, actor=actor, kind=ConstraintKind.PIN, data=rule)
        pair.pinned, pair.status, pair.reason = True, PairingStatus.PROPOSED, "pinned"
    elif edit.action == "forbid":
        pin = find_rule(session, ConstraintKind.PIN, None, pair.enterprise_id, pair.society_id)
        if pin is not None:
            remove_rule(session=session, actor=actor, row=pin)
        add_rule(session=session, actor=actor, kind=ConstraintKind.FORBID, data=rule)
        pair.pinned, pair.status = False, PairingStatus.REMOVED
    elif edit.action == "remove":
        pair.status = PairingStatus.REMOVED
    else:
        forbid = find_rule(
            session, ConstraintKind.FORBID, None, pair.enterprise_id, pair.society_id
        )
        if forbid is not None:
            raise ConflictError(
                f"该组合已被禁止（编号 {forbid.id}），请先删除禁止规则",
                f"this pair is forbidden (id {forbid.id}); delete the forbid first",
                code="pin_forbid_clash",
                details={"rule_id": forbid.id},
            )
        pair.status = PairingStatus.PROPOSED
    session.flush()
    record(
        session=session,
        actor=actor,
        action="pairing_run_pair_edited",
        target_type="pairing_run",
        target_id=run.id,
        detail={"pair_id": pair.id, "action": edit.action, "reason": edit.reason},
    )
    return pair


@policy.staff_only
def commit_pairing_run(
    *, session: Session, actor: User | None, run_id: int
) -> tuple[PairingRun, int]:
    """Make a dry run's proposed pairs active, all or nothing: re-checked under the write
    lock against the round's active pairs (409 ``run_stale`` when a society or enterprise
    filled up or a pair became active meanwhile: run it again)."""
    run = locked_run(session, PairingRun, run_id)
    require_dry_run(run)
    rnd = session.get(ProgrammeRound, run.round_id)
    open_round(session, actor, rnd.name)  # 409 when the round ended meanwhile
    new = [p for p in _run_pairs(session, run) if p.status is PairingStatus.PROPOSED]
    active = session.execute(
        select(EnterprisePairing.enterprise_id, EnterprisePairing.society_id).where(
            EnterprisePairing.round_id == rnd.id, EnterprisePairing.status == PairingStatus.ACTIVE
        )
    ).all()
    problems = _stale(run.parameters, new, active)
    if problems:
        raise ConflictError(
            "方案已过时：部分结对已不可行，未生效任何结对，请重新运行",
            "the run is out of date: some pairs no longer fit; nothing was made active, "
            "run it again",
            code="run_stale",
            details=problems[:20],
        )
    for p in new:
        p.status = PairingStatus.ACTIVE
    run.status, run.committed_at = RunStatus.COMMITTED, utcnow()
    run.committed_by = actor.username if actor else ""
    session.flush()
    record(
        session=session,
        actor=actor,
        action="pairing_run_committed",
        target_type="pairing_run",
        target_id=run.id,
        count=len(new),
        detail={"round": rnd.name},
    )
    return run, len(new)


def _stale(params: dict, new: list[EnterprisePairing], active: list) -> list[dict]:
    """What no longer fits among the new pairs: a society or an enterprise that receives one
    and would then hold more than allowed, or a pair already active."""
    new_society = Counter(p.society_id for p in new)
    new_enterprise = Counter(p.enterprise_id for p in new)
    society = Counter(s for _e, s in active if s in new_society) + new_society
    enterprise = Counter(e for e, _s in active if e in new_enterprise) + new_enterprise
    pairs = {tuple(a) for a in active}
    problems = [
        {"society_id": s, "problem": "society_full"}
        for s, n in society.items()
        if n > params["society_capacity"]
    ]
    problems += [
        {"enterprise_id": e, "problem": "enterprise_served"}
        for e, n in enterprise.items()
        if n > params["per_enterprise"]
    ]
    problems += [
        {"enterprise_id": p.enterprise_id, "society_id": p.society_id, "problem": "pair_active"}
        for p in new
        if (p.enterprise_id, p.society_id) in pairs
    ]
    return problems


@policy.staff_only
def discard_pairing_run(*, session: Session, actor: User | None, run_id: int) -> PairingRun:
    run = locked_run(session, PairingRun, run_id)
    require_dry_run(run)
    for p in _run_pairs(session, run):
        p.status = PairingStatus.REMOVED
    run.status = RunStatus.DISCARDED
    session.flush()
    record(
        session=session,
        actor=actor,
        action="pairing_run_discarded",
        target_type="pairing_run",
        target_id=run.id,
    )
    return run


def run_out(session: Session, run: PairingRun) -> PairingRunOut:
    rnd = session.get(ProgrammeRound, run.round_id)
    data = {c: getattr(run, c) for c in PairingRunOut.model_fields if c != "round"}
    return PairingRunOut(round=rnd.name if rnd else "", **data)


@policy.staff_only
def get_pairing_run(*, session: Session, actor: User | None, run_id: int) -> PairingRunDetailOut:
    """The run and its pairs (removed ones too, marked by their status)."""
    run = session.get(PairingRun, run_id)
    if run is None:
        raise NotFoundError("结对方案", "pairing run")
    head = run_out(session, run)
    pairs = [pair_out(p, head.round) for p in _run_pairs(session, run)]
    return PairingRunDetailOut(**head.model_dump(), pairs=pairs)


@policy.staff_only
def list_pairing_runs(*, session: Session, actor: User | None) -> list[PairingRunOut]:
    runs = session.scalars(select(PairingRun).order_by(PairingRun.id.desc()).limit(200))
    return [run_out(session, r) for r in runs]
