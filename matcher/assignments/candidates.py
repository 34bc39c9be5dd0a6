"""What a bulk run starts from, read from the store: the needs still to serve, their
candidate societies (stored matches) each with a lead expert, the room left, and every
staff decision or conflict that pins or rules out a pair."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.assignment import Edge, Exclusions, Pair
from matcher.assignments.conflicts import company_core, works_for
from matcher.assignments.exclusions import REMOVAL_TEXT, Removal, Rules, find_rules
from matcher.assignments.locking import chunks
from matcher.errors import InvalidInputError
from matcher.models import (
    ACTIVE_STATUSES,
    Assignment,
    AssignmentConstraint,
    ConstraintKind,
    Enterprise,
    Expert,
    MatchResult,
    NeedStatus,
    Society,
    TargetKind,
    TechNeed,
    User,
)

RUN_NEED_STATUSES = (
    NeedStatus.OPEN,
    NeedStatus.MATCHED,
    NeedStatus.ASSIGNED,
    NeedStatus.IN_SERVICE,
)
"""Needs a run may serve (with fewer active assignments than ``per_need``): never one that
needs more detail, is resolved or closed."""
MATCHABLE = (NeedStatus.OPEN, NeedStatus.MATCHED)

Runtime = Callable[[], Any]
"""Returns the matching runtime (loaded on first use): needs without stored matches are
ranked and stored before the run."""


@dataclass
class RunInputs:
    """Everything ``matcher.assignment.assign`` takes, by database ids."""

    needs: dict[int, TechNeed]
    edges: list[Edge] = field(default_factory=list)
    society_capacity: dict[int, int] = field(default_factory=dict)
    expert_capacity: dict[int, int] = field(default_factory=dict)
    fixed: list[Pair] = field(default_factory=list)
    fixed_assignment: dict[tuple[int, int], int] = field(default_factory=dict)
    pinned: list[Pair] = field(default_factory=list)
    pins_skipped: list[dict] = field(default_factory=list)
    forbidden: Exclusions = field(default_factory=Exclusions)
    conflicts: Exclusions = field(default_factory=Exclusions)
    groups: dict[str, dict[int, str]] = field(default_factory=dict)
    removed: list[Removal] = field(default_factory=list)
    matched_first: int = 0


def gather(
    session: Session,
    *,
    per_need: int,
    top_k: int,
    min_score: float,
    expert_capacity: int,
    runtime: Runtime | None = None,
    actor: User | None = None,
) -> RunInputs:
    """The run's inputs (see ``RunInputs``); needs without stored matches are matched first
    (their top ``top_k`` societies) when a ``runtime`` is given."""
    active = session.execute(
        select(
            Assignment.id,
            Assignment.need_id,
            Assignment.society_id,
            Assignment.expert_id,
            Assignment.score,
        ).where(Assignment.status.in_(ACTIVE_STATUSES))
    ).all()
    per_need_active = Counter(a.need_id for a in active if a.need_id is not None)
    candidates = session.scalars(
        select(TechNeed)
        .where(TechNeed.status.in_(RUN_NEED_STATUSES), TechNeed.enterprise_id.is_not(None))
        .options(selectinload(TechNeed.enterprise))
        .order_by(TechNeed.id)
    ).all()
    needs = {n.id: n for n in candidates if per_need_active[n.id] < per_need}
    inputs = RunInputs(needs=needs)
    inputs.matched_first = _match_missing(session, needs, runtime, top_k, actor)
    for need_id in [i for i, n in needs.items() if n.status not in RUN_NEED_STATUSES]:
        del needs[need_id]  # matched just now and found too vague (needs_detail)

    rules = find_rules(session, needs)
    inputs.forbidden = Exclusions(
        need_society=set(rules.need_society),  # forbidden, declined, answered not suitable
        enterprise_society={k for k, r in rules.enterprise_society.items() if r == "forbidden"},
    )
    inputs.conflicts = Exclusions(
        enterprise_society={
            k for k, r in rules.enterprise_society.items() if r == "conflict_society"
        },
        enterprise_expert=set(rules.enterprise_expert),
    )

    fixed = [a for a in active if a.need_id in needs]
    expert_used = Counter(a.expert_id for a in active if a.expert_id is not None)
    _capacities(session, inputs, active, fixed, expert_used, expert_capacity)
    for a in fixed:
        need = needs[a.need_id]
        score = None if a.score is None else _clamp(a.score)
        inputs.fixed.append(Pair(a.need_id, a.society_id, a.expert_id, score, need.enterprise_id))
        inputs.fixed_assignment[(a.need_id, a.society_id)] = a.id

    leads = _edges(session, inputs, rules, top_k, min_score, expert_used, expert_capacity)
    _pins(session, inputs, rules, leads)
    inputs.groups = _groups(needs)
    return inputs


def _groups(needs: dict[int, TechNeed]) -> dict[str, dict[int, str]]:
    """Each need's city (else its enterprise's) and industry (else its application
    industry), for quotas and fairness."""
    city = {i: n.city or (n.enterprise.city if n.enterprise else None) for i, n in needs.items()}
    industry = {i: n.industry or n.application_industry for i, n in needs.items()}
    return {
        "city": {i: g for i, g in city.items() if g},
        "industry": {i: g for i, g in industry.items() if g},
    }


def _match_missing(
    session: Session,
    needs: dict[int, TechNeed],
    runtime: Runtime | None,
    top_k: int,
    actor: User | None,
) -> int:
    if runtime is None or not needs:
        return 0
    with_matches: set[int] = set()
    for part in chunks(needs):
        with_matches.update(
            session.scalars(
                select(MatchResult.need_id)
                .where(MatchResult.need_id.in_(part), MatchResult.target_kind == TargetKind.SOCIETY)
                .distinct()
            )
        )
    missing = [n for i, n in needs.items() if i not in with_matches and n.status in MATCHABLE]
    if missing:
        from matcher.matching.service import match_open_needs

        match_open_needs(
            session=session,
            runtime=runtime(),
            target=TargetKind.SOCIETY,
            top_k=top_k,
            need_external_ids=[n.external_id for n in missing],
            actor=actor,
        )
    return len(missing)


def _capacities(session, inputs, active, fixed, expert_used, expert_capacity) -> None:
    """Room per society and per expert as the optimiser counts it: what is left beyond the
    active assignments outside the run, plus the run's own fixed pairs (counted inside)."""
    society_used = Counter(a.society_id for a in active)
    society_fixed = Counter(a.society_id for a in fixed)
    for society_id, ext, capacity in session.execute(
        select(Society.id, Society.external_id, Society.capacity)
    ):
        if capacity is None or capacity < 0:
            raise InvalidInputError(
                f"学会 {ext} 的容量为负数（{capacity}），请先更正",
                f"society {ext} has a negative capacity ({capacity}); correct it first",
                code="negative_capacity",
                details={"society_id": society_id, "capacity": capacity},
            )
        left = max(capacity - society_used[society_id], 0)
        inputs.society_capacity[society_id] = left + society_fixed[society_id]
    expert_fixed = Counter(a.expert_id for a in fixed if a.expert_id is not None)
    for expert_id, used in expert_used.items():
        left = max(expert_capacity - used, 0)
        inputs.expert_capacity[expert_id] = left + expert_fixed[expert_id]


