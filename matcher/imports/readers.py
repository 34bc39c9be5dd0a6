"""Reading .csv (UTF-8, UTF-8 with BOM, GB18030/GBK, UTF-16), .xlsx and .jsonl files into
rows numbered as the user sees them (CSV/xlsx: the sheet's row number, the header found under
any title rows — see ``layout``; jsonl: line number)."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.errors import InvalidInputError, RowError
from matcher.imports import guards
from matcher.imports.layout import find_layout

FORMATS = (".csv", ".xlsx", ".jsonl")


Known = Callable[[str], bool]
"""Whether a header label names a column: how the header row is told from title rows."""


@dataclass
class RawTable:
    """A file's header and its non-empty rows ``(row number, {header: cell})``."""

    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    errors: list[RowError] = field(default_factory=list)  # rows that could not be read at all
    header_row: int = 1  # the (last) header row's number
    notes: list[int] = field(default_factory=list)  # notes rows at the end, left out


def _nothing_known(_label: str) -> bool:
    return False


def file_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInputError(
            f"{filename}：不支持的文件类型 {suffix or '（无扩展名）'}，"
            "请使用 .csv、.xlsx 或 .jsonl",
            f"{filename}: unsupported file type {suffix or '(none)'}; use .csv, .xlsx or .jsonl",
        )
    return suffix


def read_table(filename: str, data: bytes, known: Known | None = None) -> RawTable:
    """Parse ``data`` according to ``filename``'s extension; in a sheet, the header is the
    row (or two rows) whose labels ``known`` recognises most, else the first row of two or
    more cells."""
    fmt = file_format(filename)
    known = known or _nothing_known
    guards.check_bytes(filename, fmt, data)  # zip bombs, mixed encodings, row count
    with guards.read_errors(filename):  # a damaged file: one clear refusal
        table = _read_format(filename, fmt, data, known)
    return guards.check_table(filename, fmt, table)  # cell sizes; formula quotes taken off


def _read_format(filename: str, fmt: str, data: bytes, known: Known) -> RawTable:
    if fmt == ".xlsx":
        return _read_xlsx(filename, data, known)
    text = decode_text(filename, data)
    if fmt == ".jsonl":
        return _read_jsonl(filename, text)
    return _read_csv(text, known)


def decode_text(filename: str, data: bytes) -> str:
    """BOM first, then strict UTF-8, then GB18030 (a superset of GBK, what Excel saves)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInputError(
        f"{filename}：无法识别文件编码，请另存为 UTF-8 或 GBK",
        f"{filename}: unreadable text encoding; save it as UTF-8 or GBK",
    )


def _clean(value: Any) -> Any:
    """Strip a text cell (and drop NUL characters, which PostgreSQL refuses)."""
    if isinstance(value, str):
        value = value.replace("\x00", "").strip()
        return value or None
    return value


def _is_empty(cells: list[Any] | tuple[Any, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _table(lines: Iterator[list[Any] | tuple[Any, ...]], known: Known) -> RawTable:
    """Rows of cells → header and data rows (empty rows skipped, row numbers kept)."""
    layout = find_layout(lines, known)
    rows = [
        (number, {h: _clean(c) for h, c in zip(layout.labels, cells, strict=False) if h})
        for number, cells in layout.rows
    ]
    return RawTable(layout.labels, rows, header_row=layout.header_row, notes=layout.notes)


def _read_csv(text: str, known: Known) -> RawTable:
    first_line = next((line for line in text.split("\n") if line.strip(",\t\r ")), "")
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    return _table(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), known)


def _read_xlsx(filename: str, data: bytes, known: Known) -> RawTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InvalidInputError(
            f"{filename}：无法读取 Excel 文件（{type(exc).__name__}）",
            f"{filename}: not a readable .xlsx workbook ({type(exc).__name__})",
        ) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store wrong dimensions
        return _table(sheet.iter_rows(values_only=True), known)
    finally:
        workbook.close()


def _read_jsonl(filename: str, text: str) -> RawTable:
    headers: dict[str, None] = {}
    rows: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            errors.append(
                RowError(filename, number, "-", f"不是有效的 JSON / invalid JSON: {exc.msg}")
            )
            continue
        if not isinstance(obj, dict):
            errors.append(RowError(filename, number, "-", "应为 JSON 对象 / not a JSON object"))
            continue
        row = {str(k): _clean(v) for k, v in obj.items()}
        if _is_empty(list(row.values())):
            continue
        headers.update(dict.fromkeys(row))
        rows.append((number, row))
    return RawTable(list(headers), rows, errors)
