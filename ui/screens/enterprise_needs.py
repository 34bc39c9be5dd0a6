"""An enterprise's own needs (我的需求): status, matches, the assigned society and its contact
once assigned, the rating of a completed service (given here when the service ends); edit
or close a need."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import attempt, choose_record, downloads, plain, run, show_done
from match_view import show_contact, show_matches

from matcher.api.state import AppState
from matcher.assignments import lifecycle
from matcher.assignments import service as assignments
from matcher.assignments.schemas import AssignmentOut
from matcher.imports.cities import HENAN_CITY_NAMES
from matcher.imports.validators import parse_list
from matcher.models import AssignmentStatus, NeedStatus, TargetKind, User
from matcher.needs import service as needs
from matcher.needs.schemas import NeedOut, NeedUpdate
from matcher.societies import service as societies
from screens.society_assignments import STATUS as ASSIGNMENT_STATUS

PAGE_SIZE = 20
NEED_STATUS = {
    NeedStatus.OPEN: "待匹配 open",
    NeedStatus.MATCHED: "已匹配 matched",
    NeedStatus.NEEDS_DETAIL: "需补充 needs detail",
    NeedStatus.ASSIGNED: "已分配 assigned",
    NeedStatus.IN_SERVICE: "服务中 in service",
    NeedStatus.RESOLVED: "已解决 resolved",
    NeedStatus.CLOSED: "已关闭 closed",
}
OPEN_NEED = "my_need_open"
"""The key of the chooser of the need opened (set to a need's id to open that one)."""
ASSIGNED = (AssignmentStatus.CONFIRMED, AssignmentStatus.IN_SERVICE, AssignmentStatus.COMPLETED)
"""A society is assigned (its contact shown) once it accepted the pair."""


def my_needs(state: AppState, user: User) -> None:
    show_done()
    number = st.number_input("页码 page", min_value=1, value=1, step=1, key="my_need_page")
    rows, total = run(
        state,
        lambda s: needs.list_needs(
            session=s, actor=user, limit=PAGE_SIZE, offset=(int(number) - 1) * PAGE_SIZE
        ),
    )
    st.caption(f"共 {total} 条 / {total} needs")
    if not rows:
        return
    table = pd.DataFrame(
        {
            "编号 id": [n.id for n in rows],  # (what the chooser below names each need by)
            "需求 need": [n.title for n in rows],
            "状态 status": [NEED_STATUS[n.status] for n in rows],
            "城市 city": [n.city or "" for n in rows],
            "行业 industry": [n.industry or "" for n in rows],
            "截止 deadline": [str(n.deadline or "") for n in rows],
            "发布 posted": [f"{n.created_at:%Y-%m-%d}" for n in rows],
        }
    )
    st.dataframe(table, hide_index=True)
    downloads(table, "my_needs", key="my_needs_download")
    chosen = choose_record(
        "打开需求 open a need", {n.id: n for n in rows}, lambda n: n.title, OPEN_NEED
    )
    show_need(state, user, chosen)


def show_need(state: AppState, user: User, need: NeedOut) -> None:
    plain("需求 need", need.title)
    st.text(need.description)
    plain("状态 status", NEED_STATUS[need.status])
    if need.detail_hint:
        plain("请补充 please add", need.detail_hint)
    for a in run(
        state,
        lambda s: assignments.list_assignments(session=s, actor=user, need_id=need.id)[0],
    ):
        show_assignment(state, user, a)
    st.text("匹配学会 matched societies:")
    show_matches(
        run(
            state,
            lambda s: needs.need_matches(
                session=s,
                runtime=state.runtime,
                actor=user,
                need_id=need.id,
                target=TargetKind.SOCIETY,
            ),
        )
    )
    if need.status is not NeedStatus.CLOSED:
        edit_form(state, user, need)


def show_assignment(state: AppState, user: User, a: AssignmentOut) -> None:
    """The assigned society, its contact once it accepted, the rating once completed."""
    soc = run(state, lambda s: societies.get_society(session=s, society_id=a.society_id))
    plain("分配学会 assigned society", f"{soc.name}（{ASSIGNMENT_STATUS[a.status]}）")
    if a.status in ASSIGNED:
        show_contact(
            "学会联系方式 society contact:",
            contact_name=soc.contact_name,
            contact_phone=soc.contact_phone,
            email=soc.email,
        )
    if a.status is AssignmentStatus.COMPLETED:
        plain("服务评分 rating (1–5)", a.rating)
        plain("服务成效 outcome", a.outcome)
    if a.status is AssignmentStatus.CANCELLED and a.cancel_reason:
        plain("取消原因 reason", a.cancel_reason)
    if a.status is AssignmentStatus.IN_SERVICE:
        rate_form(state, user, a)


def rate_form(state: AppState, user: User, a: AssignmentOut) -> None:
    """Complete the service with a rating (the life cycle lets the enterprise do this)."""
    with st.form(f"rate_{a.id}"):
        rating = st.select_slider("评分 rating", [1, 2, 3, 4, 5], value=5, key=f"rating_{a.id}")
        outcome = st.text_area("服务成效 outcome", key=f"outcome_{a.id}")
        if not st.form_submit_button("完成并评价 complete and rate"):
            return
    attempt(
        state,
        lambda s: lifecycle.transition(
            session=s,
            actor=user,
            assignment_id=a.id,
            action=lifecycle.Action.COMPLETE,
            rating=int(rating),
            outcome=outcome.strip(),
        ),
        "服务已完成并评价 / service completed and rated",
    )


def edit_form(state: AppState, user: User, need: NeedOut) -> None:
    """Edit the need (ranked again when its text changes) or close it."""
    key = need.id
    with st.expander("修改或关闭需求 edit or close"), st.form(f"edit_need_{key}"):
        title = st.text_input("需求标题 Title", need.title, key=f"edit_title_{key}")
        description = st.text_area("需求描述 Description", need.description, key=f"edit_desc_{key}")
        keywords = st.text_input(
            "关键词（用、分隔）Keywords", "、".join(need.keywords), key=f"edit_kw_{key}"
        )
        cities = ["", *HENAN_CITY_NAMES]
        city = st.selectbox(
            "城市 city",
            cities,
            index=cities.index(need.city) if need.city in cities else 0,
            key=f"edit_city_{key}",
        )
        deadline = st.date_input("截止日期 deadline", need.deadline, key=f"edit_deadline_{key}")
        save = st.form_submit_button("保存 Save")
        close = st.form_submit_button("关闭需求 close the need")
    if close:
        attempt(
            state,
            lambda s: needs.close_need(session=s, actor=user, need_id=need.id),
            "需求已关闭 / need closed",
        )
    if not save:
        return
    data = {
        "title": title.strip(),
        "description": description,
        "keywords": parse_list(keywords),
        "city": city or None,
        "deadline": deadline if deadline != need.deadline else None,  # a past one may stay
    }
    with st.spinner("正在匹配 … / matching …"):
        attempt(
            state,
            lambda s: needs.update_need(
                session=s,
                actor=user,
                need_id=need.id,
                data=NeedUpdate(**data),
                runtime=state.runtime,
            ),
            "需求已保存 / need saved",
        )
