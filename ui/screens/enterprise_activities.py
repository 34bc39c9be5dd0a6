"""服务活动 Activities for an enterprise log-in: the records societies made about their
service to it, each confirmed or disputed (with a note saying what is wrong)."""

from __future__ import annotations

import streamlit as st
from common import downloads, run, show_error
from paging import done, show_done

from matcher.api.state import AppState
from matcher.errors import MatcherError
from matcher.models import User
from matcher.programme import activities
from matcher.programme.schemas import ActivityAnswer
from screens.society_activities import activity_frame

ANSWERS = {"confirmed": "确认 confirm", "disputed": "提出异议 dispute"}


def page(state: AppState, user: User) -> None:
    if user.enterprise_id is None:
        st.warning("账号未绑定企业 / this log-in is not bound to an enterprise")
        return
    show_done("answer")
    rows, total = run(state, lambda s: activities.list_activities(session=s, actor=user))
    st.caption(f"共 {total} 条 / {total} records")
    table = activity_frame(rows)
    st.dataframe(table, hide_index=True)
    downloads(table, "activities", "enterprise_activities")
    if not rows:
        return
    st.subheader("确认或提出异议 Confirm or dispute")
    by_id = {a.id: a for a in rows}
    with st.form("activity_answer"):
        chosen = st.selectbox(
            "记录 record",
            list(by_id),
            format_func=lambda i: f"{i} · {by_id[i].activity_date} · {by_id[i].service_type}",
        )
        answer = st.radio(
            "答复 answer", list(ANSWERS), format_func=ANSWERS.get, horizontal=True, key="answer"
        )
        note = st.text_input(
            "说明（异议时必填）note (required for a dispute)", max_chars=1000, key="answer_note"
        )
        submitted = st.form_submit_button("提交 Submit", type="primary")
    if submitted:
        try:
            run(
                state,
                lambda s: activities.answer_activity(
                    session=s,
                    actor=user,
                    activity_id=chosen,
                    answer=ActivityAnswer(answer=answer, note=note),
                ),
            )
        except MatcherError as exc:
            show_error(exc)
            return
        done("answer", f"已答复记录 {chosen} / answered record {chosen}")
