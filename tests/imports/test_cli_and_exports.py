"""``matcher import`` / ``matcher export`` as a user runs them, and export round trips."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from matcher.exports.service import build_table, export_bytes, export_table
from matcher.models import (
    Assignment,
    AssignmentStatus,
    Enterprise,
    Expert,
    MatchResult,
    Society,
    TargetKind,
    TechNeed,
)

KINDS = ("societies", "experts", "enterprises", "needs")


def _load_samples(cli, make_file, samples) -> None:
    for kind in KINDS:
        result = cli("import", kind, make_file(f"{kind}.csv", samples[kind], "gbk"))
        assert result.exit_code == 0, result.output
        assert f"新增 {len(samples[kind]) - 1}" in result.stdout


def test_cli_import_reports_counts_and_warnings(cli, make_file, samples) -> None:
    rows = samples["societies"]
    rows[0].append("备注")
    for row in rows[1:]:
        row.append("内部备注")
    path = make_file("学会.xlsx", rows)
    first = cli("import", "societies", path)
    assert first.exit_code == 0, first.output
    assert "已导入 学会.xlsx：共 3 行，新增 3，更新 0，未变 0" in first.stdout
    assert "备注" in first.stderr
    again = cli("import", "societies", path)
    assert "0 created, 0 updated, 3 unchanged" in again.stdout


def test_cli_rejects_a_bad_file_with_one_line_per_error(cli, make_file, samples, store) -> None:
    rows = samples["enterprises"]
    rows[2][2] = "91110000802100433C"
    rows.append(["C003", "", None, None, None, None, None, "也许"])
    result = cli("import", "enterprises", make_file("企业.csv", rows))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[:3] == [
        "企业.csv:3:credit_code: 统一社会信用代码校验位错误 / credit code check character is wrong",
        "企业.csv:4:name: 必填项为空 / required value is empty",
        "企业.csv:4:is_chain_leader: 应为 是/否 / must be yes/no (是/否, true/false, 1/0, Y/N)",
    ]
    assert "未写入任何数据" in lines[3]
    assert "Traceback" not in result.output
    with store.transaction() as s:
        assert s.scalars(select(Enterprise)).all() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "users", "x.csv"), "unknown kind"),
        (("import", "societies", "missing.csv"), "cannot read the file"),
        (("import", "societies", "x.xls"), "unsupported file type"),
        (("export", "users", "--out", "x.csv"), "unknown export kind"),
        (("export", "societies", "--out", "x.pdf"), "unsupported export format"),
    ],
)
def test_cli_usage_errors_are_clean(cli, tmp_path, args, message) -> None:
    (tmp_path / "x.xls").write_bytes(b"\xd0\xcf")
    args = tuple(str(tmp_path / a) if a.startswith("x.") or a == "missing.csv" else a for a in args)
    result = cli(*args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_cli_export_csv_with_bom_and_xlsx(cli, make_file, samples, tmp_path) -> None:
    _load_samples(cli, make_file, samples)
    out = tmp_path / "out" / "experts.csv"
    result = cli("export", "experts", "--out", out)
    assert result.exit_code == 0, result.output
    assert "已导出 2 行" in result.stdout
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["external_id", "name", "society_external_id"]
    assert rows[1][:3] == ["E001", "张三", "S001；S002"]
    assert rows[1][6] == "焊接；材料"
    xlsx = tmp_path / "needs.xlsx"
    assert cli("export", "needs", "--out", xlsx).exit_code == 0
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("external_id", "enterprise_external_id", "title")
    assert values[1][:3] == ("N001", "C001", "高强钢焊接工艺优化")
    assert values[2][1] is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_export_then_import_into_an_empty_store_reproduces_the_rows(
    cli, make_file, samples, store, tmp_path, fmt
) -> None:
    _load_samples(cli, make_file, samples)
    with store.transaction() as s:
        s.execute(delete(Society).where(Society.external_id == "S003"))
        s.add(Society(external_id="S=1", name="=1+1 不是公式", description="a\nb", city="北京市"))
        before = {kind: build_table(session=s, kind=kind) for kind in KINDS}
        files = {kind: tmp_path / f"{kind}.{fmt}" for kind in KINDS}
        for kind, path in files.items():
            assert export_table(session=s, kind=kind, path=path) == len(before[kind][1])
    # exporting then re-importing changes nothing
    for kind, path in files.items():
        result = cli("import", kind, path)
        assert result.exit_code == 0, result.output
        assert "0 created, 0 updated" in result.stdout
    with store.transaction() as s:
        for model in (TechNeed, Enterprise, Expert, Society):
            s.execute(delete(model))
    for kind in KINDS:
        assert cli("import", kind, files[kind]).exit_code == 0
    with store.transaction() as s:
        after = {kind: build_table(session=s, kind=kind) for kind in KINDS}
    assert after == before


def test_matches_and_assignments_exports(cli, make_file, samples, store) -> None:
    _load_samples(cli, make_file, samples)
    with store.transaction() as s:
        need = s.scalars(select(TechNeed).where(TechNeed.external_id == "N001")).one()
        soc = s.scalars(select(Society).where(Society.external_id == "S001")).one()
        exp = s.scalars(select(Expert).where(Expert.external_id == "E001")).one()
        s.add_all(
            [
                MatchResult(
                    need_id=need.id,
                    target_kind=TargetKind.SOCIETY,
                    target_id=soc.id,
                    rank=1,
                    score=0.8125,
                    matched_keywords=["焊接"],
                ),
                MatchResult(
                    need_id=need.id,
                    target_kind=TargetKind.EXPERT,
                    target_id=exp.id,
                    rank=1,
                    score=0.5,
                    matched_keywords=["焊接", "材料"],
                ),
                Assignment(
                    society_id=soc.id,
                    enterprise_id=need.enterprise_id,
                    need_id=need.id,
                    status=AssignmentStatus.CONFIRMED,
                    score=0.75,
                    rating=5,
                ),
            ]
        )
    with store.transaction() as s:
        matches = export_bytes(session=s, kind="matches", fmt="csv").decode("utf-8-sig")
        assignments = export_bytes(session=s, kind="assignments", fmt="jsonl").decode()
    assert matches.splitlines() == [
        "need_external_id,target_kind,rank,target_external_id,target_name,score,matched_keywords",
        "N001,expert,1,E001,张三,0.5,焊接；材料",
        "N001,society,1,S001,河南省机械工程学会,0.8125,焊接",
    ]
    assert assignments == (
        '{"society_external_id": "S001", "society_name": "河南省机械工程学会", '
        '"enterprise_external_id": "C001", "enterprise_name": "郑州精工有限公司", '
        '"need_external_id": "N001", "status": "confirmed", "score": 0.75, "rating": 5}\n'
    )
