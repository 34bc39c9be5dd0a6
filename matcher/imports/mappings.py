"""Column mappings saved by name: staff map a sheet's columns once (the import page's table,
or ``PUT /imports/mappings/{name}``) and reuse the mapping on the next sheet laid out the
same way (``--mapping-name``, the upload's ``mapping_name``, the page's list).

A saved mapping is what a mapping file holds — ``{"column as in the file": "field"}`` or
``"ignore"`` — checked by the same code (``headers.check_mapping`` and ``HeaderLookup``).
Staff only; every save and delete is audited. Never commits.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.audit.service import record
from matcher.auth.policy import staff_only
from matcher.errors import InvalidInputError, NotFoundError
from matcher.imports.columns import get_kind
from matcher.imports.headers import HeaderLookup, check_mapping
from matcher.imports.schemas import MAX_ENTRIES, MAX_HEADER, ImportMappingOut
from matcher.models import ImportMapping, User

MAX_NAME = 100


def _out(row: ImportMapping) -> ImportMappingOut:
    return ImportMappingOut(
        name=row.name,
        kind=row.kind,
        mapping=dict(row.mapping or {}),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def check_name(name: str) -> str:
    """A mapping's name: 1–100 characters, no "/" or "\\" (it is a URL path segment), no
    control characters; surrounding spaces dropped."""
    name = str(name).strip()
    bad = any(unicodedata.category(ch).startswith("C") for ch in name)
    if not name or len(name) > MAX_NAME or bad or "/" in name or "\\" in name:
        raise InvalidInputError(
            f"映射名称应为 1–{MAX_NAME} 个字符，不含 / \\ 或控制字符",
            f"a mapping name has 1–{MAX_NAME} characters, without / \\ or control characters",
            details={"field": "name"},
        )
    return name


def check(kind: str, mapping: object, source: str = "列映射 mapping") -> dict[str, str]:
    """A mapping's pairs, each naming a field of ``kind`` or ignore (the mapping file's rules),
    at most 500 of them with headers of at most 200 characters."""
    pairs = check_mapping(source, mapping)
    if len(pairs) > MAX_ENTRIES or any(len(str(h)) > MAX_HEADER for h in pairs):
        raise InvalidInputError(
            f"{source}：最多 {MAX_ENTRIES} 列，列名最多 {MAX_HEADER} 个字符",
            f"{source}: at most {MAX_ENTRIES} columns of at most {MAX_HEADER} characters",
        )
    HeaderLookup(get_kind(kind), pairs)  # every target is a field of the kind, or ignore
    return {str(h).strip(): f.strip() for h, f in pairs.items()}


def _row(session: Session, name: str) -> ImportMapping:
    row = session.scalar(select(ImportMapping).where(ImportMapping.name == str(name).strip()))
    if row is None:
        raise NotFoundError("列映射", "import mapping")
    return row


@staff_only
def save_mapping(
    *, session: Session, actor: User, name: str, kind: str, mapping: dict[str, str]
) -> ImportMappingOut:
    """Create the mapping ``name``, or replace its kind and pairs."""
    name = check_name(name)
    pairs = check(kind, mapping)
    row = session.scalar(select(ImportMapping).where(ImportMapping.name == name))
    created = row is None
    if row is None:
        row = ImportMapping(name=name, created_by=actor.username)
        session.add(row)
    row.kind, row.mapping = kind, pairs
    session.flush()
    record(
        session=session,
        actor=actor,
        action="import_mapping_saved",
        target_type="import_mapping",
        target_id=row.id,
        count=len(pairs),
        detail={"name": name, "kind": kind, "created": created, "mapping": pairs},
    )
    return _out(row)


@staff_only
def list_mappings(
    *, session: Session, actor: User, kind: str | None = None
) -> list[ImportMappingOut]:
    """Saved mappings by name, of one kind when given."""
    stmt = select(ImportMapping).order_by(ImportMapping.name)
    if kind is not None:
        stmt = stmt.where(ImportMapping.kind == get_kind(kind).name)
    return [_out(row) for row in session.scalars(stmt)]


@staff_only
def get_mapping(*, session: Session, actor: User, name: str) -> ImportMappingOut:
    return _out(_row(session, name))


@staff_only
def delete_mapping(*, session: Session, actor: User, name: str) -> None:
    row = _row(session, name)
    record(
        session=session,
        actor=actor,
        action="import_mapping_deleted",
        target_type="import_mapping",
        target_id=row.id,
        detail={"name": row.name, "kind": row.kind, "mapping": dict(row.mapping or {})},
    )
    session.delete(row)
    session.flush()


@staff_only
def mapping_for_import(
    *, session: Session, actor: User, kind: str, name: str | None, mapping: dict[str, str] | None
) -> dict[str, str] | None:
    """The mapping an import uses: a mapping file's pairs, or the saved mapping ``name``
    (which must be of ``kind``); giving both is an error."""
    kind = get_kind(kind).name
    if name is None:
        return mapping
    if mapping is not None:
        raise InvalidInputError(
            "请只给出映射文件或已存映射名称之一",
            "give a mapping file or a saved mapping name, not both",
            details={"field": "mapping_name"},
        )
    saved = _row(session, name)
    if saved.kind != kind:
        raise InvalidInputError(
            f"列映射“{saved.name}”用于 {saved.kind}，不能用于 {kind}",
            f"the mapping {saved.name!r} is for {saved.kind}, not {kind}",
            details={"field": "mapping_name"},
        )
    return check(kind, saved.mapping, f"列映射“{saved.name}” mapping {saved.name!r}")
