"""The three workspaces; each calls services with the logged-in user as the actor."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import run, show_invalid
from import_page import import_page
from needs_browser import needs_browser
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.api.state import AppState
from matcher.audit.service import list_events
from matcher.models import Enterprise, Expert, NeedStatus, Society, TargetKind, TechNeed, User
from matcher.models.enterprise import SOLUTION_MODES
from matcher.needs import service as needs
from matcher.needs.schemas import MatchOut, NeedCreate
from matcher.societies import service as societies
from matcher.societies.schemas import LeadResponseIn

COMPONENT_LABELS = {
    "char_doc": "字面相似 text (char)",
    "char_centroid": "成员字面均值 members (char)",
    "word_doc": "词语相似 text (words)",
    "char_experts": "专家字面 experts (char)",
    "dense_doc": "语义相似 semantic",
    "dense_experts": "专家语义 experts (semantic)",
    "dense": "语义相似 semantic",
    "bm25": "关键词 BM25",
    "city": "同城 city",
    "industry_fit": "行业契合 industry",
    "capacity": "剩余容量 capacity",
    "fused": "综合 fused",
}


def show_matches(matches: list[MatchOut]) -> None:
    """Ranked matches with the reasons: component scores and matched keywords."""
    if not matches:
        st.info("暂无匹配结果 / no matches yet")
        return
    for m in matches:
        with st.expander(f"#{m.rank} {m.target_name} — {m.score:.0f} 分", expanded=m.rank <= 3):
            if m.matched_keywords:
                st.write("匹配关键词 matched keywords: " + "、".join(m.matched_keywords))
            parts = {
                COMPONENT_LABELS.get(k, k): round(v, 3)
                for k, v in m.components.items()
                if isinstance(v, int | float)
            }
            st.dataframe(pd.DataFrame([parts]), hide_index=True)
            experts = m.components.get("top_experts") or []
            if experts:
                st.caption("相关专家 experts: " + "、".join(str(e.get("name")) for e in experts))


def enterprise(state: AppState, user: User) -> None:
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


def society(state: AppState, user: User) -> None:
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


def _counts(session: Session) -> dict[str, int]:
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    open_needs = session.scalar(
        select(func.count()).select_from(TechNeed).where(TechNeed.status == NeedStatus.OPEN)
    )
    return {
        "学会 societies": count(Society),
        "专家 experts": count(Expert),
        "企业 enterprises": count(Enterprise),
        "需求 needs": count(TechNeed),
        "待匹配 open needs": open_needs,
    }


def staff(state: AppState, user: User) -> None:
    """Overview, needs by the form's fields, spreadsheet imports with column mappings
    (all-or-nothing) and the audit trail."""
    st.header("工作人员 Staff")
    overview, browse, imports, audit = st.tabs(
        ["概览 Overview", "需求 Needs", "导入 Import", "审计 Audit"]
    )
    with overview:
        for col, (label, value) in zip(st.columns(5), run(state, _counts).items(), strict=True):
            col.metric(label, value)
    with browse:
        needs_browser(state, user)
    with imports:
        import_page(state, user)
    with audit:
        events = run(state, lambda s: list_events(session=s, limit=200))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "时间 at": e.at,
                        "操作者 actor": e.actor_label,
                        "操作 action": e.action,
                        "对象 target": f"{e.target_type}:{e.target_id}",
                        "数量 count": e.count,
                    }
                    for e in events
                ]
            ),
            hide_index=True,
        )