def _edges(session, inputs, rules, top_k, min_score, expert_used, expert_capacity) -> dict:
    """Candidate edges from the stored society matches (rank ≤ ``top_k``), each led by one
    of the society's top experts for the need who has no conflict with the enterprise and
    room left (``_choose_leads``); returns the lead chosen per (need, society)."""
    needs = inputs.needs
    rows = []
    for part in chunks(needs):
        rows += session.execute(
            select(
                MatchResult.need_id,
                MatchResult.target_id,
                MatchResult.score,
                MatchResult.components,
            )
            .where(
                MatchResult.need_id.in_(part),
                MatchResult.target_kind == TargetKind.SOCIETY,
                MatchResult.rank <= top_k,
            )
            .order_by(MatchResult.need_id, MatchResult.rank)
        ).all()
    members = {
        (r.need_id, r.target_id): [
            e["id"]
            for e in (r.components or {}).get("top_experts", [])
            if isinstance(e, dict) and isinstance(e.get("id"), int)
        ]
        for r in rows
    }
    affiliation = _affiliations(session, {x for ids in members.values() for x in ids})
    cores = _enterprise_cores(session, {n.enterprise_id for n in needs.values()})
    edges: list[tuple[int, int, float, list[int]]] = []
    for need_id, society_id, score, _components in rows:
        if society_id not in inputs.society_capacity or score is None or math.isnan(score):
            continue
        need = needs[need_id]
        blocked = rules.society_reason(need, society_id)
        if blocked is not None:
            inputs.removed.append(Removal(need_id, society_id, None, blocked))
        eligible = []
        for expert_id in members[(need_id, society_id)]:
            if expert_id not in affiliation:
                continue  # no longer in the store
            why = rules.enterprise_expert.get((need.enterprise_id, expert_id))
            if why is None and works_for(affiliation[expert_id], cores.get(need.enterprise_id, "")):
                why = "conflict_affiliation"
            if why is None:
                eligible.append(expert_id)
            elif blocked is None:
                inputs.removed.append(Removal(need_id, society_id, expert_id, why))
        edges.append((need_id, society_id, _clamp(score), eligible))
    leads = _choose_leads(edges, min_score, expert_used, expert_capacity)
    for need_id, society_id, score, _eligible in edges:
        lead = leads[(need_id, society_id)]
        inputs.edges.append(Edge(need_id, society_id, score, needs[need_id].enterprise_id, lead))
    for removal in inputs.removed:
        removal.detail = " / ".join(REMOVAL_TEXT[removal.reason])
    return leads


