"""Services (服务进程): assignments filtered and paged, and life-cycle moves of the rows staff
select — confirm, start, complete (rating and outcome), cancel (reason) — through
``assignments.bulk.transition_many``: per row, with every refused row listed and why."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import downloads, run, show_error, show_invalid
from paging import ALL
from pydantic import ValidationError

from matcher.api.state import AppState
from matcher.assignments.browse import AssignmentFilter, AssignmentRow, browse_assignments
from matcher.assignments.bulk import transition_many
from matcher.assignments.bulk_schemas import BulkTransitionIn, BulkTransitionOut
from matcher.assignments.lifecycle import Action
from matcher.errors import MatcherError
from matcher.imports.cities import HENAN_CITY_NAMES
from matcher.models import AssignmentStatus, User

OPEN = [AssignmentStatus.PROPOSED, AssignmentStatus.CONFIRMED, AssignmentStatus.IN_SERVICE]
SELECT = "选择 select"
MAX_ROWS = 1000  # one bulk move at most (as the API takes)
MOVES = {
    "确认 confirm": Action.CONFIRM,
    "开始服务 start": Action.START,
    "完成 complete": Action.COMPLETE,
    "取消 cancel": Action.CANCEL,
}
PER_ROW = (
    "逐行执行：可以执行的行会执行，不能执行的行不变，并在下方逐条列出原因；"
    "缺少原因或评分时整批不执行 / per row: rows that may move do, the others stay as they "
    "are and are listed below with the reason; a missing reason or rating moves nothing"
)


def page(state: AppState, user: User) -> None:
    _last_outcome()
    filters, limit, offset = _filters()
    rows, total = run(
        state,
        lambda s: browse_assignments(
            session=s, actor=user, filters=filters, limit=limit, offset=offset
        ),
    )
    pages = max(1, -(-total // limit))
    st.caption(
        f"共 {total} 条，第 {offset // limit + 1}/{pages} 页 / {total} assignments, "
        f"page {offset // limit + 1} of {pages}"
    )
    table = _table(rows)
    version = st.session_state.get("services_version", 0)
    every = st.checkbox("全选本页 select the whole page", key=f"services_all_{version}")
    edited = st.data_editor(
        table.assign(**{SELECT: every})[[SELECT, *table.columns]],  # the tick box first
        hide_index=True,
        key=f"services_rows_{version}",
        disabled=[c for c in table.columns if c != SELECT],
        column_config={SELECT: st.column_config.CheckboxColumn()},
    )
    downloads(table, "assignments", "services_rows")
    chosen = [int(i) for i in edited.loc[edited[SELECT].fillna(False), "编号 id"]]
    _move_form(state, user, chosen, filters, total)


def _filters() -> tuple[AssignmentFilter, int, int]:
    a, b, c = st.columns(3)
    statuses = a.multiselect(
        "状态 status",
        list(AssignmentStatus),
        default=OPEN,
        format_func=lambda s: s.value,
        key="services_status",
    )
    society = b.text_input("学会名称 society", key="services_society")
    enterprise = c.text_input("企业名称 enterprise", key="services_enterprise")
    d, e, f, g, h = st.columns(5)
    city = d.selectbox("城市 city", [ALL, *HENAN_CITY_NAMES], key="services_city")
    start = e.date_input("创建自 created from", value=None, key="services_from")
    end = f.date_input("创建至 created to", value=None, key="services_to")
    limit = g.selectbox("每页 per page", [25, 50, 100, 200], index=1, key="services_limit")
    page_no = h.number_input("页码 page", min_value=1, value=1, step=1, key="services_page")
    filters = AssignmentFilter(
        statuses=statuses,
        society=society.strip() or None,
        enterprise=enterprise.strip() or None,
        city=None if city == ALL else city,
        created_from=start,
        created_to=end,
    )
    return filters, limit, (int(page_no) - 1) * limit


def _table(rows: list[AssignmentRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "编号 id": r.id,
                "状态 status": r.status.value,
                "需求 need": r.need_external_id,
                "标题 title": r.need_title,
                "企业 enterprise": r.enterprise_name,
                "城市 city": r.city,
                "学会 society": r.society_name,
                "专家 expert": r.expert_name,
                "分数 score": None if r.score is None else round(r.score, 1),
                "创建 created": r.created_at.strftime("%Y-%m-%d"),
                "评分 rating": r.rating,
                "成效 outcome": r.outcome,
                "取消原因 cancel reason": r.cancel_reason,
            }
            for r in rows
        ],
        columns=[
            *("编号 id", "状态 status", "需求 need", "标题 title", "企业 enterprise", "城市 city"),
            *("学会 society", "专家 expert", "分数 score", "创建 created", "评分 rating"),
            *("成效 outcome", "取消原因 cancel reason"),
        ],
    )


def _move_form(
    state: AppState, user: User, chosen: list[int], filters: AssignmentFilter, total: int
) -> None:
    st.subheader("批量操作 Bulk action")
    st.caption(PER_ROW)
    with st.form("services_move"):
        scope = st.radio(
            "范围 rows",
            [
                f"勾选的行 selected rows ({len(chosen)})",
                f"筛选结果的全部行 every row of the filter ({total}, ≤ {MAX_ROWS})",
            ],
            key="services_scope",
            horizontal=True,
        )
        label = st.selectbox("操作 action", list(MOVES), key="services_action")
        a, b = st.columns([1, 3])
        rating = a.number_input(
            "评分 rating (1–5)", 1, 5, 5, key="services_rating", help="完成时填写 / for complete"
        )
        outcome = b.text_input(
            "服务成效 outcome", key="services_outcome", help="完成时必填 / required to complete"
        )
        reason = st.text_input(
            "取消原因 reason", key="services_reason", help="取消时必填 / required to cancel"
        )
        submitted = st.form_submit_button("执行 Apply to selected", type="primary")
    if not submitted:
        return
    if scope.startswith("筛选结果"):
        if total > MAX_ROWS:
            st.warning(
                f"筛选结果超过 {MAX_ROWS} 行，请缩小筛选范围 / more than {MAX_ROWS} rows: "
                "narrow the filter first"
            )
            return
        rows, _ = run(
            state,
            lambda s: browse_assignments(session=s, actor=user, filters=filters, limit=MAX_ROWS),
        )
        chosen = [r.id for r in rows]
    if not chosen:
        st.warning("请先在表中勾选要处理的行 / select rows in the table first")
        return
    action = MOVES[label]
    complete = action is Action.COMPLETE
    try:
        data = BulkTransitionIn(
            action=action,
            assignment_ids=chosen,
            reason=(reason.strip() or None) if action is Action.CANCEL else None,
            rating=int(rating) if complete else None,
            outcome=(outcome.strip() or None) if complete else None,
        )
    except ValidationError as exc:
        show_invalid(exc)
        return
    try:
        result = run(state, lambda s: transition_many(session=s, actor=user, data=data))
    except MatcherError as exc:
        show_error(exc)
        return
    st.session_state["services_outcome_last"] = result
    st.session_state["services_version"] = st.session_state.get("services_version", 0) + 1
    st.rerun()


def _last_outcome() -> None:
    """The last bulk action's result: how many moved, and each refused row with its reason."""
    result: BulkTransitionOut | None = st.session_state.pop("services_outcome_last", None)
    if result is None:
        return
    st.success(
        f"{result.action.value}: {result.done} 行已执行 / {result.done} moved; "
        f"{result.refused} 行未执行 / {result.refused} refused"
    )
    refused = pd.DataFrame(
        [
            {"编号 id": r.assignment_id, "代码 code": r.code, "原因 reason": r.message}
            for r in result.rows
            if not r.ok
        ],
        columns=["编号 id", "代码 code", "原因 reason"],
    )
    if len(refused):
        st.error("以下各行未执行 / these rows were not moved:")
        st.dataframe(refused, hide_index=True)
        downloads(refused, "refused", "services_refused")
