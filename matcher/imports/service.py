"""Importing a whole file all-or-nothing: read, validate every row, then upsert in bulk."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session
from tqdm import tqdm

from matcher.audit.service import record
from matcher.errors import ImportRejectedError, InvalidInputError, RowError
from matcher.imports.activities import check_activities, write_activities
from matcher.imports.batch import Batch
from matcher.imports.columns import Kind, get_kind
from matcher.imports.conflicts import check_conflicts, write_conflicts
from matcher.imports.guards import lock_imports
from matcher.imports.headers import HeaderLookup, HeaderMap, resolve_headers
from matcher.imports.needsheet import check_needs
from matcher.imports.parsing import ParsedRow, parse_rows
from matcher.imports.readers import RawTable, read_table
from matcher.imports.writer import STATUSES, lookup, replace_links, touch, upsert
from matcher.models import Enterprise, Society, User, expert_societies

PROGRESS_MIN_ROWS = 2000


@dataclass
class ImportReport:
    kind: str
    total: int
    created: int
    updated: int
    unchanged: int
    warnings: list[str] = field(default_factory=list)
    also: dict[str, dict[str, int]] = field(default_factory=dict)  # e.g. enterprises' counts


def import_file(
    *,
    session: Session,
    actor: User | None,
    kind: str,
    filename: str,
    data: bytes | None = None,
    path: Path | None = None,
    progress: bool = False,
    mapping: dict[str, str] | None = None,
) -> ImportReport:
    """Import one file of ``kind`` (societies, experts, enterprises, needs); ``mapping``
    sends file columns to fields ("ignore" drops one), before the built-in header names.

    Raises ``ImportRejectedError`` listing every bad cell (nothing is written) or
    ``InvalidInputError`` for an unknown kind or an unreadable file. Never commits.
    """
    spec = get_kind(kind)
    filename = filename or (path.name if path else "")
    table, headers = read_sheet(spec, filename, _load_bytes(filename, data, path), mapping)
    rows = tqdm(
        table.rows,
        desc=f"{spec.label_zh} {filename}",
        unit="行",
        file=sys.stderr,
        disable=not progress or len(table.rows) < PROGRESS_MIN_ROWS,
    )
    parsed, errors = parse_rows(rows, headers, filename)
    present = {c.name for c in headers.columns.values()}
    batch = Batch(spec, filename, parsed, present, errors, one_sheet=headers.one_sheet)
    batch.errors[:0] = table.errors
    lock_imports(session)  # one import at a time: checks and writes see the other's rows
    _CHECKS.get(kind, lambda _s, _b: None)(session, batch)
    if batch.errors:
        raise ImportRejectedError(sorted(batch.errors, key=lambda e: e.row))
    writer = _WRITERS.get(kind)
    report = (
        _write(session, batch)
        if writer is None
        else ImportReport(spec.name, len(batch.rows), **writer(session, batch))
    )
    report.warnings.extend(batch.warnings)
    if headers.unknown:
        report.warnings.append(
            f"已忽略未识别的列：{'、'.join(headers.unknown)} / "
            f"ignored unknown column(s): {', '.join(headers.unknown)}"
        )
    record(
        session=session,
        actor=actor,
        action="import",
        target_type=kind,
        count=report.total,
        detail={
            "file": filename,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "warnings": report.warnings,
            **report.also,
        },
    )
    session.expire_all()  # objects loaded earlier in this session may be stale
    return report


def find_table(
    spec: Kind, filename: str, data: bytes, mapping: dict[str, str] | None
) -> tuple[RawTable, HeaderLookup]:
    """The file's table, found the way every import finds it (header row and layout by the
    headers that ``mapping`` and the kind know), and the lookup that named its columns."""
    lookup_headers = HeaderLookup(spec, mapping)
    return read_table(filename, data, lookup_headers.knows), lookup_headers


def check_headers(
    spec: Kind, table: RawTable, filename: str, lookup_headers: HeaderLookup
) -> HeaderMap:
    """Which column each header feeds; ``InvalidInputError`` for a missing or doubled column,
    ``ImportRejectedError`` naming every unrecognised header of a collection form."""
    headers = resolve_headers(spec, table.headers, filename, lookup_headers)
    if headers.form and headers.unknown:
        raise ImportRejectedError(
            [_unknown_column(filename, table.header_row, h) for h in headers.unknown]
        )
    return headers


def read_sheet(
    spec: Kind, filename: str, data: bytes, mapping: dict[str, str] | None
) -> tuple[RawTable, HeaderMap]:
    """The table and its checked headers: the first step of every import."""
    table, lookup_headers = find_table(spec, filename, data, mapping)
    return table, check_headers(spec, table, filename, lookup_headers)


def _unknown_column(filename: str, header_row: int, header: str) -> RowError:
    return RowError(
        filename,
        header_row,
        header,
        "未识别的列：请用列映射（--map 文件或 --mapping-name 已存映射）指定它对应的字段或 "
        "ignore / unknown column: map it to a field or to ignore with a mapping (--map file "
        "or a saved --mapping-name)",
    )


def _load_bytes(filename: str, data: bytes | None, path: Path | None) -> bytes:
    if data is not None:
        return data
    if path is None:
        raise InvalidInputError("未提供文件内容", "no file content given")
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInputError(
            f"{filename}：无法读取文件（{exc.strerror}）",
            f"{filename}: cannot read the file ({exc.strerror})",
        ) from None


def _write(session: Session, batch: Batch) -> ImportReport:
    spec = batch.kind
    also = {}
    if batch.owners is not None:
        owners = batch.owners
        written = upsert(
            session=session, table=owners.table, records=owners.records, attrs=owners.attrs
        )
        for ext, owner in owners.of.items():
            batch.extra[ext] = {owners.link: written.ids[owner]}
        also[owners.table.name] = {s: written.count(s) for s in STATUSES}
    attrs = [c.attr for c in spec.stored if c.name in batch.present and c.attr != "external_id"]
    extra_attrs = sorted({a for extra in batch.extra.values() for a in extra})
    records = [
        {"external_id": r.external_id}
        | {a: r.values[a] for a in attrs}
        | batch.extra.get(r.external_id, {})
        for r in batch.rows
    ]
    table = spec.model.__table__
    result = upsert(session=session, table=table, records=records, attrs=attrs + extra_attrs)
    if batch.links is not None:
        wanted = {result.ids[ext]: ids for ext, ids in batch.links.items()}
        changed = replace_links(
            session=session,
            table=expert_societies,
            owner="expert_id",
            other="society_id",
            wanted=wanted,
        )
        by_id = {i: ext for ext, i in result.ids.items()}
        relinked = [i for i in changed if result.status[by_id[i]] == "unchanged"]
        touch(session=session, table=table, ids=relinked)
        for i in relinked:
            result.status[by_id[i]] = "updated"
    return ImportReport(
        kind=spec.name,
        total=len(batch.rows),
        created=result.count("created"),
        updated=result.count("updated"),
        unchanged=result.count("unchanged"),
        also=also,
    )


# ---- checks that need the store or the whole file ----------------------------------------


def _check_experts(session: Session, batch: Batch) -> None:
    """Every ``society_external_id`` must name a society in the store."""
    if "society_external_id" not in batch.present:
        return
    wanted = [s for r in batch.rows for s in r.values.get("society_external_id", [])]
    known = lookup(session, Society.__table__, wanted)
    batch.links = {}
    for row in batch.rows:
        societies = row.values.get("society_external_id", [])
        missing = [s for s in societies if s not in known]
        if missing:
            batch.error(
                row,
                "society_external_id",
                f"学会编号 {'、'.join(missing)} 不存在 / no society with external_id "
                f"{', '.join(missing)}",
            )
        elif "external_id" in row.values:
            batch.links[row.external_id] = {known[s] for s in societies}


def _check_enterprises(session: Session, batch: Batch) -> None:
    """A credit code belongs to one enterprise: unique in the file and in the store."""
    if "credit_code" not in batch.present:
        return
    codes = [r.values["credit_code"] for r in batch.rows if r.values.get("credit_code")]
    owners = lookup(session, Enterprise.__table__, codes, by="credit_code", value="external_id")
    first: dict[str, ParsedRow] = {}
    for row in batch.rows:
        code = row.values.get("credit_code")
        if not code:
            continue
        if code in first:
            batch.error(
                row,
                "credit_code",
                f"统一社会信用代码与第 {first[code].number} 行重复 / "
                f"credit code repeats row {first[code].number}",
            )
            continue
        first[code] = row
        owner = owners.get(code)
        if owner is not None and owner != row.values.get("external_id"):
            batch.error(
                row,
                "credit_code",
                f"统一社会信用代码已属于企业 {owner} / credit code already belongs to "
                f"enterprise {owner}",
            )


_CHECKS = {
    "experts": _check_experts,
    "needs": check_needs,
    "enterprises": _check_enterprises,
    "conflicts": check_conflicts,
    "activities": check_activities,
}
_WRITERS = {"conflicts": write_conflicts, "activities": write_activities}
"""Kinds not keyed by ``external_id`` write themselves (counts by status)."""
