"""Reading files: formats, encodings, row numbers as users see them, header aliases."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from matcher.errors import InvalidInputError
from matcher.imports.columns import KINDS
from matcher.imports.headers import header_key, resolve_headers
from matcher.imports.parsing import parse_rows
from matcher.imports.readers import decode_text, read_table

ROWS = [
    ["编号", "学会名称", "联系电话", "学科领域"],
    ["S001", "河南省机械工程学会", 13800138000, "机械；材料"],
    [None, None, None, None],
    ["S002", "河南省化学会", "0371-66668888", "化学"],
]


def _parsed(path: Path, kind: str = "societies"):
    table = read_table(path.name, path.read_bytes())
    headers = resolve_headers(KINDS[kind], table.headers, path.name)
    return parse_rows(table.rows, headers, path.name)


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("s.csv", "utf-8"),
        ("s.csv", "utf-8-sig"),
        ("s.csv", "gbk"),
        ("s.csv", "gb18030"),
        ("s.csv", "utf-16"),
        ("s.xlsx", "utf-8"),
        ("s.jsonl", "utf-8"),
        ("s.jsonl", "utf-8-sig"),
    ],
)
def test_every_format_and_encoding_reads_the_same_rows(make_file, name, encoding) -> None:
    rows, errors = _parsed(make_file(name, ROWS, encoding))
    assert errors == []
    assert [r.values for r in rows] == [
        {
            "external_id": "S001",
            "name": "河南省机械工程学会",
            "contact_phone": "13800138000",
            "disciplines": ["机械", "材料"],
        },
        {
            "external_id": "S002",
            "name": "河南省化学会",
            "contact_phone": "0371-66668888",
            "disciplines": ["化学"],
        },
    ]
    # the empty row is skipped but still counted: S002 is on row 4 of the sheet
    expected = [1, 3] if name.endswith(".jsonl") else [2, 4]  # jsonl: line numbers
    assert [r.number for r in rows] == expected


def test_gbk_is_not_mistaken_for_utf8() -> None:
    data = "编号,名称\nS1,河南省科协\n".encode("gbk")
    assert decode_text("x.csv", data) == "编号,名称\nS1,河南省科协\n"
    assert decode_text("x.csv", codecs.BOM_UTF8 + "名称".encode()) == "名称"


def test_xlsx_float_ids_and_phones_become_plain_strings(make_file) -> None:
    rows, errors = _parsed(
        make_file("f.xlsx", [["编号", "名称", "电话"], [1001.0, "学会", 13800138000.0]])
    )
    assert errors == []
    assert rows[0].values["external_id"] == "1001"
    assert rows[0].values["contact_phone"] == "13800138000"


def test_cells_are_stripped_and_quoted_commas_kept(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('编号,名称,简介\n  S1 ,"  学会\x00 ","一,二"\n', encoding="utf-8")
    rows, errors = _parsed(path)
    assert errors == []
    assert rows[0].values == {"external_id": "S1", "name": "学会", "description": "一,二"}


@pytest.mark.parametrize(
    "header",
    [
        "名称",
        "学会名称",
        " 名 称 ",
        "名称（必填）",
        "名称(必填)",
        "*名称",
        "NAME",
        "Ｎａｍｅ",
        "name ",
    ],
)
def test_header_variants_match_the_column(header: str) -> None:
    headers = resolve_headers(KINDS["societies"], ["ID", header], "f.csv")
    assert [c.name for c in headers.columns.values()] == ["external_id", "name"]


def test_same_alias_means_different_columns_per_kind() -> None:
    assert header_key("简介") == "简介"
    soc = resolve_headers(KINDS["societies"], ["编号", "名称", "简介"], "f.csv")
    exp = resolve_headers(KINDS["experts"], ["编号", "姓名", "简介", "职称"], "f.csv")
    need = resolve_headers(KINDS["needs"], ["编号", "标题", "描述"], "f.csv")
    assert soc.columns["简介"].name == "description"
    assert exp.columns["简介"].name == "profile"
    assert exp.columns["职称"].name == "title"
    assert need.columns["标题"].name == "title"


def test_unknown_columns_are_reported_not_rejected() -> None:
    headers = resolve_headers(KINDS["societies"], ["编号", "名称", "备注", "负责人"], "f.csv")
    assert headers.unknown == ["备注", "负责人"]


def test_missing_required_column_names_the_file() -> None:
    with pytest.raises(InvalidInputError) as info:
        resolve_headers(KINDS["needs"], ["编号", "需求描述"], "需求.csv")
    assert "需求.csv" in info.value.message
    assert "title" in info.value.message


def test_a_column_given_twice_is_rejected() -> None:
    with pytest.raises(InvalidInputError, match="both mean name"):
        resolve_headers(KINDS["experts"], ["编号", "姓名", "专家姓名"], "e.csv")


@pytest.mark.parametrize("name", ["s.xls", "s.txt", "s"])
def test_unsupported_extensions(name: str) -> None:
    with pytest.raises(InvalidInputError, match="unsupported file type"):
        read_table(name, b"a,b\n")


def test_damaged_xlsx_is_a_clean_error() -> None:
    with pytest.raises(InvalidInputError, match=r"bad\.xlsx"):
        read_table("bad.xlsx", b"not a zip file")


def test_jsonl_bad_lines_are_row_errors(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"编号": "S1", "名称": "甲"}\n\n[1, 2]\n{"编号": \n', encoding="utf-8")
    table = read_table(path.name, path.read_bytes())
    assert [r[0] for r in table.rows] == [1]
    assert [(e.row, e.field) for e in table.errors] == [(3, "-"), (4, "-")]


def test_jsonl_accepts_json_lists_and_numbers(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"external_id": 7, "name": "甲", "disciplines": ["化学", "化工"], "capacity": 3}\n',
        encoding="utf-8",
    )
    rows, errors = _parsed(path)
    assert errors == []
    assert rows[0].values == {
        "external_id": "7",
        "name": "甲",
        "disciplines": ["化学", "化工"],
        "capacity": 3,
    }


def test_tab_separated_text_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes("编号\t名称\nS1\t甲学会\n".encode("utf-16"))
    rows, errors = _parsed(path)
    assert errors == []
    assert rows[0].values == {"external_id": "S1", "name": "甲学会"}


def test_every_bad_cell_is_reported_with_its_row_and_column(make_file) -> None:
    rows = [
        ["编号", "名称", "联系电话", "电子邮箱", "服务容量"],
        ["S1", "甲", "123", "bad", "-1"],
        ["S1", "", "13800138000", "a@b.cn", "3"],
        ["S3", "丙" * 201, None, None, None],
    ]
    _, errors = _parsed(make_file("bad.csv", rows))
    assert [(e.file, e.row, e.field) for e in errors] == [
        ("bad.csv", 2, "contact_phone"),
        ("bad.csv", 2, "email"),
        ("bad.csv", 2, "capacity"),
        ("bad.csv", 3, "name"),
        ("bad.csv", 3, "external_id"),
        ("bad.csv", 4, "name"),
    ]
    assert "与第 2 行重复" in errors[4].reason
    assert "超过 200 字" in errors[5].reason
