"""The ``conflicts`` import kind: conflicts of interest, one row per (expert or society,
enterprise) with a reason. Rows are matched by that pair (a re-import updates the reason);
ids are the external ids of rows already in the store."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from matcher.imports.batch import Batch
from matcher.imports.writer import chunks, lookup
from matcher.models import ConflictOfInterest, ConflictSource, Enterprise, Expert, Society
from matcher.models.base import utcnow

PARTIES = (
    ("expert_external_id", Expert, "专家", "expert"),
    ("society_external_id", Society, "学会", "society"),
)


def _key(row_number: int) -> str:
    return f"row:{row_number}"


def check_conflicts(session: Session, batch: Batch) -> None:
    """Each row names its enterprise and exactly one expert or society, all in the store,
    and no pair twice; the ids found are kept in ``batch.extra`` by row."""
    found = {
        column: lookup(
            session, model.__table__, [r.values[column] for r in batch.rows if r.values.get(column)]
        )
        for column, model, _zh, _en in (
            *PARTIES,
            ("enterprise_external_id", Enterprise, "", ""),
        )
    }
    first: dict[tuple, int] = {}
    for row in batch.rows:
        given = [p for p in PARTIES if row.values.get(p[0])]
        if len(given) != 1:
            batch.error(
                row,
                "expert_external_id",
                "专家编号与学会编号须填且只填一个 / give exactly one of expert_external_id and "
                "society_external_id",
            )
            continue
        column, _model, zh, en = given[0]
        ids = {}
        for col, what_zh, what_en in (
            (column, zh, en),
            ("enterprise_external_id", "企业", "enterprise"),
        ):
            ext = row.values.get(col)
            if ext not in found[col]:
                batch.error(
                    row, col, f"{what_zh}编号 {ext} 不存在 / no {what_en} with external_id {ext}"
                )
            else:
                ids[col] = found[col][ext]
        if len(ids) < 2:
            continue
        pair = (ids["enterprise_external_id"], column, ids[column])
        if pair in first:
            batch.error(row, column, f"与第 {first[pair]} 行重复 / repeats row {first[pair]}")
            continue
        first[pair] = row.number
        party = "expert_id" if column == "expert_external_id" else "society_id"
        batch.extra[_key(row.number)] = {
            "enterprise_id": ids["enterprise_external_id"],
            party: ids[column],
            "reason": row.values.get("reason") or "",
        }


def write_conflicts(session: Session, batch: Batch) -> dict[str, int]:
    """Insert new pairs, update the reason of known ones; counts by status."""
    records = [batch.extra[_key(r.number)] for r in batch.rows]
    enterprises = {r["enterprise_id"] for r in records}
    existing: dict[tuple, tuple[int, str]] = {}
    for part in chunks(sorted(enterprises)):
        rows = session.execute(
            select(
                ConflictOfInterest.id,
                ConflictOfInterest.enterprise_id,
                ConflictOfInterest.expert_id,
                ConflictOfInterest.society_id,
                ConflictOfInterest.reason,
            ).where(ConflictOfInterest.enterprise_id.in_(part))
        )
        for r in rows:
            existing[(r.enterprise_id, r.expert_id, r.society_id)] = (r.id, r.reason)
    now, counts = utcnow(), {"created": 0, "updated": 0, "unchanged": 0}
    inserts, updates = [], []
    for rec in records:
        key = (rec["enterprise_id"], rec.get("expert_id"), rec.get("society_id"))
        if key not in existing:
            inserts.append(
                {"expert_id": None, "society_id": None}
                | rec
                | {"source": ConflictSource.IMPORTED, "created_by": f"import:{batch.filename}"}
                | {"created_at": now, "updated_at": now}
            )
            counts["created"] += 1
        elif existing[key][1] != rec["reason"]:
            updates.append({"id": existing[key][0], "reason": rec["reason"], "updated_at": now})
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    for part in chunks(inserts):
        session.execute(insert(ConflictOfInterest), list(part))
    for part in chunks(updates):
        session.execute(update(ConflictOfInterest), list(part))
    return counts
