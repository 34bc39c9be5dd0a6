"""Need files: the checks of a tidy need file, and the one-sheet layout of a need-collection
summary (企业技术需求征集表 merged into one sheet), whose rows carry their enterprise too.

In a one-sheet file the enterprise of a row is found by its 统一社会信用代码, else by its
normalised name (``company_key``), else by an enterprise id column, and is created or
updated from the row (blank cells keep what is stored). A need is matched by its id column
when the row has one, else by (enterprise, title); a new one gets a stable id derived from
both. Several columns of the form feed one field: 主要问题 / 技术关键 / 预期目标 the
description (labels kept), 需求时限 the start and end years, 固定电话 the contact phone
when no mobile is given.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.imports.batch import Batch, Owners
from matcher.imports.parsing import ParsedRow
from matcher.imports.validators import CellInvalid, check_year_order
from matcher.imports.writer import lookup
from matcher.models import Enterprise, TechNeed

DESCRIPTION_PARTS = (
    ("problem", "主要问题"),
    ("key_technology", "技术关键"),
    ("expected_goal", "预期目标"),
)
ENTERPRISE_FROM_ROW = {  # file column → enterprise attribute
    "enterprise_name": "name",
    "credit_code": "credit_code",
    "city": "city",
    "county": "county",
    "industry": "industry",
    "size": "size",
    "is_chain_leader": "is_chain_leader",
    "contact_name": "contact_name",
    "contact_phone": "contact_phone",
    "email": "email",
}
_BRACKETS = str.maketrans("〔〕【】[]", "()()()")


def company_key(name: str) -> str:
    """What an enterprise's name is matched by: full-width → half-width (（）→ ()), the other
    bracket shapes as (), no whitespace, lower case. The legal form (有限公司 …) is kept: it
    tells two enterprises apart."""
    text = unicodedata.normalize("NFKC", name).translate(_BRACKETS)
    return re.sub(r"\s+", "", text).lower()


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def check_needs(session: Session, batch: Batch) -> None:
    """Fill the fields that several form columns feed, then link every need to its
    enterprise: by ``enterprise_external_id`` in a tidy file, by the row's own enterprise
    columns in a one-sheet file."""
    _derive_fields(batch)
    if batch.one_sheet:
        _fill_down(batch)
        _assign_need_ids(session, batch, _resolve_enterprises(session, batch))
        return
    unused = sorted(set(ENTERPRISE_FROM_ROW) & batch.present - {"city", "industry"})
    if unused:
        batch.warnings.append(
            f"没有企业名称或信用代码列，已忽略企业信息列：{'、'.join(unused)} / no enterprise "
            f"name or credit code column: ignored {', '.join(unused)}"
        )
    if "enterprise_external_id" in batch.present:
        _check_enterprise_links(session, batch)


def _derive_fields(batch: Batch) -> None:
    present = batch.present
    parts = [(name, label) for name, label in DESCRIPTION_PARTS if name in present]
    frame = "time_frame" in present
    landline = "landline" in present
    for row in batch.rows:
        values = row.values
        if parts:
            texts = [values.get("description") or ""]
            texts += [f"{label}：{values[name]}" for name, label in parts if values.get(name)]
            values["description"] = "\n".join(t for t in texts if t)
        if frame and values.get("time_frame"):
            start, end = values["time_frame"]
            for name, year in (("start_year", start), ("end_year", end)):
                if values.get(name) is None:
                    values[name] = year
        if frame:
            values.setdefault("start_year", None)
            values.setdefault("end_year", None)
        if landline and not values.get("contact_phone"):
            values["contact_phone"] = values.get("landline")
        try:
            check_year_order(values.get("start_year"), values.get("end_year"))
        except CellInvalid as exc:
            batch.error(row, "end_year", exc.reason)
    present |= {"description"} if parts else set()
    present |= {"start_year", "end_year"} if frame else set()
    present |= {"contact_phone"} if landline else set()


def _check_enterprise_links(session: Session, batch: Batch) -> None:
    """A tidy need's ``enterprise_external_id``, when given, must name a stored enterprise."""
    wanted = [r.values.get("enterprise_external_id") for r in batch.rows]
    known = lookup(session, Enterprise.__table__, [w for w in wanted if w])
    for row in batch.rows:
        ext = row.values.get("enterprise_external_id")
        if ext and ext not in known:
            batch.error(
                row,
                "enterprise_external_id",
                f"企业编号 {ext} 不存在 / no enterprise with external_id {ext}",
            )
        elif "external_id" in row.values:
            batch.extra[row.external_id] = {"enterprise_id": known.get(ext) if ext else None}


# ---- one-sheet files: the rows' enterprises -------------------------------------------------


_IDENTITY = ("enterprise_name", "credit_code", "enterprise_external_id")


