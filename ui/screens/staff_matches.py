"""The staff matches browser (匹配): stored matches (need, enterprise, society or expert, rank,
0–100 score, matched keywords, status, date) filtered, sorted and paged in SQL by
``matching.browse.list_matches``."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import downloads, run
from paging import choice, paging, total_caption

from matcher.api.state import AppState
from matcher.assignments.conflict_names import party_choices
from matcher.matching.browse import MatchFilter, MatchRow, MatchSort, list_matches
from matcher.models import TargetKind, User
from matcher.needs.facets import form_facets

KINDS = {TargetKind.SOCIETY: "学会 society", TargetKind.EXPERT: "专家 expert"}
SORTS = {
    MatchSort.score_desc: "得分从高到低 score ↓",
    MatchSort.newest: "最新 newest",
    MatchSort.rank: "按需求与名次 need, rank",
}
COLUMNS = [
    *("需求编号 need id", "学会或专家 society or expert", "得分 score", "名次 rank"),
    *("需求 need", "企业 enterprise", "城市 city", "行业 industry", "类型 kind"),
    *("匹配关键词 matched keywords", "需求状态 need status", "匹配时间 matched at"),
]


def page(state: AppState, user: User) -> None:
    filters = _filters(state, user)
    limit, offset = paging("matches")
    rows, total = run(
        state,
        lambda s: list_matches(session=s, actor=user, filters=filters, limit=limit, offset=offset),
    )
    total_caption(total, limit, offset)
    table = pd.DataFrame([_row(r) for r in rows], columns=COLUMNS)
    st.dataframe(table, hide_index=True)
    downloads(table, "matches", "matches")


def _filters(state: AppState, user: User) -> MatchFilter:
    facets = run(state, lambda s: form_facets(session=s, actor=user))
    societies = run(state, lambda s: party_choices(session=s, actor=user, kinds=("society",)))
    a, b, c, d = st.columns(4)
    kind = choice(a, "类型 kind", KINDS, "matches_kind")
    society = choice(b, "学会（含其专家）society", societies["society"], "matches_society")
    city = choice(c, "城市 city", facets["city"], "matches_city")
    industry = choice(d, "行业 industry", facets["industry"], "matches_industry")
    low, high, since, until, order = st.columns(5)
    score = {"min_value": 0.0, "max_value": 100.0, "value": None}
    return MatchFilter(
        target_kind=kind,
        society_id=society,
        city=city,
        industry=industry,
        score_min=low.number_input("得分下限 score from", **score, key="matches_score_min"),
        score_max=high.number_input("得分上限 score to", **score, key="matches_score_max"),
        matched_from=since.date_input("匹配起 from", value=None, key="matches_from"),
        matched_to=until.date_input("匹配止 to", value=None, key="matches_to"),
        sort=order.selectbox(
            "排序 sort", list(SORTS), format_func=SORTS.__getitem__, key="matches_sort"
        ),
    )


def _row(r: MatchRow) -> tuple:
    return (
        r.need_external_id,
        r.target_name,
        round(r.score, 1),
        r.rank,
        r.need_title,
        r.enterprise_name,
        r.city,
        r.industry,
        KINDS[r.target_kind],
        "、".join(r.matched_keywords),
        r.need_status.value,
        r.created_at.strftime("%Y-%m-%d %H:%M"),
    )
