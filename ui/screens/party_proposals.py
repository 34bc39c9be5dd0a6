"""工作站 Workstations for a society or an enterprise log-in: the expert-workstation proposals
and workstations it is party to (the service shows no one else's), read-only, with each
proposal's .docx. The staff page (``staff_proposals``) reuses these views."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import downloads, plain, run
from paging import ALL

from matcher.api.state import AppState
from matcher.models import ProposalStatus, User
from matcher.proposals import service
from matcher.proposals.rendering import MEDIA_TYPE
from matcher.proposals.schemas import ProposalOut
from matcher.proposals.workstations import list_workstations

LIMIT = 500
STATUS = {
    ProposalStatus.DRAFT: "草稿 draft",
    ProposalStatus.SUBMITTED: "已提交 submitted",
    ProposalStatus.APPROVED: "已批准 approved",
    ProposalStatus.REJECTED: "未通过 rejected",
}


def page(state: AppState, user: User) -> None:
    if user.society_id is None and user.enterprise_id is None:
        st.warning("账号未绑定学会或企业 / this log-in is not bound to a society or enterprise")
        return
    status = status_filter("party_status")
    rows, total = run(
        state,
        lambda s: service.list_proposals(
            session=s, settings=state.settings, actor=user, status=status, limit=LIMIT
        ),
    )
    st.subheader("建站建议 Proposals")
    chosen = show_proposals(state, user, rows, total, "party")
    if chosen is not None:
        show_detail(state, user, chosen)
    st.subheader("已建工作站 Workstations")
    show_workstations(state, user, "party")


def status_filter(key: str) -> ProposalStatus | None:
    options = [ALL, *STATUS]
    picked = st.selectbox("状态 status", options, format_func=lambda o: STATUS.get(o, ALL), key=key)
    return None if picked == ALL else picked


def proposal_frame(rows: list[ProposalOut]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "编号 number": p.number,
                "标题 title": p.title,
                "学会 society": p.society_name,
                "企业 enterprise": p.enterprise_name,
                "状态 status": STATUS[p.status],
                "来源 origin": "手动 by hand" if p.by_hand else "规则 rule",
                "已完成服务 services": p.services,
                "平均评分 mean rating": p.mean_rating,
                "拟进站专家 experts": "、".join(e.name for e in p.experts),
                "审核意见 note": p.status_note,
                "工作站 workstation": p.workstation_id,
            }
            for p in rows
        ]
    )


def show_proposals(
    state: AppState, user: User, rows: list[ProposalOut], total: int, key: str
) -> ProposalOut | None:
    """The proposals as a table with downloads, and the one chosen to read (or None)."""
    st.caption(f"共 {total} 份建站建议 / {total} proposals")
    if not rows:
        return None
    table = proposal_frame(rows)
    st.dataframe(table, hide_index=True)
    downloads(table, "workstation_proposals", f"{key}_proposals")
    by_number = {p.number: p for p in rows}
    number = st.selectbox(
        "查看建议 open a proposal",
        list(by_number),
        format_func=lambda n: f"{n} {by_number[n].title}",
        key=f"{key}_open",
    )
    return by_number[number]


def show_detail(state: AppState, user: User, p: ProposalOut) -> None:
    """One proposal as plain text, its proposed experts and its .docx."""
    plain("编号 number", p.number)
    plain("标题 title", p.title)
    plain("学会 society", p.society_name)
    plain("企业 enterprise", p.enterprise_name)
    plain("状态 status", STATUS[p.status])
    plain("依据 basis", p.rationale)
    plain("合作方向 topics", "、".join(p.topics))
    if p.status_note:
        plain("审核意见 note", p.status_note)
    experts = pd.DataFrame(
        [
            {
                "专家 expert": e.name,
                "职称 title": e.title,
                "单位 affiliation": e.affiliation,
                "匹配度 score": e.score,
                "推荐理由 why": e.reason,
            }
            for e in p.experts
        ]
    )
    if len(experts):
        st.dataframe(experts, hide_index=True)
    name, data = run(
        state,
        lambda s: service.proposal_document(
            session=s, settings=state.settings, actor=user, proposal_id=p.id
        ),
    )
    st.download_button(
        "下载建议书 .docx download",
        data,
        file_name=name,
        mime=MEDIA_TYPE,
        key=f"proposal_docx_{p.id}",
    )


def show_workstations(state: AppState, user: User, key: str) -> None:
    rows = run(state, lambda s: list_workstations(session=s, actor=user))
    st.caption(f"共 {len(rows)} 个工作站 / {len(rows)} workstations")
    if not rows:
        return
    table = pd.DataFrame(
        [
            {
                "工作站 workstation": w.name,
                "学会 society": w.society_name,
                "企业 enterprise": w.enterprise_name,
                "建站日期 start date": w.start_date.isoformat(),
                "进站专家 resident experts": "、".join(w.experts),
                "建议编号 proposal": w.proposal,
            }
            for w in rows
        ]
    )
    st.dataframe(table, hide_index=True)
    downloads(table, "workstations", f"{key}_workstations")
