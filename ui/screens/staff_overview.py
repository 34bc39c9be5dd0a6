"""Staff overview (概览): how many societies, experts, enterprises and needs the store holds,
and whether the matches are current (the matching index: version, age, refresh state)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st
from common import label, run
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.api.state import AppState
from matcher.matching.refresher import STALENESS_BOUND_SECONDS, Health
from matcher.models import Enterprise, Expert, NeedStatus, Society, TechNeed, User


def _counts(session: Session) -> dict[str, int]:
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    open_needs = session.scalar(
        select(func.count()).select_from(TechNeed).where(TechNeed.status == NeedStatus.OPEN)
    )
    return {
        "学会 societies": count(Society),
        "专家 experts": count(Expert),
        "企业 enterprises": count(Enterprise),
        "需求 needs": count(TechNeed),
        "待匹配 open needs": open_needs,
    }


def index_panel(health: Health | None) -> None:
    """Whether matches reflect the profiles now, and the index version they are ranked on."""
    st.subheader("匹配索引 Matching index")
    if health is None or health.version is None:
        st.info("匹配引擎加载中 The matching engine is loading")
        return
    if health.last_error:
        st.error(
            f"上次刷新失败，匹配仍使用当前版本 The last refresh failed; matching still uses the "
            f"current version: {label(health.last_error)}"
        )
    elif health.refreshing:
        st.info("正在刷新：新版本建好前，匹配使用当前版本 Refreshing: matching uses the current "
                "version until the next one is ready")  # fmt: skip
    elif health.refresh_pending:
        st.warning("档案已修改，等待刷新 Profiles changed; a refresh is pending")
    else:
        st.success("最新：匹配反映所有档案 Current: matches reflect every profile")
    built = datetime.now(UTC) - timedelta(seconds=health.age_seconds or 0)
    cols = st.columns(4)
    cols[0].metric("版本建立 built (UTC)", f"{built:%m-%d %H:%M}")
    cols[1].metric("已索引专家 experts indexed", health.experts or 0)
    cols[2].metric("已索引学会 societies indexed", health.societies or 0)
    took = health.build_seconds
    cols[3].metric("建成用时 build took", "—" if took is None else f"{took:.1f} s")
    st.caption(
        f"档案修改后约 {STALENESS_BOUND_SECONDS} 秒内反映到匹配结果（后台刷新，不打断使用）"
        f" / An edit reaches the matches within about {STALENESS_BOUND_SECONDS} s (refreshed in "
        f"the background; matching keeps answering meanwhile). 版本 version: {health.name}"
    )


def page(state: AppState, user: User) -> None:
    for col, (name, value) in zip(st.columns(5), run(state, _counts).items(), strict=True):
        col.metric(name, value)
    state.runtime  # noqa: B018 - loaded at the server's start (``ui/serve.py``), else now
    index_panel(state.index_status)
