"""A one-page summary of all proposals for the staff meeting (.xlsx or CSV with BOM, text
that looks like a formula quoted: ``matcher.exports.formats``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.auth import policy
from matcher.config import Settings
from matcher.exports.formats import check_format, render
from matcher.models import User, Workstation, WorkstationProposal
from matcher.proposals import files
from matcher.proposals.rendering import STATUS_LABELS, china_date, content_of

HEADERS = [
    "编号",
    "企业",
    "统一社会信用代码",
    "所在地",
    "链主企业",
    "学会",
    "状态",
    "来源",
    "已完成服务",
    "平均评分",
    "拟进站专家",
    "合作方向",
    "生成日期",
    "审核意见",
    "工作站编号",
]
TITLE = "建站建议汇总"


def summary_table(session: Session, settings: Settings) -> list[list[Any]]:
    """One row per proposal, oldest first."""
    stations = dict(session.execute(select(Workstation.proposal_id, Workstation.id)).all())
    rows = []
    for p in session.scalars(select(WorkstationProposal).order_by(WorkstationProposal.id)):
        content = content_of(session, settings, p)
        ratings = [s.rating for s in content.services if s.rating is not None]
        rows.append(
            [
                files.number(p.id),
                content.enterprise.name,
                content.enterprise.credit_code,
                content.enterprise.city,
                content.enterprise.is_chain_leader,
                content.society.name,
                STATUS_LABELS[p.status],
                "手工发起" if p.by_hand else "规则推荐",
                len(content.services),
                round(sum(ratings) / len(ratings), 1) if ratings else None,
                [e.name for e in content.experts],
                content.topics[:3],
                china_date(p.created_at),
                p.status_note,
                stations.get(p.id),
            ]
        )
    return rows


@policy.staff_only
def summary_bytes(*, session: Session, settings: Settings, actor: User, fmt: str) -> bytes:
    return render(HEADERS, summary_table(session, settings), check_format(fmt), TITLE)


@policy.staff_only
def write_summary(*, session: Session, settings: Settings, actor: User, path: Path) -> int:
    """Write the summary to ``path`` (.xlsx or .csv) atomically; the number of proposals."""
    path = Path(path)
    rows = summary_table(session, settings)
    data = render(HEADERS, rows, check_format(path.suffix or "(none)"), TITLE)
    path.parent.mkdir(parents=True, exist_ok=True)
    files.atomic_write(path, data)
    return len(rows)
