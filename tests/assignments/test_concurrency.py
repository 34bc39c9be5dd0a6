"""Concurrent writers, each in its own transaction (threads, separate sessions): two commits,
or a commit and a society accepting, never push a society over capacity nor give a need more
than ``per_need`` societies — the database's row locks (PostgreSQL: SELECT … FOR UPDATE in
a fixed order; SQLite: one writer at a time) and re-counts inside the transaction."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from matcher.assignments.commit import commit_run
from matcher.assignments.constraints import create_rule, delete_rule
from matcher.assignments.lifecycle import Action, transition
from matcher.assignments.locking import lock_societies, take_write_lock
from matcher.assignments.rule_schemas import NeedPair
from matcher.auth.actors import SYSTEM_CLI
from matcher.errors import ConflictError
from matcher.models import (
    ACTIVE_STATUSES,
    Assignment,
    AssignmentStatus,
    ConstraintKind,
    Enterprise,
    MatchResult,
    NeedStatus,
    Society,
    TargetKind,
    TechNeed,
)

from .world import dry_run

ROUNDS = 4


def _world(s, capacities: dict[str, int], needs: dict[str, dict[str, float]]) -> dict[str, int]:
    ent = Enterprise(external_id="E", name="并发企业", city="郑州市")
    socs = {k: Society(external_id=k, name=f"学会{k}", capacity=c) for k, c in capacities.items()}
    s.add_all([ent, *socs.values()])
    s.flush()
    ids = {k: v.id for k, v in socs.items()}
    for ext, scores in needs.items():
        need = TechNeed(external_id=ext, enterprise=ent, title=ext, status=NeedStatus.MATCHED)
        s.add(need)
        s.flush()
        ids[ext] = need.id
        for rank, (soc, score) in enumerate(scores.items(), start=1):
            s.add(
                MatchResult(
                    need_id=need.id,
                    target_kind=TargetKind.SOCIETY,
                    target_id=socs[soc].id,
                    rank=rank,
                    score=score,
                )
            )
    s.flush()
    return ids


def _steer(s, ids, away: list[tuple[str, str]]) -> int:
    """A dry run that avoids the given pairs (forbidden while it is built, then allowed)."""
    rules = [
        create_rule(
            session=s,
            actor=SYSTEM_CLI,
            kind=ConstraintKind.FORBID,
            data=NeedPair(need_id=ids[n], society_id=ids[soc]),
        )
        for n, soc in away
    ]
    run = dry_run(s, min_score=0)
    for rule in rules:
        delete_rule(session=s, actor=SYSTEM_CLI, kind=ConstraintKind.FORBID, rule_id=rule.id)
    return run.id


def _race(store, jobs) -> list[object]:
    """Run each job in its own thread and transaction, released together."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def work(i, job):
        barrier.wait()
        try:
            with store.transaction() as s:
                results[i] = job(s)
        except Exception as exc:  # the outcome under test
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _commit(run_id):
    return lambda s: commit_run(session=s, actor=SYSTEM_CLI, run_id=run_id)[1]


def _active(s, column, value) -> int:
    return s.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(column == value, Assignment.status.in_(ACTIVE_STATUSES))
    )


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_commits_never_overfill_a_society(store, round_):
    needs = {f"N{i}": {"S": 50.0 + i} for i in range(4)}
    with store.transaction() as s:
        ids = _world(s, {"S": 2}, needs)
        first = _steer(s, ids, [])  # N3, N2
        second = _steer(s, ids, [("N3", "S"), ("N2", "S")])  # N1, N0
    results = _race(store, [_commit(first), _commit(second)])
    assert sorted(type(r).__name__ for r in results) == ["ConflictError", "int"], results
    (lost,) = [r for r in results if isinstance(r, ConflictError)]
    assert lost.code == "run_stale"
    with store.transaction() as s:
        assert _active(s, Assignment.society_id, ids["S"]) == 2


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_commits_never_serve_a_need_twice(store, round_):
    with store.transaction() as s:
        ids = _world(s, {"S1": 5, "S2": 5}, {"N": {"S1": 80.0, "S2": 70.0}})
        first = _steer(s, ids, [])  # N → S1
        second = _steer(s, ids, [("N", "S1")])  # N → S2
    results = _race(store, [_commit(first), _commit(second)])
    assert sorted(type(r).__name__ for r in results) == ["ConflictError", "int"], results
    with store.transaction() as s:
        assert _active(s, Assignment.need_id, ids["N"]) == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_commit_and_an_acceptance_at_once(store, round_):
    needs = {"N0": {"S": 90.0}, "N1": {"S": 60.0}, "N2": {"S": 50.0}}
    with store.transaction() as s:
        ids = _world(s, {"S": 2}, needs)
        proposed = Assignment(
            need_id=ids["N0"],
            society_id=ids["S"],
            enterprise_id=s.scalar(select(Enterprise.id)),
            status=AssignmentStatus.PROPOSED,
        )
        s.add(proposed)
        s.flush()
        run = dry_run(s, min_score=0)  # one place left: N1
    accept = lambda s: transition(  # noqa: E731
        session=s, actor=SYSTEM_CLI, assignment_id=proposed.id, action=Action.CONFIRM
    )
    results = _race(store, [_commit(run.id), accept])
    assert results[0] == 1 and results[1].status is AssignmentStatus.CONFIRMED, results
    with store.transaction() as s:
        assert _active(s, Assignment.society_id, ids["S"]) == 2


def test_a_commit_waits_for_the_society_lock(store):
    """While another transaction holds the society's row (as a commit or a life-cycle move
    does), a commit to that society waits, then re-counts and finds it full."""
    with store.transaction() as s:
        ids = _world(s, {"S": 1}, {"N0": {"S": 90.0}, "N1": {"S": 80.0}})
        run = dry_run(s, min_score=0)  # N0 → S
        other = _steer(s, ids, [("N0", "S")])  # N1 → S
    held, done = threading.Event(), {}

    def holder():
        with store.transaction() as s:
            take_write_lock(s)
            lock_societies(s, [ids["S"]])
            held.set()
            time.sleep(1.0)
            done["holder"] = time.monotonic()
            commit_run(session=s, actor=SYSTEM_CLI, run_id=run.id)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    with pytest.raises(ConflictError) as err, store.transaction() as s:
        commit_run(session=s, actor=SYSTEM_CLI, run_id=other)
    finished = time.monotonic()
    thread.join(10)
    assert finished >= done["holder"]  # it waited for the holder's transaction
    assert err.value.code == "run_stale"
    with store.transaction() as s:
        assert _active(s, Assignment.society_id, ids["S"]) == 1
