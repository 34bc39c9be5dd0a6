"""Finding the table in a sheet as staff receive it: the header row under title rows, a
two-row header whose top row groups columns (技术需求概述 over 主要问题 / 技术关键 / 预期目标),
a merged header cell over several data columns (关键字 over five columns), unlabelled empty
columns, and notes rows at the end ("注：…", "填表说明", "合计").

Merged cells read as a value in their first cell and blanks in the others (openpyxl, and
the CSV that Excel or WPS saves), so everything here works on cell values alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

GROUP_SEP = " > "
"""Joins a two-row header's group and column: "技术需求概述 > 主要问题"."""
SCAN_ROWS = 30
"""How many non-empty rows at the top may hold the header."""

_NOTE = re.compile(
    r"^(?:(?:注|注释|附注|备注|说明|填表说明|填报说明|填表人|填报人|制表人|制表|审核人)\s*[:：\d]"
    r"|(?:填表说明|填报说明|说明)$|(?:合计|总计|小计)$)"
)


@dataclass
class Layout:
    """Where the table is: one label per column ("" for an unused column), the number of the
    (last) header row, the data rows ``(row number, cells)`` and the notes rows left out."""

    labels: list[str]
    header_row: int
    rows: list[tuple[int, Sequence[Any]]]
    notes: list[int] = field(default_factory=list)


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _filled(cells: Sequence[Any]) -> int:
    return sum(1 for c in cells if _text(c))


def _has_text(cells: Sequence[Any]) -> bool:
    return any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as a spreadsheet names its columns)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def combine_header_rows(top: Sequence[Any], bottom: Sequence[Any]) -> list[str]:
    """The labels of a two-row header. A column blank below keeps its top label (a cell merged
    down); a column with a label below is named "group > label" when it sits under a group
    cell (the top label of the first column of its run), else by its label below."""
    width = max(len(top), len(bottom))
    upper = [_text(c) for c in top] + [""] * (width - len(top))
    lower = [_text(c) for c in bottom] + [""] * (width - len(bottom))
    labels = []
    for col in range(width):
        if not lower[col]:
            labels.append(upper[col])
            continue
        start = col
        while start > 0 and not upper[start] and lower[start - 1]:
            start -= 1
        group = upper[start]
        labels.append(f"{group}{GROUP_SEP}{lower[col]}" if group else lower[col])
    return labels


def _choose_header(
    head: list[tuple[int, Sequence[Any]]], known: Callable[[str], bool]
) -> tuple[int, int, list[str]]:
    """(index in ``head``, height 1 or 2, labels) of the header that names the most known
    columns; a two-row header must name more than either of its rows alone. With nothing
    known, the first row with two or more cells (a title row has one)."""

    def score(labels: list[str]) -> int:
        return sum(1 for label in labels if label and known(label))

    singles = [[_text(c) for c in cells] for _, cells in head]
    scores = [score(labels) for labels in singles]
    best = (0, 0, 1, singles[0])  # (score, index, height, labels)
    for i, labels in enumerate(singles):
        if scores[i] > best[0]:
            best = (scores[i], i, 1, labels)
        if i + 1 < len(head) and head[i + 1][0] == head[i][0] + 1:
            pair = combine_header_rows(head[i][1], head[i + 1][1])
            pair_score = score(pair)
            if pair_score > max(scores[i], scores[i + 1], best[0]):
                best = (pair_score, i, 2, pair)
    if best[0] == 0:
        i = next((k for k, (_, cells) in enumerate(head) if _filled(cells) >= 2), 0)
        return i, 1, singles[i]
    return best[1], best[2], best[3]


def _trailing_notes(rows: list[tuple[int, Sequence[Any]]]) -> int:
    """Where the notes at the end start: the first row that reads like a note ("注：…") in the
    block of sparse rows (two cells or fewer) that ends the sheet; ``len(rows)`` if none."""
    cut = len(rows)
    k = len(rows)
    while k > 0 and _filled(rows[k - 1][1]) <= 2:
        k -= 1
        first = next((_text(c) for c in rows[k][1] if _text(c)), "")
        if _NOTE.match(first):
            cut = k
    return cut


def _label_data_columns(labels: list[str], rows: list[tuple[int, Sequence[Any]]]) -> list[str]:
    """Name the unlabelled columns that hold data: the label on their left (a header cell
    merged across them), or "第F列" (column F) for one with nothing on its left; repeated
    labels get "(2)", "(3)" … so that every column keeps its own name."""
    width = max([len(labels), *(len(cells) for _, cells in rows)])
    labels = labels + [""] * (width - len(labels))
    used = [
        any(col < len(cells) and _text(cells[col]) for _, cells in rows) for col in range(width)
    ]
    for col in range(width):
        if not labels[col] and used[col]:
            labels[col] = labels[col - 1] if col and labels[col - 1] else ""
            labels[col] = labels[col] or f"第{column_letter(col)}列"
    seen: dict[str, int] = {}
    for col, label in enumerate(labels):
        if label:
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:
                labels[col] = f"{label}({seen[label]})"
    return labels


def find_layout(lines: Iterable[Sequence[Any]], known: Callable[[str], bool]) -> Layout:
    """Locate header and data in ``lines`` (rows of cells, numbered from 1 as the sheet
    shows them); ``known(label)`` says whether a header label names a column."""
    numbered = [(n, cells) for n, cells in enumerate(lines, start=1) if _has_text(cells)]
    if not numbered:
        return Layout([], 0, [])
    index, height, labels = _choose_header(numbered[:SCAN_ROWS], known)
    header_row = numbered[index + height - 1][0]
    rows = numbered[index + height :]
    cut = _trailing_notes(rows)
    notes = [n for n, _ in rows[cut:]]
    rows = rows[:cut]
    return Layout(_label_data_columns(labels, rows), header_row, rows, notes)
