"""年度数据 Programme: the programme's figures for a round (societies engaged and enterprises
paired against the goals, activities by type and month, volunteer hours, needs solved,
platforms; by city and by priority industry) and the yearly report's files.

The same service calls as ``matcher report yearly`` and ``/api/v1/reports``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from common import downloads, run, show_error

from matcher.api.state import AppState
from matcher.errors import MatcherError
from matcher.models import User
from matcher.report import output, service, tables
from matcher.report.figures import Figures

FORMATS = ("xlsx", "docx")


def page(state: AppState, user: User) -> None:
    names = run(state, lambda s: service.round_names(session=s, actor=user))
    if not names:
        st.info("暂无项目轮次 / no programme round yet")
        return
    chosen = st.selectbox("轮次 round", names, key="programme_round")
    try:
        report = run(
            state,
            lambda s: service.programme_report(session=s, actor=user, round_name=chosen),
        )
    except MatcherError as exc:
        show_error(exc)
        return
    _metrics(report.figures)
    _charts(report.figures)
    for title, headers, rows in tables.report_tables(report.figures)[1:]:
        st.subheader(title)
        table = pd.DataFrame(rows, columns=headers)
        st.dataframe(table, hide_index=True)
        downloads(table, f"{chosen}-{title}", key=f"programme_{title}")
    _report_files(state, user, chosen)


def _metrics(f: Figures) -> None:
    t = f.totals
    a, b, c, d = st.columns(4)
    a.metric("参与学会 societies", t.societies_engaged, f"目标 goal {f.goal_societies}",
             delta_color="off")  # fmt: skip
    b.metric("结对企业 enterprises", t.enterprises_paired, f"目标 goal {f.goal_enterprises}",
             delta_color="off")  # fmt: skip
    c.metric("链主企业 chain leaders", t.chain_leaders_paired)
    d.metric("服务活动 activities", t.activities)
    e, g, h, i = st.columns(4)
    e.metric("志愿服务时长 hours", f"{t.volunteer_hours:g}")
    g.metric("解决需求 needs solved", t.needs_solved)
    h.metric("专家工作站 workstations", t.workstations)
    i.metric("平台建设 platforms", t.platforms)


def _bar(data: pd.DataFrame, x: str, y: str, title: str, horizontal: bool = False) -> None:
    enc = (
        {"y": alt.Y(f"{x}:N", sort=None), "x": alt.X(f"{y}:Q")}
        if horizontal
        else {"x": alt.X(f"{x}:N", sort=None), "y": alt.Y(f"{y}:Q")}
    )
    chart = alt.Chart(data, title=title).mark_bar().encode(**enc, tooltip=[x, y])
    st.altair_chart(chart, use_container_width=True)


def _charts(f: Figures) -> None:
    left, right = st.columns(2)
    with left:
        months = pd.DataFrame({"月份": [f"{m}月" for m in f.by_month],
                               "活动": list(f.by_month.values())})  # fmt: skip
        _bar(months, "月份", "活动", "服务活动（按月） by month")
    with right:
        kinds = pd.DataFrame({"类型": list(f.by_type), "活动": list(f.by_type.values())})
        _bar(kinds, "类型", "活动", "服务活动（按类型） by type", horizontal=True)
    cities = pd.DataFrame(
        {"城市": list(f.by_city), "结对企业": [t.enterprises_paired for t in f.by_city.values()]}
    )
    _bar(cities, "城市", "结对企业", "结对企业（按城市） enterprises by city", horizontal=True)


def _report_files(state: AppState, user: User, round_name: str) -> None:
    st.subheader("年度报告 Yearly report")
    if not st.button("生成年度报告 Build the report", key="programme_build"):
        return
    try:
        files = run(state, lambda s: [
            output.report_file(session=s, actor=user, round_name=round_name, fmt=fmt)
            for fmt in FORMATS
        ])  # fmt: skip
    except MatcherError as exc:
        show_error(exc)
        return
    for column, fmt, (name, data) in zip(st.columns(2), FORMATS, files, strict=True):
        column.download_button(
            f"下载 {fmt}", data, file_name=name, mime=output.MEDIA[fmt], key=f"programme_{fmt}"
        )
