"""``matcher index`` and ``matcher match`` through the CLI, on both databases."""

from __future__ import annotations

import csv

from sqlalchemy import select
from typer.testing import CliRunner

from matcher.cli import app
from matcher.models import MatchResult, NeedStatus, TechNeed
from matcher.ranking.evidence import CHANNELS

from .factories import seed

runner = CliRunner()


def _rows(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_index_then_match_societies(settings, store, tmp_path):
    with store.transaction() as s:
        seed(s)
    res = runner.invoke(app, ["index"])
    assert res.exit_code == 0, res.output
    assert "3 学会" in res.output and "6 专家" in res.output and "built" in res.output
    again = runner.invoke(app, ["index"])
    assert again.exit_code == 0 and "0 文本已编码" in again.output

    out = tmp_path / "m.csv"
    res = runner.invoke(app, ["match", "--target", "societies", "--top-k", "2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = _rows(out)
    assert list(rows[0]) == [
        "need_external_id",
        "rank",
        "target_external_id",
        "score",
        "matched_keywords",
    ]
    best = {r["need_external_id"]: r["target_external_id"] for r in rows if r["rank"] == "1"}
    assert best == {"N-1": "S-MECH", "N-2": "S-CHEM", "N-3": "S-WATER"}
    assert "数控机床" in next(r for r in rows if r["need_external_id"] == "N-1")["matched_keywords"]
    with store.transaction() as s:
        assert s.scalar(select(TechNeed.status).where(TechNeed.external_id == "N-1")) == (
            NeedStatus.MATCHED
        )
        stored = s.scalars(select(MatchResult).order_by(MatchResult.need_id, MatchResult.rank))
        comps = [r.components for r in stored]
    assert len(comps) == 6
    channels = set(CHANNELS)
    assert channels | {"city", "capacity", "fused", "top_experts"} <= set(comps[0])


def test_match_experts_named_need_and_unknown_need(settings, store, tmp_path):
    with store.transaction() as s:
        seed(s)
    out = tmp_path / "e.csv"
    res = runner.invoke(
        app, ["match", "--target", "experts", "--top-k", "3", "--need", "N-3", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    rows = _rows(out)
    assert [r["rank"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["target_external_id"] == "S-WATER-E0"
    bad = runner.invoke(
        app, ["match", "--target", "experts", "--top-k", "3", "--need", "NOPE", "--out", str(out)]
    )
    assert bad.exit_code == 1
    assert "NOPE" in bad.output and "Traceback" not in bad.output
