"""Bulk upsert by ``external_id``: one query per chunk to read, executemany to write."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from matcher import faults
from matcher.models.base import utcnow

CHUNK = 1000
Status = Literal["created", "updated", "unchanged"]
STATUSES: tuple[Status, ...] = ("created", "updated", "unchanged")


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lookup(
    session: Session, table: Table, keys: Sequence[str], *, by: str = "external_id", value="id"
) -> dict[Any, Any]:
    """``{key: row[value]}`` for the rows of ``table`` whose ``by`` column is one of ``keys``."""
    found: dict[Any, Any] = {}
    col = table.c[by]
    for part in chunks(sorted(set(keys))):
        stmt = select(col, table.c[value]).where(col.in_(part))
        found.update(session.execute(stmt).all())
    return found


@dataclass
class UpsertResult:
    ids: dict[str, int] = field(default_factory=dict)  # external_id → primary key
    status: dict[str, Status] = field(default_factory=dict)

    def count(self, status: Status) -> int:
        return sum(1 for s in self.status.values() if s == status)


def upsert(
    *, session: Session, table: Table, records: list[dict[str, Any]], attrs: list[str]
) -> UpsertResult:
    """Insert new ``records`` (keyed by ``external_id``), update the changed ones and leave
    equal ones alone. Only ``attrs`` are compared and written, so columns a file lacks keep
    their stored values."""
    result = UpsertResult()
    cols = [table.c[a] for a in attrs]
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    now = utcnow()
    for part in chunks(records):
        keys = [r["external_id"] for r in part]
        stmt = select(table.c.id, table.c.external_id, *cols).where(table.c.external_id.in_(keys))
        existing = {row.external_id: row for row in session.execute(stmt)}
        for record in part:
            ext = record["external_id"]
            row = existing.get(ext)
            if row is None:
                inserts.append({"external_id": ext, **{a: record[a] for a in attrs}})
                result.status[ext] = "created"
                continue
            result.ids[ext] = row.id
            if all(getattr(row, a) == record[a] for a in attrs):
                result.status[ext] = "unchanged"
            else:
                updates.append({"_id": row.id, "updated_at": now, **{a: record[a] for a in attrs}})
                result.status[ext] = "updated"
    for part in chunks(inserts):
        stmt = insert(table).returning(table.c.external_id, table.c.id)
        result.ids.update(session.execute(stmt, list(part)).all())
        faults.point("import:after_rows")
    if updates:
        stmt = update(table).where(table.c.id == bindparam("_id"))
        for part in chunks(updates):
            session.execute(stmt, list(part))
            faults.point("import:after_rows")
    return result


def replace_links(
    *,
    session: Session,
    table: Table,
    owner: str,
    other: str,
    wanted: dict[int, set[int]],
) -> set[int]:
    """Make each owner's set of ``other`` ids in the link ``table`` equal ``wanted[owner]``;
    returns the owners whose set changed."""
    current: dict[int, set[int]] = {o: set() for o in wanted}
    owners = list(wanted)
    for part in chunks(owners):
        stmt = select(table.c[owner], table.c[other]).where(table.c[owner].in_(part))
        for o, t in session.execute(stmt):
            current[o].add(t)
    changed = sorted(o for o in owners if current[o] != wanted[o])
    for part in chunks(changed):
        session.execute(delete(table).where(table.c[owner].in_(part)))
    pairs = [{owner: o, other: t} for o in changed for t in sorted(wanted[o])]
    for part in chunks(pairs, 5000):
        session.execute(insert(table), list(part))
    faults.point("import:after_links")
    return set(changed)


def touch(*, session: Session, table: Table, ids: Sequence[int]) -> None:
    """Set ``updated_at`` of rows whose links (not columns) changed."""
    now = utcnow()
    for part in chunks(list(ids)):
        session.execute(update(table).where(table.c.id.in_(part)).values(updated_at=now))
