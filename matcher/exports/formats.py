"""Rendering a table (header + rows of plain values) as CSV, .xlsx or .jsonl bytes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from matcher.errors import InvalidInputError
from matcher.formulas import neutralise

FORMATS = ("csv", "xlsx", "jsonl")
LIST_SEPARATOR = "；"


def check_format(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInputError(
            f"不支持的导出格式 {fmt!r}，可选：{'、'.join(FORMATS)}",
            f"unsupported export format {fmt!r}; choose one of {', '.join(FORMATS)}",
        )
    return fmt


def _cell(value: Any) -> Any:
    """A value as a spreadsheet cell: lists joined by "；", booleans as 是/否."""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _text(value: Any) -> str:
    value = _cell(value)
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a budget of 50 万元 reads "50", not "50.0"
    return str(value)


def _csv_cell(value: Any) -> str:
    """Text is neutralised against formula injection; numbers, dates and booleans are not
    (they cannot start a formula)."""
    text = _text(value)
    return neutralise(text) if isinstance(value, str | list) else text


def render(headers: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, title: str) -> bytes:
    """CSV and .xlsx neutralise text cells that a spreadsheet would run as a formula
    (``matcher.formulas``); .jsonl keeps every value as it is."""
    fmt = check_format(fmt)
    if fmt == "csv":
        buf = io.StringIO(newline="")
        writer = csv.writer(buf)
        writer.writerow(headers)
        writer.writerows([_csv_cell(v) for v in row] for row in rows)
        return buf.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    if fmt == "jsonl":
        lines = [
            json.dumps(dict(zip(headers, row, strict=True)), ensure_ascii=False, default=str)
            for row in rows
        ]
        return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
    return _xlsx(headers, rows, title)


def _xlsx(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str) -> bytes:
    return render_workbook([(title, headers, rows)])


def render_workbook(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """An .xlsx of several ``(title, headers, rows)`` sheets, text neutralised as above."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(list(headers))
        for row in rows:
            cells = []
            for value in row:
                value = _cell(value)
                if isinstance(value, str):
                    cell = WriteOnlyCell(sheet, neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
                    cell.data_type = "s"  # text, never a formula; quoted when it looks like one
                    value = cell
                cells.append(value)
            sheet.append(cells)
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()
