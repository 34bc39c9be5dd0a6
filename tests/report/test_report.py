"""The programme's figures and yearly report, checked against figures recomputed here from
the rows of conftest (not through matcher.report), through the API, the CLI and the files."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator

import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from matcher.app import create_app
from matcher.cli import app
from matcher.cli_support import close_cli_stores
from matcher.models import AssignmentStatus, PairingStatus
from matcher.report.charts import cjk_font

from .conftest import ACTIVITIES, ENTERPRISES, NO, PAIRS, SERVICES, STATIONS

PRIORITY = ("盾构", "轴承", "尼龙", "超硬材料", "新能源客车", "智能传感器", "铝加工")


def _industry(ent: str) -> str:
    _city, industry, priority, _leader = ENTERPRISES[ent]
    return priority or next((p for p in PRIORITY if p in industry), "其他")


def expected(group=None) -> dict:
    """The 2026 figures, over every row or those whose enterprise ``group`` accepts."""
    keep = group or (lambda ent: True)
    pairs = [
        (s, e) for r, s, e, st in PAIRS
        if r == "2026" and st in (PairingStatus.ACTIVE, PairingStatus.ENDED) and keep(e)
    ]  # fmt: skip
    acts = [
        a for a in ACTIVITIES
        if (a[0] == "2026" or (a[0] is None and a[5].year == 2026)) and a[7] != NO and keep(a[2])
    ]  # fmt: skip
    solved = {
        n for n, _s, e, st, done in SERVICES
        if st == AssignmentStatus.COMPLETED and done.year == 2026 and keep(e)
    }  # fmt: skip
    return {
        "societies_engaged": len({s for s, _ in pairs} | {a[1] for a in acts}),
        "enterprises_paired": len({e for _, e in pairs}),
        "chain_leaders_paired": len({e for _, e in pairs if ENTERPRISES[e][3]}),
        "activities": len(acts),
        "volunteer_hours": sum(a[6] for a in acts),
        "needs_solved": len(solved),
        "workstations": sum(1 for _s, e, d in STATIONS if d.year == 2026 and keep(e)),
        "platforms": sum(1 for a in acts if a[4]),
        "by_type": Counter(a[3] for a in acts),
        "by_month": Counter(a[5].month for a in acts),
    }


TOTAL_KEYS = (
    "societies_engaged", "enterprises_paired", "chain_leaders_paired", "activities",
    "volunteer_hours", "needs_solved", "workstations", "platforms",
)  # fmt: skip


@pytest.fixture
def client(store, settings, year) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=store, load_runtime=False)) as c:
        yield c


def _staff(year):
    return year.world.headers("staff")


def test_figures_match_the_rows(client, year):
    r = client.get("/api/v1/reports/programme?round=2026", headers=_staff(year))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["year"] == 2026
    f = body["figures"]
    want = expected()
    assert {k: f["totals"][k] for k in TOTAL_KEYS} == {k: want[k] for k in TOTAL_KEYS}
    assert {k: v for k, v in f["by_type"].items() if v} == dict(want["by_type"])
    assert {int(k): v for k, v in f["by_month"].items() if v} == dict(want["by_month"])
    cities = {c for c, *_ in ENTERPRISES.values()}
    for city in cities:
        got = f["by_city"].get(city)
        want_city = expected(lambda e, c=city: ENTERPRISES[e][0] == c)
        if got is None:
            assert want_city["activities"] == want_city["enterprises_paired"] == 0
            continue
        assert {k: got[k] for k in TOTAL_KEYS} == {k: want_city[k] for k in TOTAL_KEYS}, city
    for industry in {_industry(e) for e in ENTERPRISES}:
        got = f["by_industry"].get(industry)
        want_ind = expected(lambda e, i=industry: _industry(e) == i)
        if got is not None:
            assert {k: got[k] for k in TOTAL_KEYS} == {k: want_ind[k] for k in TOTAL_KEYS}
    assert f["goal_societies"] == 100 and f["goal_enterprises"] == 1000


def test_workbook_reads_back(client, year):
    r = client.get("/api/v1/reports/yearly?round=2026&format=xlsx", headers=_staff(year))
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == [
        "总体情况",
        "活动类型",
        "月度活动",
        "按城市",
        "按重点产业",
        "平台建设",
    ]
    summary = {row[0]: row[1] for row in book["总体情况"].iter_rows(min_row=2, values_only=True)}
    want = expected()
    assert summary["参与学会数"] == want["societies_engaged"]
    assert summary["结对企业数"] == want["enterprises_paired"]
    assert summary["其中链主企业"] == want["chain_leaders_paired"]
    assert summary["志愿服务时长（小时）"] == pytest.approx(want["volunteer_hours"])
    months = {row[0]: row[1] for row in book["月度活动"].iter_rows(min_row=2, values_only=True)}
    assert months == {f"{m}月": want["by_month"].get(m, 0) for m in range(1, 13)}


def test_document_has_its_sections_figures_and_charts(client, year):
    r = client.get("/api/v1/reports/yearly?round=2026&format=docx", headers=_staff(year))
    assert r.status_code == 200
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    doc = Document(io.BytesIO(r.content))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、总体情况", "二、服务活动", "三、分地区情况", "四、重点产业链",
                        "五、平台建设", "六、说明"]  # fmt: skip
    want = expected()
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"共有{want['societies_engaged']}个学会" in text
    assert f"结对服务企业{want['enterprises_paired']}家" in text
    assert f"其中链主企业{want['chain_leaders_paired']}家" in text
    assert f"志愿服务时长{want['volunteer_hours']:g}小时" in text
    assert len(doc.inline_shapes) == 4  # the four charts
    for caption in ("图1", "图2", "图3", "图4"):
        assert caption in text
    assert ("未安装中文字体" in text) == (cjk_font() is None)  # English labels said so
    summary = doc.tables[0]
    assert [c.text for c in summary.rows[1].cells] == [
        "参与学会数",
        str(want["societies_engaged"]),
        "100",
    ]


def test_post_writes_both_files_under_the_data_directory(client, year, settings):
    r = client.post("/api/v1/reports/yearly?round=2026", headers=_staff(year))
    assert r.status_code == 201, r.text
    files = r.json()["files"]
    assert files == [
        "reports/百会链千企-2026-年度报告.xlsx",
        "reports/百会链千企-2026-年度报告.docx",
    ]
    for name in files:
        assert (settings.data_dir / name).read_bytes()[:2] == b"PK"
    assert not list((settings.data_dir / "reports").glob("*.tmp*"))


def test_unknown_round_is_a_clean_404(client, year):
    r = client.get("/api/v1/reports/programme?round=1999", headers=_staff(year))
    assert r.status_code == 404 and set(r.json()) == {"code", "message", "details"}


def test_cli_yearly(store, year, tmp_path):
    close_cli_stores()
    result = CliRunner().invoke(
        app, ["report", "yearly", "--round", "2026", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    want = expected()
    assert f"参与学会数: {want['societies_engaged']}（目标 goal 100）" in result.output
    assert f"解决需求（项）: {want['needs_solved']}" in result.output
    assert (tmp_path / "百会链千企-2026-年度报告.docx").exists()
    close_cli_stores()
    bad = CliRunner().invoke(app, ["report", "yearly", "--round", "1999", "--out", str(tmp_path)])
    assert bad.exit_code == 1 and "not_found" in bad.output and "Traceback" not in bad.output