def _choose_leads(edges, min_score, expert_used, expert_capacity) -> dict:
    """One lead per edge among its eligible experts (best first) who still have room: the
    edges that can be chosen (score ≥ ``min_score``), best first, spread over the experts —
    the first one not yet planned up to their room, else the least planned — so that one
    popular expert does not cap a society; ``None`` when none has room (the society serves
    without a named lead)."""
    planned = Counter(expert_used)
    leads: dict[tuple[int, int], int | None] = {}
    for need_id, society_id, score, eligible in sorted(edges, key=lambda e: -e[2]):
        free = [x for x in eligible if expert_used[x] < expert_capacity]
        lead = None
        if free:
            lead = next((x for x in free if planned[x] < expert_capacity), None)
            lead = lead if lead is not None else min(free, key=lambda x: planned[x])
            if score >= min_score:
                planned[lead] += 1
        leads[(need_id, society_id)] = lead
    return leads


def _affiliations(session: Session, expert_ids: set[int]) -> dict[int, str | None]:
    out: dict[int, str | None] = {}
    for part in chunks(expert_ids):
        out.update(
            session.execute(select(Expert.id, Expert.affiliation).where(Expert.id.in_(part))).all()
        )
    return out


def _enterprise_cores(session: Session, enterprise_ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for part in chunks(enterprise_ids):
        for ent_id, name in session.execute(
            select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(part))
        ):
            out[ent_id] = company_core(name)
    return out


def _pins(session: Session, inputs: RunInputs, rules: Rules, leads: dict) -> None:
    """Pins of the run's needs (an enterprise pin: each of its needs in the run); a pin
    already served by an active assignment is kept as that, and one that a forbid, a
    decline or a conflict rules out is skipped (listed in the run's summary)."""
    by_enterprise: dict[int, list[TechNeed]] = defaultdict(list)
    for need in inputs.needs.values():
        by_enterprise[need.enterprise_id].append(need)
    fixed = set(inputs.fixed_assignment)
    seen: set[tuple[int, int]] = set()
    rows = session.scalars(
        select(AssignmentConstraint)
        .where(AssignmentConstraint.kind == ConstraintKind.PIN)
        .order_by(AssignmentConstraint.id)
    )
    for row in rows:
        if row.need_id is not None:
            targets = [inputs.needs[row.need_id]] if row.need_id in inputs.needs else []
        else:
            targets = by_enterprise.get(row.enterprise_id, [])
        for need in targets:
            key = (need.id, row.society_id)
            if key in seen or key in fixed:
                continue
            seen.add(key)
            reason = rules.society_reason(need, row.society_id)
            if reason is not None:
                inputs.pins_skipped.append(
                    {"pin_id": row.id, "need_id": need.id, "society_id": row.society_id}
                    | {"reason": reason}
                )
                continue
            inputs.pinned.append(
                Pair(need.id, row.society_id, leads.get(key), None, need.enterprise_id)
            )


def _clamp(score: float) -> float:
    return min(max(float(score), 0.0), 100.0)
