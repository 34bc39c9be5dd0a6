"""The staff needs browser: needs filtered by the collection form's fields (学科分类,
解决方式, 应用行业, budget range) through ``needs.list_needs`` and its ``NeedFormFilter``."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import run

from matcher.api.state import AppState
from matcher.models import User
from matcher.models.enterprise import SOLUTION_MODES
from matcher.needs import service as needs
from matcher.needs.facets import form_facets
from matcher.needs.schemas import NeedFormFilter

ALL = "全部 all"
LIMIT = 200
COLUMNS = [
    *("编号 id", "需求 title", "企业 enterprise", "学科分类 discipline", "解决方式 mode"),
    *("应用行业 industry", "资金（万元）budget", "时限 years", "状态 status"),
]


def page(state: AppState, user: User) -> None:
    facets = run(state, lambda s: form_facets(session=s, actor=user))
    left, middle, right = st.columns(3)
    discipline = left.selectbox(
        "学科分类 discipline", [ALL, *facets["discipline"]], key="filter_discipline"
    )
    mode = middle.selectbox(
        "解决方式 solution mode", [ALL, *SOLUTION_MODES], key="filter_solution_mode"
    )
    industry = right.selectbox(
        "应用行业 application industry",
        [ALL, *facets["application_industry"]],
        key="filter_application_industry",
    )
    low, high = st.columns(2)
    budget_min = low.number_input(
        "资金下限（万元）budget from", min_value=0.0, value=None, key="filter_budget_min"
    )
    budget_max = high.number_input(
        "资金上限（万元）budget to", min_value=0.0, value=None, key="filter_budget_max"
    )
    form = NeedFormFilter(
        discipline=None if discipline == ALL else discipline,
        solution_mode=None if mode == ALL else mode,
        application_industry=None if industry == ALL else industry,
        budget_min=budget_min,
        budget_max=budget_max,
    )
    rows, total = run(
        state, lambda s: needs.list_needs(session=s, actor=user, form=form, limit=LIMIT)
    )
    st.caption(f"共 {total} 条（显示前 {min(total, LIMIT)} 条）/ {total} needs")
    table = pd.DataFrame(
        [
            (
                n.external_id,
                n.title,
                n.enterprise_name,
                n.discipline,
                n.solution_mode,
                n.application_industry,
                n.budget,
                "–".join(str(y) for y in (n.start_year, n.end_year) if y),
                n.status.value,
            )
            for n in rows
        ],
        columns=COLUMNS,
    )
    st.dataframe(table, hide_index=True)
