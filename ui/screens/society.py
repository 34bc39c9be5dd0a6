"""Society inbox (学会 · 线索): every lead, filtered, sorted and paged; near-duplicates
folded; leads new since the last visit marked; open one to read it and answer it."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st
from common import choose_record, downloads, run
from paging import ALL

from matcher.api.state import AppState
from matcher.imports.cities import HENAN_CITY_NAMES
from matcher.models import User
from matcher.societies import service as societies
from matcher.societies.inbox import open_inbox
from matcher.societies.schemas import LeadFilter, LeadOut, LeadSort, ResponseFilter
from matcher.societies.similar import LeadGroup, group_similar
from screens.society_lead import show_lead

PAGE_SIZE = 20
RESPONSES = {
    ALL: None,
    "未回复 unanswered": ResponseFilter.none,
    "已回复 answered": ResponseFilter.answered,
    "感兴趣 interested": ResponseFilter.interested,
    "不合适 not suitable": ResponseFilter.not_suitable,
}
SORTS = {"按匹配分 by score": LeadSort.score, "按发布时间 newest first": LeadSort.date}
NEW_STYLE = "background-color: #fff3cd"
ANSWERS = {"interested": "感兴趣 interested", "not_suitable": "不合适 not suitable"}


def page(state: AppState, user: User) -> None:
    """The lead inbox of the user's society."""
    if user.society_id is None:
        st.warning("账号未绑定学会 / this log-in is not bound to a society")
        return
    since = last_visit(state, user)
    filters = filter_bar()
    number = st.number_input("页码 page", min_value=1, value=1, step=1, key="lead_page")
    leads, total = run(
        state,
        lambda s: societies.list_leads(
            session=s,
            actor=user,
            society_id=user.society_id,
            filters=filters,
            limit=PAGE_SIZE,
            offset=(int(number) - 1) * PAGE_SIZE,
        ),
    )
    groups = group_similar(leads)
    new = sum(is_new(g.head, since) for g in groups)
    pages = max(1, -(-total // PAGE_SIZE))
    st.caption(
        f"共 {total} 条线索，第 {int(number)}/{pages} 页 / {total} leads, page {int(number)} of "
        f"{pages}"
        + (f"；本页新线索 {new} 条 / {new} new since {since:%Y-%m-%d %H:%M} UTC" if since else "")
    )
    if not groups:
        st.info("没有符合条件的线索 / no leads match these filters")
        return
    table = lead_table(groups, since)
    st.dataframe(table.style.apply(highlight_new, axis=1), hide_index=True)
    downloads(table, "leads", key="leads_download")
    by_need = {g.head.need.id: g for g in groups}
    chosen = choose_record(
        "打开线索 open a lead", by_need, lambda g: g.head.need.title, "lead_open"
    )
    show_lead(state, user, chosen)


def last_visit(state: AppState, user: User) -> datetime | None:
    """When this user last opened the inbox, as of this session's start (stored once)."""
    key = f"inbox_since_{user.id}"
    if key not in st.session_state:
        st.session_state[key] = run(state, lambda s: open_inbox(session=s, actor=user))
    return st.session_state[key]


def is_new(lead: LeadOut, since: datetime | None) -> bool:
    return since is not None and lead.need.created_at > since


def filter_bar() -> LeadFilter:
    """Filters and order, as chosen above the table."""
    left, middle, right = st.columns(3)
    response = left.selectbox("回复 answer", list(RESPONSES), key="lead_response")
    city = middle.selectbox("城市 city", [ALL, *HENAN_CITY_NAMES], key="lead_city")
    industry = right.text_input("行业 industry（精确 exact）", key="lead_industry")
    low, high = left.slider("匹配分 score (0–100)", 0, 100, (0, 100), 5, key="lead_score")
    posted = middle.date_input("发布日期 posted", value=[], key="lead_posted")
    sort = right.radio("排序 sort", list(SORTS), horizontal=True, key="lead_sort")
    dates = list(posted) if isinstance(posted, tuple | list) else [posted]
    return LeadFilter(
        city=None if city == ALL else city,
        industry=industry.strip() or None,
        min_score=low or None,
        max_score=high if high < 100 else None,
        response=RESPONSES[response],
        posted_from=dates[0] if dates else None,
        posted_to=dates[-1] if dates else None,
        sort=SORTS[sort],
    )


def highlight_new(row: pd.Series) -> list[str]:
    """New leads on a light background (the 新 column says it in words too)."""
    return [NEW_STYLE if row["新 new"] else ""] * len(row)


def lead_table(groups: list[LeadGroup], since: datetime | None) -> pd.DataFrame:
    """One row per group of near-identical leads: its best lead and how many it folds."""
    rows = []
    for number, g in enumerate(groups, 1):
        need, answer = g.head.need, g.head.response
        rows.append(
            {
                "序号 no.": number,
                "编号 id": need.id,  # (what the chooser below names each lead by)
                "新 new": "● 新" if is_new(g.head, since) else "",
                "分数 score": round(g.head.score),
                "需求 need": need.title,
                "城市 city": need.city or "",
                "行业 industry": need.industry or "",
                "发布 posted": need.created_at.strftime("%Y-%m-%d"),
                "回复 answer": ANSWERS[answer.status.value] if answer else "",
                "相似 similar": f"另有 {len(g.similar)} 条相似需求" if g.similar else "",
            }
        )
    return pd.DataFrame(rows)
