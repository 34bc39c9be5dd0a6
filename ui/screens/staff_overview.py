"""Staff overview (概览): how many societies, experts, enterprises and needs the store holds,
and whether the matches are current (the matching index: version, age, refresh state)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st
from common import attempt, label, run, show_done
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.api.state import AppState
from matcher.matching.refresher import (
    STALENESS_BOUND_SECONDS,
    Health,
    rerank_busy,
    rerank_turn,
)
from matcher.matching.results import rerank_stale, stale_needs
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


def index_panel(health: Health | None, stale: int = 0) -> None:
    """Whether matches reflect the profiles now, and the index version they are ranked on;
    ``stale``: seeking needs whose stored matches another version ranked (any process's
    refresher re-ranks them)."""
    st.subheader("匹配索引 Matching index")
    if health is None or health.version is None:
        st.info("匹配引擎加载中 The matching engine is loading")
        return
    if health.last_error:
        st.error(
            f"上次刷新失败，匹配仍使用当前版本 The last refresh failed; matching still uses the "
            f"current version: {label(health.last_error)}"
        )
    elif stale:
        st.info(
            f"已存匹配待更新：还有 {stale} 条需求的结果来自旧版本，后台逐批重新匹配（先旧后新）"
            f" Stored matches to update: {stale} needs left ranked on an older version; the "
            f"refresher re-ranks them in batches (oldest first)"
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
        f"档案修改后约 {STALENESS_BOUND_SECONDS} 秒内反映到新的匹配（后台刷新，不打断使用）；"
        f"学会线索等已存结果随后按需求逐批重新匹配 / An edit reaches new rankings within about "
        f"{STALENESS_BOUND_SECONDS} s (refreshed in the background; matching keeps answering "
        f"meanwhile); stored matches such as societies' leads follow as their needs are "
        f"re-ranked, in batches. 版本 version: {health.name}"
    )


def page(state: AppState, user: User) -> None:
    for col, (name, value) in zip(st.columns(5), run(state, _counts).items(), strict=True):
        col.metric(name, value)
    state.runtime  # noqa: B018 - loaded at the server's start (``ui/serve.py``), else now
    health = state.index_status
    version = health.version if health is not None else None
    stale = run(state, lambda s: stale_needs(session=s, version=version)) if version else 0
    index_panel(health, stale)
    show_done()
    index_dir = state.settings.index_dir
    if stale and not health.refreshing and not rerank_busy(state.store, index_dir):
        # no process re-ranks them (e.g. a re-rank cut short by a restart): staff may
        rerank = lambda s: rerank_stale(session=s, runtime=state.runtime, actor=user)  # noqa: E731
        if st.button("立即重新匹配这些需求 Re-rank them now", key="rerank_stale"):
            with st.spinner("重新匹配中 re-ranking …"), rerank_turn(state.store, index_dir) as mine:
                if mine:  # (a success redraws the page)
                    attempt(state, rerank, f"已重新匹配 {stale} 条需求 / {stale} needs re-ranked")
                else:
                    st.info("后台刚开始重新匹配 The refresher has just started re-ranking them")
