"""One lead as a society reads it: the need in plain text, why it matched (keywords, the
society's experts who fit and their fields, same city …), its near-duplicates, and the
society's answer (the current one shown and preselected)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import attempt, plain, run, show_done
from match_view import show_contact, show_reasons
from sqlalchemy.orm import Session

from matcher.api.state import AppState
from matcher.errors import NotFoundError
from matcher.experts import service as experts
from matcher.experts.schemas import ExpertOut
from matcher.models import LeadResponseStatus, User
from matcher.societies import service as societies
from matcher.societies.schemas import LeadOut, LeadResponseIn
from matcher.societies.similar import LeadGroup

CHOICES = {
    LeadResponseStatus.INTERESTED: "感兴趣 interested",
    LeadResponseStatus.NOT_SUITABLE: "不合适 not suitable",
}


def show_lead(state: AppState, user: User, group: LeadGroup) -> None:
    lead, need = group.head, group.head.need
    st.subheader("线索详情 Lead")
    plain("需求 need", need.title)
    st.text(need.description)
    for label, value in (
        ("企业 enterprise", need.enterprise_name),
        ("城市 city", need.city),
        ("行业 industry", need.industry),
        ("关键词 keywords", "、".join(need.keywords)),
        ("截止日期 deadline", need.deadline),
        ("发布 posted", f"{need.created_at:%Y-%m-%d %H:%M} UTC"),
    ):
        if value:
            plain(label, value)
    plain("匹配分 score (0–100)", f"{lead.score:.0f}")
    st.text("匹配原因 why it matched:")
    show_reasons(lead.components, lead.matched_keywords)
    show_fitting_experts(state, user, lead)
    if group.similar:
        st.text(f"另有 {len(group.similar)} 条相似需求 / {len(group.similar)} similar needs:")
        st.dataframe(
            pd.DataFrame(
                {
                    "需求 need": [x.need.title for x in group.similar],
                    "发布 posted": [f"{x.need.created_at:%Y-%m-%d}" for x in group.similar],
                    "分数 score": [round(x.score) for x in group.similar],
                }
            ),
            hide_index=True,
        )
    if need.enterprise_contact:  # only once the society is assigned to the enterprise
        show_contact("企业联系方式 enterprise contact:", **need.enterprise_contact.model_dump())
    answer_form(state, user, group)


def show_fitting_experts(state: AppState, user: User, lead: LeadOut) -> None:
    """The society's own experts named in the explanation, with their fields."""
    named = [e.get("id") for e in lead.components.get("top_experts") or []]
    if not named:
        return

    def fetch(session: Session) -> list[ExpertOut]:
        out = []
        for expert_id in named:
            try:  # an expert removed since the ranking is passed over
                out.append(experts.get_expert(session=session, actor=user, expert_id=expert_id))
            except NotFoundError:
                continue
        return out

    by_id = {e.id: e for e in run(state, fetch) if user.society_id in e.society_ids}
    rows = [
        {"专家 expert": by_id[i].name, "研究领域 fields": "、".join(by_id[i].research_areas)}
        for i in named
        if i in by_id
    ]
    if rows:
        st.text("本会相关专家 our experts who fit:")
        st.dataframe(pd.DataFrame(rows), hide_index=True)


def answer_form(state: AppState, user: User, group: LeadGroup) -> None:
    """Interested, or not suitable with a reason; the stored answer is preselected. The
    same answer may go to the group's similar needs too (one transaction)."""
    show_done()
    lead = group.head
    current = lead.response
    if current:
        st.info(
            f"当前回复 current answer: {CHOICES[current.status]}"
            f"（{current.updated_at:%Y-%m-%d %H:%M} UTC）"
        )
        if current.reason:
            plain("原因 reason", current.reason)
    nid = lead.need.id
    with st.form(f"respond_{nid}"):
        options = list(CHOICES)
        status = st.radio(
            "回复 answer",
            options,
            index=options.index(current.status) if current else 0,
            format_func=CHOICES.get,
            horizontal=True,
            key=f"answer_{nid}",
        )
        reason = st.text_input(
            "原因 reason（不合适时必填 required if not suitable）",
            value=current.reason if current else "",
            key=f"reason_{nid}",
        )
        also = bool(group.similar) and st.checkbox(
            f"同时回复另 {len(group.similar)} 条相似需求 / the same answer to the similar needs",
            key=f"also_{nid}",
        )
        if not st.form_submit_button("提交 Submit"):
            return
    need_ids = [nid, *(x.need.id for x in group.similar if also)]

    def respond(session: Session) -> None:
        for need_id in need_ids:
            societies.respond_to_lead(
                session=session,
                actor=user,
                society_id=user.society_id,
                need_id=need_id,
                data=LeadResponseIn(status=status, reason=reason.strip()),
            )

    # redrawn: the table and the current answer show the stored one
    n = len(need_ids)
    done = f"已提交 {n} 条 / {n} saved" if n > 1 else "已提交 / saved"
    attempt(state, respond, f"{done}: {CHOICES[status]}")
