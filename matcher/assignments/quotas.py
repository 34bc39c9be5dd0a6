"""Quota files: ``dimension,group,max`` rows (e.g. ``city,郑州市,30``), read like every
import — CSV in any encoding, .xlsx or .jsonl, Chinese headers, all-or-nothing with
``file:row:field: reason`` errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matcher.errors import ImportRejectedError, InvalidInputError, RowError
from matcher.imports import validators as v
from matcher.imports.columns import Column, Kind
from matcher.imports.parsing import parse_rows
from matcher.imports.service import read_sheet
from matcher.models import AssignmentRun

DIMENSIONS = {
    "city": "city",
    "城市": "city",
    "地市": "city",
    "所在城市": "city",
    "industry": "industry",
    "行业": "industry",
    "所属行业": "industry",
}
"""Quota dimensions and their Chinese names."""


def parse_dimension(value: Any) -> str:
    text = v.as_text(value)
    found = DIMENSIONS.get(text.lower()) or DIMENSIONS.get(text)
    if found is None:
        raise v.CellInvalid(
            "应为 city（城市）或 industry（行业）", "must be city (城市) or industry (行业)"
        )
    return found


QUOTAS = Kind(
    "quotas",
    "限额",
    AssignmentRun,  # nothing is stored: the parameters of the run hold the quotas
    (
        Column("dimension", ("维度", "分组维度", "类别", "限额维度"), parse_dimension, True),
        Column("group", ("分组", "组", "名称", "城市或行业"), v.as_text, True, max_length=100),
        Column("max", ("上限", "限额", "最多", "最大", "最大数", "数量上限"), v.parse_count, True),
    ),
)


def read_quota_file(
    filename: str, data: bytes | None = None, path: Path | None = None
) -> dict[str, dict[str, int]]:
    """``{dimension: {group: max}}``; a city is named as stored (郑州 → 郑州市). Every bad
    row is reported at once (``ImportRejectedError``); nothing is used from a bad file."""
    if data is None:
        try:
            data = Path(path or filename).read_bytes()
        except OSError as exc:
            raise InvalidInputError(
                f"{filename}：无法读取限额文件（{exc.strerror}）",
                f"{filename}: cannot read the quota file ({exc.strerror})",
            ) from None
    table, headers = read_sheet(QUOTAS, filename, data, None)
    parsed, errors = parse_rows(table.rows, headers, filename)
    errors[:0] = table.errors
    quotas: dict[str, dict[str, int]] = {}
    first: dict[tuple[str, str], int] = {}
    for row in parsed:
        dimension, group = row.values.get("dimension"), row.values.get("group")
        if dimension is None or group is None or row.values.get("max") is None:
            continue  # its cell error is listed already
        if dimension == "city":
            group = v.parse_city(group)
        key = (dimension, group)
        if key in first:
            errors.append(
                RowError(
                    filename,
                    row.number,
                    "group",
                    f"与第 {first[key]} 行重复 / repeats row {first[key]}",
                )
            )
            continue
        first[key] = row.number
        quotas.setdefault(dimension, {})[group] = row.values["max"]
    if errors:
        raise ImportRejectedError(sorted(errors, key=lambda e: e.row))
    if not quotas:
        raise InvalidInputError(
            f"{filename}：限额文件没有数据行", f"{filename}: the quota file has no rows"
        )
    return quotas