def _fill_down(batch: Batch) -> None:
    """A need row without any enterprise under a row with one belongs to that enterprise: its
    cells were merged down over the enterprise's needs (read as blanks below the first)."""
    above: ParsedRow | None = None
    filled: list[str] = []
    for row in batch.rows:
        if any(row.values.get(k) for k in _IDENTITY):
            above = row
        elif above is not None and row.values.get("title"):
            row.values.update({k: above.values[k] for k in _IDENTITY if k in above.values})
            filled.append(str(row.number))
    if filled:
        batch.warnings.append(
            f"第 {'、'.join(filled)} 行未填企业，沿用上方的企业（合并单元格）/ row(s) "
            f"{', '.join(filled)} name no enterprise: the one above is used (merged cells)"
        )


@dataclass
class _Group:
    """The rows of one enterprise in the file and the details they give."""

    first: ParsedRow
    code: str | None
    name_key: str | None
    ext: str | None  # an enterprise id column's value
    values: dict[str, Any] = field(default_factory=dict)  # attribute → first value given
    given_by: dict[str, int] = field(default_factory=dict)  # attribute → row number
    rows: list[ParsedRow] = field(default_factory=list)


def _group_rows(batch: Batch, attrs: list[str]) -> dict[int, _Group]:
    """Each row's enterprise (by ``id(row)``): rows with a credit code first, so a row with
    only the name joins the enterprise that has the code."""
    by_code: dict[str, _Group] = {}
    by_name: dict[str, _Group] = {}
    of_row: dict[int, _Group] = {}
    rows = sorted(batch.rows, key=lambda r: r.values.get("credit_code") is None)
    for row in rows:
        code = row.values.get("credit_code")
        name = row.values.get("enterprise_name")
        name_key = company_key(name) if name else None
        group = by_code.get(code) if code else None
        if group is None and name_key and name_key in by_name:
            group = by_name[name_key]
            if code and group.code and group.code != code:
                batch.error(
                    row,
                    "credit_code",
                    f"与第 {group.first.number} 行企业同名，但统一社会信用代码不同 / the row "
                    f"{group.first.number} enterprise of this name has another credit code",
                )
                continue
        if group is None:
            if not (code or name_key):
                batch.error(
                    row,
                    "enterprise_name",
                    "请填写企业名称或统一社会信用代码 / the enterprise's name or credit code is "
                    "required",
                )
                continue
            ext = row.values.get("enterprise_external_id")
            group = _Group(first=row, code=code, name_key=name_key, ext=ext)
        if code:
            by_code.setdefault(code, group)
        if name_key:
            by_name.setdefault(name_key, group)
        group.name_key = group.name_key or name_key
        group.rows.append(row)
        _merge_details(batch, group, row, attrs)
        of_row[id(row)] = group
    return of_row


def _merge_details(batch: Batch, group: _Group, row: ParsedRow, attrs: list[str]) -> None:
    """The first value given for each detail wins; a different one later is a warning."""
    for column, attr in ENTERPRISE_FROM_ROW.items():
        value = row.values.get(column)
        if attr not in attrs or _blank(value):
            continue
        if attr not in group.values:
            group.values[attr] = value
            group.given_by[attr] = row.number
        elif group.values[attr] != value and not (
            attr == "name" and company_key(value) == company_key(group.values[attr])
        ):
            batch.warnings.append(
                f"第 {row.number} 行企业的 {attr} 与第 {group.given_by[attr]} 行不同，"
                f"已用第 {group.given_by[attr]} 行的 / row {row.number}: the enterprise's {attr} "
                f"differs from row {group.given_by[attr]}; row {group.given_by[attr]} kept"
            )


def _new_enterprise_id(group: _Group) -> str:
    if group.ext:
        return group.ext
    if group.code:
        return f"ENT-{group.code}"
    return f"ENT-{hashlib.sha1(group.name_key.encode()).hexdigest()[:10]}"


def _stored_enterprises(session: Session) -> dict[str, dict[str, Any]]:
    """Every stored enterprise by external_id (a few thousand rows: names are compared
    normalised, so they cannot be looked up by an index)."""
    table = Enterprise.__table__
    return {row.external_id: dict(row._mapping) for row in session.execute(select(table))}


