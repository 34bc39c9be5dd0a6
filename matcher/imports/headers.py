"""Matching a file's header labels to the columns of a kind: aliases, two-row labels,
numbered list columns, the headers a form carries that we do not store, and mapping files."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from matcher.errors import InvalidInputError
from matcher.imports.layout import GROUP_SEP

if TYPE_CHECKING:
    from matcher.imports.columns import Column, Kind


class _Ignored:
    """What an ignored header maps to (a form's 序号, 传真 … or ``"列名" = "ignore"``)."""

    name = "ignore"


IGNORE = _Ignored()
_IGNORE_WORDS = ("ignore", "忽略", "不导入")
_COUNTER = re.compile(r"[0-9一二三四五六七八九十]+$")
_NOTE = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$")


def header_key(header: str) -> str:
    """What a header is matched by: NFKC (full-width → ASCII), no spaces, case, ``_``/``-``,
    ``*`` marks, nor a trailing note like "（必填）"."""
    text = unicodedata.normalize("NFKC", str(header)).strip()
    text = _NOTE.sub("", re.sub(r"\s+", "", text))
    return re.sub(r"[\s_\-*:：]", "", text).lower()


class HeaderLookup:
    """Finds the column a header label names: the mapping file first (column → field, or
    "ignore"), then the kind's names and aliases, a two-row label "group > name" as
    "groupname" or "name", and a numbered label of a list column ("关键字3") as its name."""

    def __init__(self, kind: Kind, mapping: dict[str, str] | None = None) -> None:
        self.kind = kind
        self.aliases: dict[str, Column | _Ignored] = {}
        for col in (*kind.columns, *kind.form_columns):
            for alias in (col.name, *col.aliases):
                self.aliases.setdefault(header_key(alias), col)
        for alias in kind.ignored:
            self.aliases.setdefault(header_key(alias), IGNORE)
        self.mapping = {header_key(h): self.field(h, f) for h, f in (mapping or {}).items()}

    @property
    def fields(self) -> list[str]:
        return [c.name for c in (*self.kind.columns, *self.kind.form_columns)]

    def field(self, header: str, target: str) -> Column | _Ignored:
        """The column a mapping file sends ``header`` to: a field name, an alias, or ignore."""
        key = header_key(str(target))
        if key in _IGNORE_WORDS:
            return IGNORE
        col = self.aliases.get(key)
        if col is None or col is IGNORE:
            raise InvalidInputError(
                f"列映射：列“{header}”的目标“{target}”不是{self.kind.label_zh}的字段；"
                f"可选：{'、'.join(self.fields)}、ignore",
                f"mapping: {target!r} (for column {header!r}) is not a field of "
                f"{self.kind.name}; choose one of {', '.join(self.fields)}, ignore",
            )
        return col

    def find(self, label: str) -> Column | _Ignored | None:
        keys = [header_key(label)]
        if GROUP_SEP in label:
            group, name = label.split(GROUP_SEP, 1)
            keys += [header_key(group + name), header_key(name)]
        for table in (self.mapping, self.aliases):
            for key in keys:
                if key in table:
                    return table[key]
        for key in keys:
            col = self.aliases.get(_COUNTER.sub("", key))
            if col is not None and col is not IGNORE and col.is_list:
                return col
        return None

    def knows(self, label: str) -> bool:
        return self.find(label) is not None


@dataclass
class HeaderMap:
    """Which column each file header feeds, and the headers nobody wants. ``form``: the file
    has a collection form's columns, so an unknown header stops the import; ``one_sheet``:
    its rows name their owning record too (a need's enterprise)."""

    columns: dict[str, Column]  # original header → column
    unknown: list[str]
    ignored: list[str] = field(default_factory=list)
    form: bool = False
    one_sheet: bool = False


def resolve_headers(
    kind: Kind, headers: list[str], filename: str, lookup: HeaderLookup | None = None
) -> HeaderMap:
    """Map a file's headers to columns; a missing required column or a column given twice (a
    list column may be given by several headers) is an ``InvalidInputError`` naming the file."""
    lookup = lookup or HeaderLookup(kind)
    columns: dict[str, Column] = {}
    unknown: list[str] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for header in headers:
        if not str(header).strip():
            continue
        col = lookup.find(header)
        if col is None or col is IGNORE:
            (unknown if col is None else ignored).append(str(header))
            continue
        if col.name in seen and not col.is_list:
            raise InvalidInputError(
                f"{filename}：列“{seen[col.name]}”与“{header}”都对应 {col.name}",
                f"{filename}: columns {seen[col.name]!r} and {header!r} both mean {col.name}",
            )
        seen.setdefault(col.name, str(header))
        columns[header] = col
    form_names = {c.name for c in kind.form_columns}
    one_sheet = bool(kind.owner_columns & seen.keys())
    if one_sheet:  # rows without an id are matched by their owner and title
        columns = {
            h: replace(c, required=False) if c.name == "external_id" else c
            for h, c in columns.items()
        }
    missing = [
        c.name
        for c in kind.columns
        if c.required and c.name not in seen and not (one_sheet and c.name == "external_id")
    ]
    if missing:
        raise InvalidInputError(
            f"{filename}：缺少必填列 {'、'.join(missing)}",
            f"{filename}: missing required column(s) {', '.join(missing)}",
        )
    return HeaderMap(columns, unknown, ignored, bool(form_names & seen.keys()), one_sheet)


def load_mapping(filename: str, data: bytes) -> dict[str, str]:
    """A mapping file: TOML (or JSON for a .json name) of ``"column as in the file" = "field"``
    pairs, at the top level or under ``[columns]``."""
    import json
    import tomllib

    try:
        text = data.decode("utf-8-sig")
        loaded = json.loads(text) if filename.lower().endswith(".json") else tomllib.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInputError(
            f"{filename}：映射文件无法解析（{exc}）", f"{filename}: unreadable mapping file ({exc})"
        ) from None
    return check_mapping(filename, loaded)


def check_mapping(source: str, loaded: object) -> dict[str, str]:
    """The ``column → field`` pairs of a loaded mapping (a mapping file's content, or one
    given as JSON to the API): a table of text values, at the top level or under
    ``[columns]``. Whether each field exists is checked by ``HeaderLookup``."""
    if isinstance(loaded, dict) and isinstance(loaded.get("columns"), dict):
        loaded = loaded["columns"]
    if not isinstance(loaded, dict):
        loaded = {"-": loaded}
    bad = [str(k) for k, val in loaded.items() if not isinstance(val, str)]
    if bad:
        raise InvalidInputError(
            f"{source}：映射的值应为字段名（{'、'.join(bad)}）",
            f"{source}: mapping values must be field names ({', '.join(bad)})",
        )
    return dict(loaded)
