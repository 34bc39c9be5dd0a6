"""The columns of each import kind: names, Chinese aliases, parsers, defaults, lengths."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String

from matcher.errors import InvalidInputError
from matcher.imports import validators as v
from matcher.models import Enterprise, Expert, Society, TechNeed
from matcher.models.base import Base


@dataclass(frozen=True)
class Column:
    """One importable column. ``attr`` is the model attribute (None: resolved to a link)."""

    name: str
    aliases: tuple[str, ...] = ()
    parse: Callable[[Any], Any] = v.as_text
    required: bool = False
    empty: Any = None  # value stored for an empty cell
    attr: str | None = field(default=None)
    max_length: int | None = None
    is_list: bool = False


@dataclass(frozen=True)
class Kind:
    """An importable table."""

    name: str
    label_zh: str
    model: type[Base]
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def stored(self) -> tuple[Column, ...]:
        """Columns that are model attributes (everything but the link columns)."""
        return tuple(c for c in self.columns if c.attr)


def _col(model: type[Base], name: str, *aliases: str, link: bool = False, **kw: Any) -> Column:
    """A column whose length limit is read from the model (so they never disagree)."""
    attr = None if link else name
    max_length = None
    if attr:
        sa_type = model.__table__.c[attr].type
        if isinstance(sa_type, String) and sa_type.length:
            max_length = sa_type.length
    if kw.get("parse") is v.parse_list:
        kw.setdefault("is_list", True)
        kw.setdefault("empty", [])
    return Column(name, aliases, attr=attr, max_length=max_length, **kw)


def _external_id(model: type[Base], label: str) -> Column:
    aliases = ("编号", "外部编号", "id", f"{label}编号", f"{label}id", f"{label}外部编号")
    return _col(model, "external_id", *aliases, parse=v.parse_code, required=True)


def _common(model: type[Base], label: str, name_aliases: tuple[str, ...]) -> tuple[Column, ...]:
    return (
        _external_id(model, label),
        _col(model, "name", "名称", *name_aliases, required=True),
    )


def _contact(model: type[Base], phone_attr: str) -> tuple[Column, ...]:
    return (
        _col(
            model, phone_attr, "联系电话", "电话", "手机", "手机号", "联系方式", parse=v.parse_phone
        ),
        _col(model, "email", "邮箱", "电子邮箱", "邮件", "e-mail", parse=v.parse_email),
    )


_CITY = ("城市", "所在城市", "地市", "所在地市", "所在地")
_CONTACT_NAME = ("联系人", "联系人姓名")

SOCIETIES = Kind(
    "societies",
    "学会",
    Society,
    (
        *_common(Society, "学会", ("学会名称", "学会")),
        _col(Society, "disciplines", "学科", "学科领域", "所属学科", parse=v.parse_list),
        _col(Society, "description", "简介", "描述", "学会简介", empty=""),
        _col(Society, "city", *_CITY, parse=v.parse_city),
        _col(Society, "capacity", "容量", "服务容量", parse=v.parse_count, empty=10),
        _col(Society, "contact_name", *_CONTACT_NAME),
        *_contact(Society, "contact_phone"),
    ),
)

EXPERTS = Kind(
    "experts",
    "专家",
    Expert,
    (
        *_common(Expert, "专家", ("专家姓名", "姓名", "专家")),
        _col(
            Expert,
            "society_external_id",
            "所属学会",
            "学会编号",
            "所属学会编号",
            link=True,
            parse=v.parse_list,
        ),
        _col(Expert, "title", "职称", "职务"),
        _col(Expert, "affiliation", "单位", "工作单位", "所在单位"),
        _col(Expert, "city", *_CITY, parse=v.parse_city),
        _col(Expert, "research_areas", "研究方向", "研究领域", "专业领域", parse=v.parse_list),
        _col(Expert, "profile", "个人简介", "简介", "专家简介", empty=""),
        *_contact(Expert, "phone"),
    ),
)

ENTERPRISES = Kind(
    "enterprises",
    "企业",
    Enterprise,
    (
        *_common(Enterprise, "企业", ("企业名称", "企业", "单位名称")),
        _col(
            Enterprise,
            "credit_code",
            "统一社会信用代码",
            "信用代码",
            "社会信用代码",
            parse=v.parse_credit_code,
        ),
        _col(Enterprise, "city", *_CITY, parse=v.parse_city),
        _col(Enterprise, "county", "区县", "县区", "所在区县"),
        _col(Enterprise, "industry", "行业", "所属行业"),
        _col(Enterprise, "size", "规模", "企业规模"),
        _col(
            Enterprise,
            "is_chain_leader",
            "是否链主",
            "链主企业",
            "链主",
            parse=v.parse_bool,
            empty=False,
        ),
        _col(Enterprise, "contact_name", *_CONTACT_NAME),
        *_contact(Enterprise, "contact_phone"),
    ),
)

NEEDS = Kind(
    "needs",
    "技术需求",
    TechNeed,
    (
        _external_id(TechNeed, "需求"),
        _col(
            TechNeed,
            "enterprise_external_id",
            "企业编号",
            "所属企业编号",
            "企业外部编号",
            link=True,
            parse=v.parse_code,
        ),
        _col(TechNeed, "title", "需求名称", "标题", "需求标题", "名称", required=True),
        _col(TechNeed, "description", "需求描述", "需求内容", "描述", "内容", empty=""),
        _col(TechNeed, "industry", "行业", "所属行业"),
        _col(TechNeed, "city", *_CITY, parse=v.parse_city),
        _col(TechNeed, "keywords", "关键词", "关键字", parse=v.parse_list),
        _col(TechNeed, "deadline", "截止日期", "截止时间", parse=v.parse_date),
    ),
)

KINDS: dict[str, Kind] = {k.name: k for k in (SOCIETIES, EXPERTS, ENTERPRISES, NEEDS)}


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise InvalidInputError(
            f"未知的导入类型 {name!r}，可选：{'、'.join(KINDS)}",
            f"unknown kind {name!r}; choose one of {', '.join(KINDS)}",
        ) from None


_NOTE = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$")


def header_key(header: str) -> str:
    """What a header is matched by: NFKC (full-width → ASCII), no spaces, case, ``_``/``-``,
    ``*`` marks, nor a trailing note like "（必填）"."""
    text = unicodedata.normalize("NFKC", str(header)).strip()
    text = _NOTE.sub("", re.sub(r"\s+", "", text))
    return re.sub(r"[\s_\-*:：]", "", text).lower()


@dataclass
class HeaderMap:
    """Which column each file header feeds, and the headers nobody wants."""

    columns: dict[str, Column]  # original header → column
    unknown: list[str]


def resolve_headers(kind: Kind, headers: list[str], filename: str) -> HeaderMap:
    """Map a file's headers to columns; a missing required column or a column given twice is
    an ``InvalidInputError`` naming the file."""
    lookup: dict[str, Column] = {}
    for col in kind.columns:
        for alias in (col.name, *col.aliases):
            lookup.setdefault(header_key(alias), col)
    columns: dict[str, Column] = {}
    unknown: list[str] = []
    seen: dict[str, str] = {}
    for header in headers:
        col = lookup.get(header_key(header))
        if col is None:
            if str(header).strip():
                unknown.append(str(header))
            continue
        if col.name in seen:
            raise InvalidInputError(
                f"{filename}：列“{seen[col.name]}”与“{header}”都对应 {col.name}",
                f"{filename}: columns {seen[col.name]!r} and {header!r} both mean {col.name}",
            )
        seen[col.name] = str(header)
        columns[header] = col
    missing = [c.name for c in kind.columns if c.required and c.name not in seen]
    if missing:
        raise InvalidInputError(
            f"{filename}：缺少必填列 {'、'.join(missing)}",
            f"{filename}: missing required column(s) {', '.join(missing)}",
        )
    return HeaderMap(columns, unknown)
