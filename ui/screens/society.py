"""Society workspace (学会): matched leads with the reasons, and answers to them."""

from __future__ import annotations

import streamlit as st
from common import run

from matcher.api.state import AppState
from matcher.models import User
from matcher.societies import service as societies
from matcher.societies.schemas import LeadResponseIn


def page(state: AppState, user: User) -> None:
    """Browse matched leads with the reasons, and answer them."""
    st.header("学会工作台 Society workspace")
    if user.society_id is None:
        st.warning("账号未绑定学会 / this log-in is not bound to a society")
        return
    min_score = st.slider("最低匹配分 minimum score (0–100)", 0, 100, 0, 5)
    leads, total = run(
        state,
        lambda s: societies.list_leads(
            session=s, actor=user, society_id=user.society_id, min_score=min_score, limit=200
        ),
    )
    st.caption(f"共 {total} 条线索 / {total} leads")
    for lead in leads:
        need = lead.need
        label = f"{need.title} · {need.city or ''} · {lead.score:.0f} 分"
        with st.expander(label):
            st.write(need.description)
            st.write(f"企业 enterprise: {need.enterprise_name or '—'}")
            if need.enterprise_contact:
                st.write(f"联系方式 contact: {need.enterprise_contact}")
            if lead.matched_keywords:
                st.write("匹配原因 why: " + "、".join(lead.matched_keywords))
            if lead.response:
                st.info(f"已回复 answered: {lead.response.status.value} {lead.response.reason}")
            with st.form(f"respond_{need.id}"):
                status = st.radio("回复 answer", ["interested", "not_suitable"], horizontal=True)
                reason = st.text_input("原因 reason")
                if st.form_submit_button("提交 Submit"):
                    answer = LeadResponseIn(status=status, reason=reason)
                    run(
                        state,
                        lambda s, nid=need.id, answer=answer: societies.respond_to_lead(
                            session=s,
                            actor=user,
                            society_id=user.society_id,
                            need_id=nid,
                            data=answer,
                        ),
                    )
                    st.success("已提交 / saved")
