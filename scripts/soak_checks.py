"""The store checks run after a soak (``scripts/soak.py``): no orphan rows, capacities
respected, every successful write audited. Each returns ``(ok, detail lines)``."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import and_, exists, func, inspect, select, table
from sqlalchemy import column as sql_column
from sqlalchemy.orm import Session

from matcher.matching.profiles import OPEN_ASSIGNMENT
from matcher.models import (
    Assignment,
    AuditEvent,
    Expert,
    MatchResult,
    Society,
    TargetKind,
    TechNeed,
)

Check = tuple[bool, list[str]]


def orphan_rows(session: Session) -> Check:
    """Rows whose foreign key (declared, or a match's target by kind) names no row."""
    lines = []
    insp = inspect(session.get_bind())
    for child in insp.get_table_names():
        for fk in insp.get_foreign_keys(child):
            cols, parent, refs = (
                fk["constrained_columns"],
                fk["referred_table"],
                fk["referred_columns"],
            )
            c = table(child, *(sql_column(n) for n in cols))
            p = table(parent, *(sql_column(n) for n in refs))
            linked = and_(*(p.c[r] == c.c[n] for n, r in zip(cols, refs, strict=True)))
            stmt = (
                select(func.count())
                .select_from(c)
                .where(and_(*(c.c[n].is_not(None) for n in cols)), ~exists().where(linked))
            )
            missing = session.scalar(stmt)
            if missing:
                lines.append(f"{child}.{','.join(cols)} → {parent}: {missing} orphan rows")
    for kind, model in ((TargetKind.SOCIETY, Society), (TargetKind.EXPERT, Expert)):
        missing = session.scalar(
            select(func.count())
            .select_from(MatchResult)
            .where(
                MatchResult.target_kind == kind,
                ~exists().where(model.id == MatchResult.target_id),
            )
        )
        if missing:
            lines.append(f"match_results.target_id → {model.__tablename__}: {missing} orphans")
    return not lines, lines or ["no orphan rows (declared foreign keys and match targets)"]


def capacities(session: Session) -> Check:
    """Open assignments per society (proposed, confirmed, in service) at most its capacity."""
    rows = session.execute(
        select(Society.external_id, Society.capacity, func.count(Assignment.id))
        .join(Assignment, Assignment.society_id == Society.id)
        .where(Assignment.status.in_(OPEN_ASSIGNMENT))
        .group_by(Society.id, Society.external_id, Society.capacity)
    ).all()
    over = [f"{ext}: {n} open > capacity {cap}" for ext, cap, n in rows if n > cap]
    total = sum(n for _, _, n in rows)
    return not over, over or [f"{total} open assignments, every society within its capacity"]


def audited(session: Session, since: datetime, expected: Counter, actors: set[str]) -> Check:
    """Each successful write the soak made has its audit event (by action, by the soak's own
    log-ins), and every need and assignment created since the start is accounted for by
    one."""
    events = session.execute(
        select(
            AuditEvent.action,
            AuditEvent.actor_label,
            AuditEvent.target_type,
            AuditEvent.count,
            AuditEvent.detail,
        ).where(AuditEvent.at >= since)
    ).all()
    got = Counter(action for action, actor, *_ in events if actor in actors)
    lines = []
    ok = True
    for action in sorted(expected):
        match = got[action] == expected[action]
        ok &= match
        mark = "ok" if match else "MISMATCH"
        lines.append(f"{action:28} {expected[action]:6} writes, {got[action]:6} events  {mark}")
    imported_needs = sum(
        int((detail or {}).get("created", 0))
        for action, _, kind, _, detail in events
        if action == "import" and kind == "needs"
    )
    committed = sum(
        count for action, _, _, count, _ in events if action == "assignment_run_committed"
    )
    manual = sum(1 for action, *_ in events if action == "assignment_created")
    accounts = {
        "needs": (TechNeed, {"posted": got["need_created"], "imported": imported_needs}),
        "assignments": (Assignment, {"committed": committed, "manual": manual}),
    }
    for label, (model, parts) in accounts.items():
        created = session.scalar(
            select(func.count()).select_from(model).where(model.created_at >= since)
        )
        match = created == sum(parts.values())
        ok &= match
        terms = " + ".join(f"{k} {v}" for k, v in parts.items())
        lines.append(
            f"{label} created since start {created} = {terms}  {'ok' if match else 'MISMATCH'}"
        )
    return ok, lines
