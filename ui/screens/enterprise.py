"""Enterprise workspace (企业): post a need and see its matched societies; my needs."""

from __future__ import annotations

import streamlit as st
from common import run, show_invalid
from match_view import show_matches
from pydantic import ValidationError
from sqlalchemy.orm import Session

from matcher.api.state import AppState
from matcher.models import TargetKind, User
from matcher.models.enterprise import SOLUTION_MODES
from matcher.needs import service as needs
from matcher.needs.schemas import MatchOut, NeedCreate


def page(state: AppState, user: User) -> None:
    """Post a need and see its matched societies at once; list own needs."""
    st.header("企业工作台 Enterprise workspace")
    post, mine = st.tabs(["发布需求 Post a need", "我的需求 My needs"])
    with post, st.form("post_need"):
        title = st.text_input("需求标题 Title", key="need_title")
        description = st.text_area("需求描述 Description", height=150, key="need_description")
        keywords = st.text_input("关键词（用、分隔）Keywords", key="need_keywords")
        left, right = st.columns(2)  # the collection form's fields, all optional
        discipline = left.text_input("学科分类 discipline", key="need_discipline")
        industry = right.text_input("应用行业 application industry", key="need_industry")
        mode = left.selectbox("解决方式 solution mode", ["", *SOLUTION_MODES], key="need_mode")
        budget = right.text_input(
            "拟投入资金（万元）budget", placeholder="如 50、50万、0.5亿、面议", key="need_budget"
        )
        if st.form_submit_button("发布并匹配 Post and match") and title.strip():
            try:
                data = NeedCreate(
                    title=title.strip(),
                    description=description,
                    keywords=[k for k in keywords.replace("，", "、").split("、") if k],
                    discipline=discipline or None,
                    application_industry=industry or None,
                    solution_mode=mode or None,
                    budget=budget or None,
                )
            except ValidationError as exc:  # the API's rules and messages
                show_invalid(exc)
            else:

                def _post(session: Session) -> list[MatchOut]:
                    _, matches = needs.post_need(
                        session=session, runtime=state.runtime, actor=user, data=data
                    )
                    return matches

                st.success("需求已发布 / need posted")
                show_matches(run(state, _post))
    with mine:
        rows, total = run(state, lambda s: needs.list_needs(session=s, actor=user, limit=200))
        st.caption(f"共 {total} 条 / {total} needs")
        for need in rows:
            with st.expander(f"{need.title} · {need.status.value}"):
                st.write(need.description)
                show_matches(
                    run(
                        state,
                        lambda s, nid=need.id: needs.need_matches(
                            session=s,
                            runtime=state.runtime,
                            actor=user,
                            need_id=nid,
                            target=TargetKind.SOCIETY,
                        ),
                    )
                )
