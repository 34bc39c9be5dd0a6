"""Turning raw rows into typed values, collecting every cell error of the file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from matcher.errors import RowError
from matcher.imports.columns import Column
from matcher.imports.headers import HeaderMap
from matcher.imports.validators import CellInvalid

REQUIRED = "必填项为空 / required value is empty"


@dataclass
class ParsedRow:
    """One data row: its number in the file and its values by column name (only the columns
    the file has; empty cells hold the column's ``empty`` value)."""

    number: int
    values: dict[str, Any]

    @property
    def external_id(self) -> str:
        return self.values["external_id"]


def _is_blank(raw: Any) -> bool:
    return raw is None or raw == "" or raw == []


def parse_cell(col: Column, raw: Any) -> Any:
    """The stored value of one non-blank cell, or ``CellInvalid``."""
    value = col.parse(raw)
    if col.max_length and isinstance(value, str) and len(value) > col.max_length:
        raise CellInvalid(
            f"超过 {col.max_length} 字（{len(value)} 字）",
            f"longer than {col.max_length} characters ({len(value)})",
        )
    return value


def parse_rows(
    rows: Iterable[tuple[int, dict[str, Any]]], headers: HeaderMap, filename: str
) -> tuple[list[ParsedRow], list[RowError]]:
    """Parse every row; also reports an ``external_id`` repeated within the file."""
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    first_seen: dict[str, int] = {}
    for number, raw_row in rows:
        values: dict[str, Any] = {}
        for header, col in headers.columns.items():
            raw = raw_row.get(header)
            value: Any = None
            if not _is_blank(raw):
                try:
                    value = parse_cell(col, raw)
                except CellInvalid as exc:
                    errors.append(RowError(filename, number, col.name, exc.reason))
                    continue
            if _is_blank(value):
                if col.required:
                    errors.append(RowError(filename, number, col.name, REQUIRED))
                    continue
                if col.name in values:  # a list column given by several headers
                    continue
                value = list(col.empty) if isinstance(col.empty, list) else col.empty
            elif col.is_list and values.get(col.name):  # 关键字1 … 关键字5 → one list
                value = values[col.name] + [x for x in value if x not in values[col.name]]
            values[col.name] = value
        ext = values.get("external_id")
        if ext is not None:
            if ext in first_seen:
                errors.append(
                    RowError(
                        filename,
                        number,
                        "external_id",
                        f"编号 {ext} 与第 {first_seen[ext]} 行重复 / "
                        f"external_id {ext} repeats row {first_seen[ext]}",
                    )
                )
            else:
                first_seen[ext] = number
        parsed.append(ParsedRow(number, values))
    return parsed, errors
