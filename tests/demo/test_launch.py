"""``matcher demo`` as ``make run`` starts it: the first time it loads, builds and matches
everything; on an unchanged store it loads the saved indexes and matches nothing; after an
edit it matches only the needs that changed."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from typer.testing import CliRunner

from matcher.cli import app
from matcher.models import Assignment, MatchResult, NeedStatus, TargetKind, TechNeed

runner = CliRunner()
SCALE = "0.04"  # 5 societies, 144 experts, 48 enterprises, 96 needs


def demo() -> tuple[str, tuple[int, int, int]]:
    """The command's output and (seeking, matched to societies, matched to experts)."""
    res = runner.invoke(app, ["demo", "--scale", SCALE])
    assert res.exit_code == 0, res.output
    got = re.search(
        r"of (\d+) seeking needs (\d+) matched to societies, (\d+) to experts", res.output
    )
    assert got, res.output
    return res.output, tuple(map(int, got.groups()))


def test_restart_matches_only_what_changed(settings, store) -> None:
    first, (seeking, societies, experts) = demo()
    assert "loading the demo data" in first and "index built" in first
    assert seeking == societies == experts >= 80  # those the demo's services left seeking
    assert "completed services loaded" in first and first.count("index refreshed") == 1
    with store.transaction() as s:  # posted over a year, served needs before their service
        posted = s.scalars(select(TechNeed.created_at).where(TechNeed.external_id.like("N%")))
        days = {p.date() for p in posted}
        assert (max(days) - min(days)).days > 300 and len(days) > 60
        served = s.execute(select(TechNeed.created_at, Assignment.started_at).join(Assignment))
        assert all(need < started for need, started in served)

    again, counts = demo()
    assert "demo data not loaded" in again and "index loaded" in again
    assert counts == (seeking, 0, 0)
    with store.transaction() as s:  # services served well: in the index the restart loaded
        served_well = s.scalar(select(func.count()).where(Assignment.rating >= 4))
        resolved = s.scalar(select(func.count()).where(TechNeed.status == NeedStatus.RESOLVED))
    assert served_well and resolved

    with store.transaction() as s:
        edited = s.scalars(
            select(TechNeed).where(TechNeed.status == NeedStatus.MATCHED).order_by(TechNeed.id)
        ).first()
        edited.description += " 另外，焊缝气孔较多。"
        edited_id = edited.id
        unmatched = s.scalars(
            select(TechNeed)
            .where(TechNeed.status == NeedStatus.MATCHED, TechNeed.id != edited_id)
            .order_by(TechNeed.id.desc())
        ).first()
        s.query(MatchResult).filter(
            MatchResult.need_id == unmatched.id, MatchResult.target_kind == TargetKind.EXPERT
        ).delete()
    _, counts = demo()
    # the edited need for both targets; the one without expert results for experts only
    assert counts[1:] == (1, 2)
    with store.transaction() as s:
        rows = s.scalar(
            select(func.count()).where(
                MatchResult.need_id == unmatched.id, MatchResult.target_kind == TargetKind.EXPERT
            )
        )
    assert rows > 0
    assert demo()[1][1:] == (0, 0)
