"""The ``activities`` import kind: service activity records, keyed by 记录编号. Every row's
society, enterprise, experts and need must be in the store and obey the activity rules
(``matcher.programme.activity_rules``); a re-import updates a record (its enterprise's answer
goes back to pending when anything changed)."""

from __future__ import annotations

from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session

from matcher.imports.batch import Batch
from matcher.imports.writer import chunks, lookup, upsert
from matcher.models import (
    ConfirmationStatus,
    Enterprise,
    Expert,
    ServiceActivity,
    Society,
    TechNeed,
    activity_experts,
)
from matcher.programme.activity_rules import Lookups, expert_hours, problems

ATTRS = [
    "society_id",
    "enterprise_id",
    "round_id",
    "service_type",
    "platform_kind",
    "activity_date",
    "volunteer_hours",
    "participants",
    "outcome",
    "need_id",
]
FIELD_COLUMN = {
    "service_type": "service_type",
    "platform_kind": "platform_kind",
    "expert_ids": "expert_external_ids",
    "need_id": "need_external_id",
    "assignment_id": "need_external_id",
}
REFERENCES = (
    ("society_external_id", Society, "学会", "society"),
    ("enterprise_external_id", Enterprise, "企业", "enterprise"),
    ("need_external_id", TechNeed, "需求", "need"),
)


def check_activities(session: Session, batch: Batch) -> None:
    """Resolve every row's references and check the rules; the resolved record is kept in
    ``batch.extra`` by 记录编号 (with ``_experts``: the expert ids)."""
    found = {
        col: lookup(
            session, model.__table__, [r.values[col] for r in batch.rows if r.values.get(col)]
        )
        for col, model, _zh, _en in REFERENCES
    }
    experts = lookup(
        session,
        Expert.__table__,
        [e for r in batch.rows for e in r.values.get("expert_external_ids") or []],
    )
    resolved = {}
    first: dict[str, int] = {}
    unreadable = {e.row for e in batch.errors}  # cells that did not parse: reported already
    for row in batch.rows:
        if row.number in unreadable:
            continue
        ext = row.values.get("external_id")
        if ext in first:
            batch.error(
                row, "external_id", f"与第 {first[ext]} 行编号重复 / repeats row {first[ext]}"
            )
            continue
        first[ext] = row.number
        ids, ok = {}, True
        for col, _model, zh, en in REFERENCES:
            value = row.values.get(col)
            if value and value not in found[col]:
                batch.error(row, col, f"{zh}编号 {value} 不存在 / no {en} with external_id {value}")
                ok = False
            ids[col] = found[col].get(value) if value else None
        named = row.values.get("expert_external_ids") or []
        missing = [e for e in named if e not in experts]
        if missing:
            batch.error(
                row,
                "expert_external_ids",
                f"专家编号 {'、'.join(missing)} 不存在 / no expert with external_id "
                f"{', '.join(missing)}",
            )
            ok = False
        if ok:
            resolved[row.number] = (ids, list(dict.fromkeys(experts[e] for e in named)))
    look = Lookups.load(
        session,
        experts={e for _ids, ex in resolved.values() for e in ex},
        needs={i["need_external_id"] for i, _ex in resolved.values()} - {None},
        assignments=set(),
    )
    for row in batch.rows:
        if row.number not in resolved:
            continue
        ids, expert_ids = resolved[row.number]
        society, enterprise = ids["society_external_id"], ids["enterprise_external_id"]
        bad = problems(
            look,
            society_id=society,
            enterprise_id=enterprise,
            service_type=row.values.get("service_type"),
            platform_kind=row.values.get("platform_kind"),
            expert_ids=expert_ids,
            need_id=ids["need_external_id"],
            assignment_id=None,
        )
        for field, message in bad:
            batch.error(row, FIELD_COLUMN[field], message)
        if bad:
            continue
        batch.extra[row.external_id] = {
            "society_id": society,
            "enterprise_id": enterprise,
            "round_id": look.pair_round.get((enterprise, society)),
            "need_id": ids["need_external_id"],
            "_experts": expert_ids,
        } | {a: row.values.get(a) for a in ATTRS if a in row.values}


def write_activities(session: Session, batch: Batch) -> dict[str, int]:
    """Upsert the records by 记录编号, then their experts and each one's share of the hours."""
    table = ServiceActivity.__table__
    records = []
    for row in batch.rows:
        rec = batch.extra[row.external_id]
        records.append(
            {"external_id": row.external_id}
            | {a: rec.get(a) for a in ATTRS}
            | {"platform_kind": rec.get("platform_kind") or None}
        )
    for rec in records:
        rec["outcome"] = rec["outcome"] or ""
        rec["volunteer_hours"] = rec["volunteer_hours"] or 0.0
        rec["participants"] = rec["participants"] or 0
    result = upsert(session=session, table=table, records=records, attrs=ATTRS)
    changed = [result.ids[ext] for ext, s in result.status.items() if s == "updated"]
    for part in chunks(changed):
        session.execute(
            update(table)
            .where(table.c.id.in_(part))
            .values(
                confirmation=ConfirmationStatus.PENDING.value,
                confirmation_note=None,
                confirmed_by=None,
                confirmed_at=None,
            )
        )
    ids = list(result.ids.values())
    for part in chunks(ids):
        session.execute(delete(activity_experts).where(activity_experts.c.activity_id.in_(part)))
    shares = [
        {"activity_id": result.ids[ext], "expert_id": e, "hours": h}
        for ext, rec in batch.extra.items()
        for e, h in expert_hours(rec.get("volunteer_hours") or 0.0, rec["_experts"]).items()
    ]
    for part in chunks(shares):
        session.execute(insert(activity_experts), list(part))
    return {s: result.count(s) for s in ("created", "updated", "unchanged")}
