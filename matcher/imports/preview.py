"""What an import would make of a file, before it runs: the table found (by the import's
own layout detection, ``service.find_table``), the field each column feeds with and
without the mapping, the first rows, and what would stop the import at its header.

The staff import page shows this as an editable table (column → field or ignore) and
turns the edited table back into a mapping with ``mapping_from_choices``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matcher.auth.policy import staff_only
from matcher.errors import ImportRejectedError, MatcherError
from matcher.imports.columns import Kind, get_kind
from matcher.imports.headers import IGNORE, HeaderLookup, header_key
from matcher.imports.service import check_headers, find_table
from matcher.imports.validators import as_text
from matcher.models import User

PREVIEW_ROWS = 5
SAMPLE_ROWS = 50
SAMPLE_CHARS = 40


@dataclass
class PreviewColumn:
    label: str  # the header as found ("group > column" under a two-row header)
    field: str | None  # the field it feeds with the mapping: a name, "ignore", None (unknown)
    builtin: str | None  # the same without the mapping
    sample: str  # its first value


@dataclass
class ImportPreview:
    kind: str
    header_row: int
    columns: list[PreviewColumn]
    rows: list[tuple[int, dict[str, str]]]  # the first rows: (row number, label → text)
    total: int  # data rows found
    notes: list[int] = field(default_factory=list)  # notes rows at the end, left out
    problems: list[str] = field(default_factory=list)  # what stops the import at its header


def _target(lookup: HeaderLookup, label: str) -> str | None:
    found = lookup.find(label)
    return None if found is None else found.name  # IGNORE.name is "ignore"


@staff_only
def preview_file(
    *,
    actor: User,
    kind: str,
    filename: str,
    data: bytes,
    mapping: dict[str, str] | None = None,
    limit: int = PREVIEW_ROWS,
) -> ImportPreview:
    """The file as the import would read it with ``mapping``. A file that cannot be read at
    all raises as the import does; header problems are listed, not raised."""
    spec = get_kind(kind)
    table, lookup = find_table(spec, filename, data, mapping)
    builtin = HeaderLookup(spec)
    labels = [h for h in table.headers if str(h).strip()]
    columns = [
        PreviewColumn(label, _target(lookup, label), _target(builtin, label), _sample(table, label))
        for label in labels
    ]
    problems: list[str] = []
    try:
        check_headers(spec, table, filename, lookup)
    except ImportRejectedError as exc:
        problems += [str(e) for e in exc.errors]
    except MatcherError as exc:
        problems.append(exc.message)
    rows = [
        (number, {h: as_text(v) for h, v in cells.items() if v is not None})
        for number, cells in table.rows[:limit]
    ]
    return ImportPreview(
        spec.name, table.header_row, columns, rows, len(table.rows), table.notes, problems
    )


def _sample(table: Any, label: str) -> str:
    for _, cells in table.rows[:SAMPLE_ROWS]:
        value = cells.get(label)
        if value is not None and value != "":
            text = as_text(value).replace("\n", " ")
            return text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…"
    return ""


def field_choices(kind: str) -> dict[str, str]:
    """The fields a column of ``kind`` may feed, each with a label for people: its name and
    its first Chinese header ("title（需求名称）"), then "ignore"."""
    spec: Kind = get_kind(kind)
    choices = {}
    for col in (*spec.columns, *spec.form_columns):
        zh = next((a for a in col.aliases if any("\u4e00" <= ch <= "\u9fff" for ch in a)), "")
        choices[col.name] = f"{col.name}（{zh}）" if zh else col.name
    choices[IGNORE.name] = f"{IGNORE.name}（不导入）"
    return choices


def mapping_from_choices(
    kind: str, choices: dict[str, str | None], base: dict[str, str] | None = None
) -> dict[str, str]:
    """The mapping that sends each column of ``choices`` (label → field, "ignore" or None)
    where chosen: ``base``'s pairs for columns of other files are kept, and a column is
    named only where the choice differs from what the built-in headers make of it."""
    builtin = HeaderLookup(get_kind(kind))
    keys = {header_key(label) for label in choices}
    mapping = {h: f for h, f in (base or {}).items() if header_key(h) not in keys}
    for label, chosen in choices.items():
        if chosen and chosen != _target(builtin, label):
            mapping[label] = chosen
    return mapping
