"""Society assignments (学会 · 服务): the pairs proposed to it and the services it runs,
capacity used, and the moves the life cycle lets a society make (confirm, decline with a
reason, start, cancel with a reason); the enterprise's contact once assigned."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import attempt, choose_record, downloads, plain, run
from match_view import show_contact
from sqlalchemy.orm import Session

from matcher.api.state import AppState
from matcher.assignments import lifecycle
from matcher.assignments import service as assignments
from matcher.assignments.schemas import AssignmentOut
from matcher.enterprises import service as enterprises
from matcher.errors import NotFoundError
from matcher.models import AssignmentStatus, User
from matcher.needs import service as needs
from matcher.societies.inbox import workload

STATUS = {
    AssignmentStatus.PROPOSED: "待确认 proposed",
    AssignmentStatus.CONFIRMED: "已确认 confirmed",
    AssignmentStatus.IN_SERVICE: "服务中 in service",
    AssignmentStatus.COMPLETED: "已完成 completed",
    AssignmentStatus.CANCELLED: "已取消 cancelled",
}
ACTIONS = {
    lifecycle.Action.CONFIRM: "接受 accept",
    lifecycle.Action.DECLINE: "谢绝 decline",
    lifecycle.Action.START: "开始服务 start",
    lifecycle.Action.CANCEL: "取消 cancel",
}
NEEDS_REASON = (lifecycle.Action.DECLINE, lifecycle.Action.CANCEL)


def page(state: AppState, user: User) -> None:
    if user.society_id is None:
        st.warning("账号未绑定学会 / this log-in is not bound to a society")
        return
    load = run(state, lambda s: workload(session=s, actor=user, society_id=user.society_id))
    st.metric("在办 / 容量 active / capacity", f"{load.active} / {load.capacity}")
    rows, total = run(
        state,
        lambda s: assignments.list_assignments(
            session=s, actor=user, society_id=user.society_id, limit=200
        ),
    )
    st.caption(f"共 {total} 项 / {total} assignments")
    if not rows:
        st.info("暂无分配 / no assignments yet")
        return
    titles = need_titles(state, user, rows)
    table = pd.DataFrame(
        {
            "编号 id": [a.id for a in rows],
            "状态 status": [STATUS[a.status] for a in rows],
            "需求 need": [titles.get(a.need_id, "") for a in rows],
            "创建 created": [f"{a.created_at:%Y-%m-%d}" for a in rows],
            "评分 rating": [a.rating or "" for a in rows],
        }
    )
    st.dataframe(table, hide_index=True)
    downloads(table, "assignments", key="assignments_download")
    by_id = {a.id: a for a in rows}
    chosen = choose_record(
        "打开 open", by_id, lambda a: titles.get(a.need_id, ""), key="assignment_open"
    )
    show_assignment(state, user, chosen, titles)


def need_titles(state: AppState, user: User, rows: list[AssignmentOut]) -> dict[int, str]:
    """The titles of the assignments' needs this user may still see (a cancelled pair's
    need may no longer be its business)."""

    def titles(session: Session) -> dict[int, str]:
        out = {}
        for need_id in {a.need_id for a in rows if a.need_id}:
            try:
                out[need_id] = needs.get_need(session=session, actor=user, need_id=need_id).title
            except NotFoundError:
                out[need_id] = "—"
        return out

    return run(state, titles)


def show_assignment(
    state: AppState, user: User, a: AssignmentOut, titles: dict[int | None, str]
) -> None:
    plain("状态 status", STATUS[a.status])
    if a.need_id:
        plain("需求 need", titles.get(a.need_id, ""))
    for label, value in (
        ("取消原因 reason", a.cancel_reason),
        ("评分 rating (1–5)", a.rating),
        ("成效 outcome", a.outcome),
    ):
        if value:
            plain(label, value)
    try:
        ent = run(
            state,
            lambda s: enterprises.get_enterprise(
                session=s, actor=user, enterprise_id=a.enterprise_id
            ),
        )
    except NotFoundError:  # a cancelled pair: no longer its business
        ent = None
    if ent is not None:
        plain("企业 enterprise", ent.name)
        if ent.contact is not None and a.status is not AssignmentStatus.CANCELLED:
            show_contact("企业联系方式 enterprise contact:", **ent.contact.model_dump())
    moves(state, user, a)


def moves(state: AppState, user: User, a: AssignmentOut) -> None:
    """Buttons for the moves the life cycle allows this user on this assignment now."""
    allowed = [
        action
        for action, rule in lifecycle.RULES.items()
        if a.status in rule.sources
        and user.role in rule.roles
        and action is not lifecycle.Action.COMPLETE  # the enterprise's, with its rating
    ]
    if not allowed:
        return
    reason = st.text_input("原因 reason（谢绝、取消时必填）", key=f"move_reason_{a.id}")
    for column, action in zip(st.columns(len(allowed)), allowed, strict=True):
        if column.button(ACTIONS[action], key=f"move_{action.value}_{a.id}"):
            attempt(
                state,
                lambda s, action=action: lifecycle.transition(
                    session=s,
                    actor=user,
                    assignment_id=a.id,
                    action=action,
                    reason=reason.strip() or None,
                ),
                f"{ACTIONS[action]}: #{a.id}",
            )
