"""``matcher assign`` (dry run, commit), ``matcher assign commit`` and ``matcher import
conflicts`` on a small store, on both databases: clean messages, never a traceback."""

from __future__ import annotations

import csv

from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from matcher.cli import app
from matcher.exports.service import export_bytes
from matcher.models import (
    Assignment,
    AssignmentRun,
    AssignmentStatus,
    ConflictOfInterest,
    ConflictSource,
    RunStatus,
)

runner = CliRunner()


def matcher(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_dry_run_then_commit(store, ids, tmp_path):
    out = tmp_path / "a.xlsx"
    res = matcher("assign", "--per-need", 1, "--min-score", 20, "--dry-run", "--out", out)
    assert res.exit_code == 0, res.output
    assert "最优总分 optimal total 393.0 vs 贪心 greedy" in res.output
    assert "no_candidate_above_min_score" in res.output and "matcher assign commit 1" in res.output
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["pairs", "unassigned"]
    pairs = list(book["pairs"].iter_rows(values_only=True))
    assert pairs[0][:3] == ("need_external_id", "need_title", "enterprise_name")
    assert sorted(r[0] for r in pairs[1:]) == ["N1", "N2", "N3", "N4", "N5"]
    unassigned = list(book["unassigned"].iter_rows(values_only=True))
    assert unassigned[1][0] == "N6" and unassigned[1][4] == "no_candidate_above_min_score"
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Assignment)) == 0

    res = matcher("assign", "commit", 1)
    assert res.exit_code == 0, res.output
    assert "5 proposed assignments created" in res.output
    with store.transaction() as s:
        statuses = list(s.scalars(select(Assignment.status)))
        assert statuses == [AssignmentStatus.PROPOSED] * 5
        assert s.get(AssignmentRun, 1).status is RunStatus.COMMITTED
    again = matcher("assign", "commit", 1)
    assert again.exit_code == 1 and "run_not_dry_run" in again.output
    missing = matcher("assign", "commit", 99)
    assert missing.exit_code == 1 and "not_found" in missing.output


def test_without_dry_run_commits_and_writes_csv(store, ids, tmp_path):
    out = tmp_path / "pairs.csv"
    res = matcher("assign", "--min-score", 20, "--fair", "city", "--out", out)
    assert res.exit_code == 0, res.output
    assert "已提交 committed, 5" in res.output and "公平 fairness (city)" in res.output
    with out.open(encoding="utf-8-sig") as fh:
        assert len(list(csv.DictReader(fh))) == 5
    with (tmp_path / "pairs-unassigned.csv").open(encoding="utf-8-sig") as fh:
        assert [r["need_external_id"] for r in csv.DictReader(fh)] == ["N6"]


def test_bad_parameters_and_quota_files_change_nothing(store, ids, tmp_path):
    out = tmp_path / "a.xlsx"
    res = matcher("assign", "--per-need", 0, "--out", out)
    assert res.exit_code == 1 and "per_need" in res.output
    res = matcher("assign", "--expert-capacity", -1, "--out", out)
    assert res.exit_code == 1 and "expert_capacity" in res.output
    assert matcher("assign", "--dry-run").exit_code == 1  # --out is required
    quotas = tmp_path / "quotas.csv"
    quotas.write_text("维度,分组,上限\n城市,郑州,2\n城市,洛阳,-1\n行业,,3\n", encoding="gbk")
    res = matcher("assign", "--quota-file", quotas, "--out", out)
    assert res.exit_code == 1
    assert "quotas.csv:3:max:" in res.output and "quotas.csv:4:group:" in res.output
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(AssignmentRun)) == 0
    assert not out.exists()
    quotas.write_text("维度,分组,上限\n城市,郑州,1\n", encoding="gbk")
    res = matcher("assign", "--quota-file", quotas, "--min-score", 20, "--dry-run", "--out", out)
    assert res.exit_code == 0, res.output
    assert "quota_exhausted" in res.output


def test_import_conflicts_all_or_nothing_and_reimport(store, ids, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "expert_external_id,society_external_id,enterprise_external_id,reason\n"
        "XB1,,E3,曾任该企业顾问\n"
        ",,E1,缺少对象\n"
        "NOPE,,E1,未知专家\n"
        ",SC,E9,未知企业\n"
        "XB1,,E3,重复\n"
        "XB1,SB,E3,两个都填\n",
        encoding="utf-8",
    )
    res = matcher("import", "conflicts", bad)
    assert res.exit_code == 1
    lines = [line for line in res.output.splitlines() if line.startswith("bad.csv:")]
    assert [line.split(":")[1:3] for line in lines] == [
        ["3", "expert_external_id"],
        ["4", "expert_external_id"],
        ["5", "enterprise_external_id"],
        ["6", "expert_external_id"],
        ["7", "expert_external_id"],
    ]
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ConflictOfInterest)) == 0
    good = tmp_path / "冲突.csv"
    good.write_text(
        "专家编号,学会编号,企业编号,原因\nXB1,,E3,曾任该企业顾问\n,SC,E2,学会理事长兼任企业董事\n",
        encoding="gbk",
    )
    res = matcher("import", "conflicts", good)
    assert res.exit_code == 0, res.output
    assert "2 created" in res.output
    with store.transaction() as s:
        rows = s.scalars(select(ConflictOfInterest)).all()
        assert {r.source for r in rows} == {ConflictSource.IMPORTED}
        exported = export_bytes(session=s, kind="conflicts", fmt="csv")
    (tmp_path / "again.csv").write_bytes(exported)
    res = matcher("import", "conflicts", tmp_path / "again.csv")
    assert res.exit_code == 0 and "0 created, 0 updated, 2 unchanged" in res.output
    res = matcher("assign", "--min-score", 20, "--dry-run", "--out", tmp_path / "r.xlsx")
    assert "candidates removed by conflicts/forbids" in res.output
