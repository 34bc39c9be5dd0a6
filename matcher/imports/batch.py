"""One file's parsed rows on their way to the store, with what the checks resolved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table

from matcher.errors import RowError
from matcher.imports.columns import Kind
from matcher.imports.parsing import ParsedRow


@dataclass
class Owners:
    """Records of another table written before the rows, each row linked to one of them
    (a one-sheet need file's enterprises)."""

    table: Table
    records: list[dict[str, Any]]  # each with external_id and every one of ``attrs``
    attrs: list[str]
    of: dict[str, str]  # row external_id → owner external_id
    link: str  # the rows' attribute holding the owner's id


@dataclass
class Batch:
    """Parsed rows of one file plus what the kind-specific checks resolved."""

    kind: Kind
    filename: str
    rows: list[ParsedRow]
    present: set[str]  # column names the file has
    errors: list[RowError]
    one_sheet: bool = False  # the rows name their owner too (see ``HeaderMap``)
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)  # ext → extra attrs
    links: dict[str, set[int]] | None = None  # experts: ext → society ids
    owners: Owners | None = None
    warnings: list[str] = field(default_factory=list)

    def error(self, row: ParsedRow, column: str, reason: str) -> None:
        self.errors.append(RowError(self.filename, row.number, column, reason))