def _match_store(
    batch: Batch,
    group: _Group,
    stored: dict[str, dict[str, Any]],
    by_code: dict[str, str],
    by_name: dict[str, list[str]],
) -> str | None:
    """The stored enterprise's external_id for ``group``, "" if it is new, None on error."""
    found = by_code.get(group.code) if group.code else None
    if found is None and group.name_key:
        same_name = by_name.get(group.name_key, [])
        if len(same_name) > 1:
            batch.error(
                group.first,
                "enterprise_name",
                f"已登记多家同名企业（{'、'.join(same_name)}），请填写统一社会信用代码 / several "
                f"stored enterprises have this name ({', '.join(same_name)}); give the credit code",
            )
            return None
        found = same_name[0] if same_name else None
        stored_code = stored[found]["credit_code"] if found else None
        if found and group.code and stored_code and stored_code != group.code:
            batch.error(
                group.first,
                "credit_code",
                f"同名企业 {found} 的统一社会信用代码为 {stored_code} / the stored enterprise "
                f"{found} of this name has credit code {stored_code}",
            )
            return None
    if found is None and group.ext in stored:
        found = group.ext
    if found and group.ext and group.ext != found:
        batch.error(
            group.first,
            "enterprise_external_id",
            f"该企业已登记为 {found} / this enterprise is stored as {found}",
        )
        return None
    if found is None and "name" not in group.values:
        batch.error(
            group.first,
            "enterprise_name",
            "新企业须填写名称 / a new enterprise needs its name",
        )
        return None
    return found or ""


def _resolve_enterprises(session: Session, batch: Batch) -> dict[int, str]:
    """Each row's enterprise external_id (by ``id(row)``; rows whose enterprise is in error
    are left out) and the enterprise records to upsert (``batch.owners``)."""
    attrs = [a for c, a in ENTERPRISE_FROM_ROW.items() if c in batch.present]
    of_row = _group_rows(batch, attrs)
    stored = _stored_enterprises(session)
    by_code = {e["credit_code"]: ext for ext, e in stored.items() if e["credit_code"]}
    by_name: dict[str, list[str]] = defaultdict(list)
    for ext, e in stored.items():
        by_name[company_key(e["name"])].append(ext)
    records: dict[str, dict[str, Any]] = {}
    ext_of_group: dict[int, str] = {}
    for group in {id(g): g for g in of_row.values()}.values():
        found = _match_store(batch, group, stored, by_code, by_name)
        if found is None:
            continue
        ext = found or _new_enterprise_id(group)
        if not found and ext in stored:
            batch.error(
                group.first,
                "enterprise_external_id",
                f"企业编号 {ext} 已被另一企业使用 / external_id {ext} belongs to another "
                "enterprise",
            )
            continue
        old = stored.get(found, {})
        record = {"external_id": ext} | {a: group.values.get(a, old.get(a)) for a in attrs}
        if old and record.get("name") and company_key(record["name"]) == company_key(old["name"]):
            record["name"] = old["name"]  # the same name written another way: keep it
        records[ext] = record
        ext_of_group[id(group)] = ext
        for row in group.rows:  # a need's city and industry default to its enterprise's
            for attr in ("city", "industry"):
                if not row.values.get(attr):
                    row.values[attr] = record.get(attr, old.get(attr))
    for row in batch.rows:
        row.values.setdefault("city", None)
        row.values.setdefault("industry", None)
    batch.present |= {"city", "industry"}
    batch.owners = Owners(
        table=Enterprise.__table__,
        records=list(records.values()),
        attrs=attrs,
        of={},
        link="enterprise_id",
    )
    return {row_id: ext_of_group[id(g)] for row_id, g in of_row.items() if id(g) in ext_of_group}


# ---- one-sheet files: the needs' ids --------------------------------------------------------


def _title_key(title: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", title)).lower()


def _assign_need_ids(session: Session, batch: Batch, owner_of: dict[int, str]) -> None:
    """A row without an id is the stored need of its enterprise with the same title, or a
    new need whose id is derived from the enterprise and the title."""
    assert batch.owners is not None
    ent_ids = lookup(session, Enterprise.__table__, list(set(owner_of.values())))
    stored: dict[tuple[int, str], str] = {}
    if ent_ids:
        stmt = select(TechNeed.enterprise_id, TechNeed.title, TechNeed.external_id).where(
            TechNeed.enterprise_id.in_(ent_ids.values())
        )
        for ent_id, title, ext in session.execute(stmt):
            stored.setdefault((ent_id, _title_key(title)), ext)
    seen: dict[str, ParsedRow] = {}
    for row in batch.rows:
        owner = owner_of.get(id(row))
        ext = row.values.get("external_id")
        if owner is None or not (ext or row.values.get("title")):
            continue  # already in error
        if not ext:
            key = _title_key(row.values["title"])
            ext = stored.get((ent_ids.get(owner, 0), key))
            if ext is None:
                digest = hashlib.sha1(f"{owner}\x1f{key}".encode()).hexdigest()[:12]
                ext = f"N-{digest}"
        if ext in seen:
            batch.error(
                row,
                "title",
                f"与第 {seen[ext].number} 行是同一需求（同一企业、同名或同编号）/ the same need "
                f"as row {seen[ext].number} (same enterprise and title, or same id)",
            )
            continue
        seen[ext] = row
        row.values["external_id"] = ext
        batch.owners.of[ext] = owner
