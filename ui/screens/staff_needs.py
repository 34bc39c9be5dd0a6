"""The staff needs browser (需求): needs filtered (status, city, industry, a society among
their matches, posting date, best score, text, and the collection form's 学科分类 / 解决方式 /
应用行业 / budget), sorted and paged in SQL by ``needs.list_needs``; why a need has no
matches; and "match now" (立即匹配) for the chosen needs or every unmatched one."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import downloads, run, show_error
from paging import choice, done, paging, show_done, total_caption

from matcher.api.state import AppState
from matcher.assignments.conflict_names import party_choices
from matcher.errors import MatcherError
from matcher.models import NeedStatus, User
from matcher.models.enterprise import SOLUTION_MODES
from matcher.needs import service as needs
from matcher.needs.facets import form_facets
from matcher.needs.match_now import match_now, why_no_matches
from matcher.needs.schemas import NeedFormFilter, NeedListFilter, NeedOut, NeedSort

SORTS = {
    NeedSort.newest: "最新发布 newest",
    NeedSort.oldest: "最早发布 oldest",
    NeedSort.score_desc: "最高分从高到低 best score ↓",
    NeedSort.score_asc: "最高分从低到高 best score ↑",
    NeedSort.title: "标题 title",
}
SKIPPED = "已不再寻求对接，未匹配 / no longer seeking help, not matched"
COLUMNS = [
    *("编号 id", "需求 title", "状态 status", "最高分 best score", "企业 enterprise"),
    *("城市 city", "行业 industry", "发布 posted", "未匹配原因 why no matches"),
    *("学科分类 discipline", "解决方式 mode", "应用行业 application industry"),
    *("资金（万元）budget", "时限 years"),
]


def page(state: AppState, user: User) -> None:
    show_done("needs")
    form, listing, extra = _filters(state, user)
    limit, offset = paging("needs")
    rows, total = run(
        state,
        lambda s: needs.list_needs(
            session=s, actor=user, form=form, listing=listing, limit=limit, offset=offset, **extra
        ),
    )
    total_caption(total, limit, offset)
    table = pd.DataFrame([_row(n) for n in rows], columns=COLUMNS)
    st.dataframe(table, hide_index=True)
    downloads(table, "needs", "needs")
    _match_now(state, user, rows)


def _filters(state: AppState, user: User) -> tuple[NeedFormFilter, NeedListFilter, dict]:
    facets = run(state, lambda s: form_facets(session=s, actor=user))
    societies = run(state, lambda s: party_choices(session=s, actor=user, kinds=("society",)))
    a, b, c, d = st.columns(4)
    extra = {
        "status": choice(a, "状态 status", {s: s.value for s in NeedStatus}, "filter_status"),
        "city": choice(b, "城市 city", facets["city"], "filter_city"),
        "industry": choice(c, "行业 industry", facets["industry"], "filter_industry"),
    }
    society = choice(d, "匹配学会 matched society", societies["society"], "filter_society")
    left, middle, right = st.columns(3)
    discipline = choice(left, "学科分类 discipline", facets["discipline"], "filter_discipline")
    mode = choice(middle, "解决方式 solution mode", SOLUTION_MODES, "filter_solution_mode")
    industry = choice(
        right,
        "应用行业 application industry",
        facets["application_industry"],
        "filter_application_industry",
    )
    low, high, since, until, best_low, best_high = st.columns(6)
    form = NeedFormFilter(
        discipline=discipline,
        solution_mode=mode,
        application_industry=industry,
        budget_min=low.number_input(
            "资金下限（万元）budget from", min_value=0.0, value=None, key="filter_budget_min"
        ),
        budget_max=high.number_input(
            "资金上限（万元）budget to", min_value=0.0, value=None, key="filter_budget_max"
        ),
    )
    score = {"min_value": 0.0, "max_value": 100.0, "value": None}
    listing = NeedListFilter(
        society_id=society,
        posted_from=since.date_input("发布起 posted from", value=None, key="filter_from"),
        posted_to=until.date_input("发布止 posted to", value=None, key="filter_to"),
        score_min=best_low.number_input("最高分下限 score from", **score, key="filter_score_min"),
        score_max=best_high.number_input("最高分上限 score to", **score, key="filter_score_max"),
        sort=st.selectbox(
            "排序 sort", list(SORTS), format_func=SORTS.__getitem__, key="needs_sort"
        ),
    )
    extra["q"] = st.text_input("搜索 search（标题、描述、编号）", key="filter_q") or None
    return form, listing, extra


def _row(n: NeedOut) -> tuple:
    return (
        n.external_id,
        n.title,
        n.status.value,
        None if n.best_score is None else round(n.best_score, 1),
        n.enterprise_name,
        n.city,
        n.industry,
        n.created_at.strftime("%Y-%m-%d %H:%M"),
        why_no_matches(n) or "",
        n.discipline,
        n.solution_mode,
        n.application_industry,
        n.budget,
        "–".join(str(y) for y in (n.start_year, n.end_year) if y),
    )


def _match_now(state: AppState, user: User, rows: list[NeedOut]) -> None:
    st.subheader("立即匹配 Match now")
    by_label = {f"{n.external_id} {n.title}": n.id for n in rows}
    chosen = st.multiselect("本页所选需求 needs on this page", list(by_label), key="match_chosen")
    left, right = st.columns(2)
    ids: list[int] | None
    if left.button("匹配所选 Match the chosen", key="match_selected", disabled=not chosen):
        ids = [by_label[c] for c in chosen]
    elif right.button("匹配全部未匹配 Match every unmatched need", key="match_all"):
        ids = None
    else:
        return
    bar = st.progress(0.0, text="匹配中 matching …")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"已匹配 ranked {done}/{total}")

    try:
        report = run(
            state,
            lambda s: match_now(
                session=s, runtime=state.runtime, actor=user, need_ids=ids, on_progress=progress
            ),
        )
    except MatcherError as exc:
        show_error(exc)
        return
    done(
        "needs",
        f"已匹配 {report.matched} 条，需补充信息 {report.needs_detail} 条 / "
        f"{report.matched} matched, {report.needs_detail} need more detail",
        [f"{ext}: {SKIPPED}" for ext in report.skipped],
    )
