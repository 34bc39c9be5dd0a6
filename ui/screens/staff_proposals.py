"""工作站 Workstations (staff): generate expert-workstation proposals by the rule (a dry run
first, showing which pairs qualify and why), list and filter them, start one by hand for any
pair, submit / approve / reject with a note, download each .docx and the meeting summary,
and list the workstations approvals created. All through ``matcher.proposals``."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import attempt, run, show_error, show_lines

from matcher.api.state import AppState
from matcher.enterprises.service import list_enterprises
from matcher.errors import MatcherError
from matcher.models import ProposalStatus, User
from matcher.proposals import drafting, lifecycle, service, summary
from matcher.proposals.rules import ROUTE_LABELS, Criteria, judge
from matcher.proposals.schemas import GenerateOut, ProposalCreate, ProposalOut
from matcher.societies.service import list_societies
from screens.party_proposals import (
    ALL,
    LIMIT,
    show_detail,
    show_proposals,
    show_workstations,
    status_filter,
)

DONE = "proposals_done"
GENERATED = "proposals_generated"
OUTCOMES = {
    "created": "已生成 created",
    "would_create": "将生成 would create",
    "exists": "已有建议 has an open or approved one",
    "rejected_before": "上次未通过 rejected since its last service",
}
MOVES = {  # status → the moves staff can make from it
    ProposalStatus.DRAFT: [lifecycle.Action.SUBMIT, lifecycle.Action.REJECT],
    ProposalStatus.SUBMITTED: [lifecycle.Action.APPROVE, lifecycle.Action.REJECT],
}
MOVE_LABELS = {
    lifecycle.Action.SUBMIT: "提交 Submit",
    lifecycle.Action.APPROVE: "批准（建站）Approve",
    lifecycle.Action.REJECT: "不予通过 Reject",
}
MANY = 5000


def page(state: AppState, user: User) -> None:
    if DONE in st.session_state:
        st.success("已完成 / done")
        st.text(st.session_state.pop(DONE))  # names users typed: plain text
    generate, proposals, by_hand, stations = st.tabs(
        ["生成 Generate", "建站建议 Proposals", "手动发起 Start by hand", "工作站 Workstations"]
    )
    with generate:
        generate_section(state, user)
    with proposals:
        proposals_section(state, user)
    with by_hand:
        by_hand_section(state, user)
    with stations:
        show_workstations(state, user, "staff")


# ---- generate --------------------------------------------------------------------------


def generate_section(state: AppState, user: User) -> None:
    criteria = Criteria.from_settings(state.settings)
    st.text("推荐条件 the rule (settings MATCHER_WORKSTATION_*):")
    st.text(criteria.describe())
    left, right = st.columns(2)
    for column, dry_run, label in (
        (left, True, "试运行 Dry run"),
        (right, False, "生成建议 Generate"),
    ):
        if column.button(label, key=f"proposals_{'dry_run' if dry_run else 'generate'}"):
            try:
                st.session_state[GENERATED] = _generate(state, user, dry_run=dry_run)
            except MatcherError as exc:
                show_error(exc)
    got: GenerateOut | None = st.session_state.get(GENERATED)
    if got is None:
        return
    if got.dry_run:
        st.info("试运行：未保存任何建议 / dry run: nothing was saved")
    else:
        st.success(
            f"新建 {got.created} 份，更新草稿 {got.refreshed} 份 / {got.created} created, "
            f"{got.refreshed} drafts refreshed"
        )
    st.caption(f"符合条件的组合 {len(got.candidates)} 个 / {len(got.candidates)} qualifying pairs")
    if got.candidates:
        st.dataframe(candidate_frame(got, criteria), hide_index=True)


def _generate(state: AppState, user: User, *, dry_run: bool) -> GenerateOut:
    return run(
        state,
        lambda s: drafting.generate(
            session=s, settings=state.settings, actor=user, dry_run=dry_run
        ),
    )


def candidate_frame(got: GenerateOut, criteria: Criteria) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "学会 society": c.society_name,
                "企业 enterprise": c.enterprise_name,
                "途径 route": ROUTE_LABELS[c.route],
                "已完成服务 services": c.services,
                "平均评分 mean rating": c.mean_rating,
                "学会匹配度 society score": c.society_score,
                "候选专家 candidate experts": c.experts,
                "结果 outcome": OUTCOMES[c.outcome],
                "依据 why": criteria.describe(c.route),
            }
            for c in got.candidates
        ]
    )


# ---- list, read, move ------------------------------------------------------------------


def proposals_section(state: AppState, user: User) -> None:
    everything, _ = run(
        state,
        lambda s: service.list_proposals(
            session=s, settings=state.settings, actor=user, limit=LIMIT
        ),
    )
    societies = {p.society_id: p.society_name for p in everything}
    enterprises = {p.enterprise_id: p.enterprise_name for p in everything}
    left, middle, right = st.columns(3)
    with left:
        status = status_filter("staff_status")
    society = middle.selectbox(
        "学会 society",
        [ALL, *societies],
        format_func=lambda i: societies.get(i, ALL),
        key="staff_proposal_society",
    )
    enterprise = right.selectbox(
        "企业 enterprise",
        [ALL, *enterprises],
        format_func=lambda i: enterprises.get(i, ALL),
        key="staff_proposal_enterprise",
    )
    rows, total = run(
        state,
        lambda s: service.list_proposals(
            session=s,
            settings=state.settings,
            actor=user,
            status=status,
            society_id=None if society == ALL else society,
            enterprise_id=None if enterprise == ALL else enterprise,
            limit=LIMIT,
        ),
    )
    chosen = show_proposals(state, user, rows, total, "staff")
    if chosen is not None:
        show_detail(state, user, chosen)
        move_form(state, user, chosen)
    st.text("会议汇总 summary of all proposals for the staff meeting:")
    summary_downloads(state, user)


def move_form(state: AppState, user: User, p: ProposalOut) -> None:
    moves = MOVES.get(p.status, [])
    if not moves:
        return
    note = st.text_area("审核意见 note（不予通过时必填 required to reject）", key=f"note_{p.id}")
    for column, action in zip(st.columns(len(moves)), moves, strict=True):
        if column.button(MOVE_LABELS[action], key=f"proposal_{action.value}_{p.id}"):
            attempt(
                state,
                lambda s, action=action: lifecycle.transition(
                    session=s,
                    settings=state.settings,
                    actor=user,
                    proposal_id=p.id,
                    action=action,
                    note=note.strip() or None,
                ),
                f"{p.number}：{MOVE_LABELS[action]} / done",
                key=DONE,
            )


def summary_downloads(state: AppState, user: User) -> None:
    left, right = st.columns(2)
    for column, fmt, mime in (
        (left, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (right, "csv", "text/csv"),
    ):
        data = run(
            state,
            lambda s, fmt=fmt: summary.summary_bytes(
                session=s, settings=state.settings, actor=user, fmt=fmt
            ),
        )
        column.download_button(
            f"汇总表 summary {fmt.upper()}",
            data,
            file_name=f"{summary.TITLE}.{fmt}",
            mime=mime,
            key=f"proposal_summary_{fmt}",
        )


# ---- by hand ---------------------------------------------------------------------------


def by_hand_section(state: AppState, user: User) -> None:
    societies, enterprises = run(
        state,
        lambda s: (
            list_societies(session=s, q=None, city=None, limit=MANY, offset=0)[0],
            list_enterprises(session=s, actor=user, limit=MANY)[0],
        ),
    )
    if not societies or not enterprises:
        st.info("尚无学会或企业 / no societies or enterprises yet")
        return
    soc_names = {x.id: x.name for x in societies}
    ent_names = {x.id: x.name for x in enterprises}
    society = st.selectbox(
        "学会 society", list(soc_names), format_func=soc_names.get, key="hand_society"
    )
    enterprise = st.selectbox(
        "企业 enterprise", list(ent_names), format_func=ent_names.get, key="hand_enterprise"
    )
    criteria = Criteria.from_settings(state.settings)
    verdict = run(state, lambda s: judge(s, criteria, society_id=society, enterprise_id=enterprise))
    history = verdict.history
    st.text(
        f"已完成服务 completed services: {history.services}；平均评分 mean rating: "
        f"{'—' if history.mean_rating is None else f'{history.mean_rating:.1f}'}；"
        f"候选专家 candidate experts: {len(verdict.candidates)}"
    )
    if history.services == 0:
        st.warning(
            "该学会与企业没有共同服务记录：只能手动发起，建议书将注明 / no shared history: "
            "only staff can start this proposal, and its document says so"
        )
    if verdict.excluded:
        show_lines("不能发起 ruled out", [verdict.excluded])
    elif verdict.qualifies:
        st.info(
            f"该组合符合推荐条件（{ROUTE_LABELS[verdict.route]}）/ the pair qualifies by the rule"
        )
    else:
        show_lines("未达到推荐条件 what the pair lacks", verdict.shortfalls)
    note = st.text_input("说明 note（可选 optional）", key="hand_note")
    if st.button("发起建议 Start proposal", key="hand_start"):
        attempt(
            state,
            lambda s: drafting.create_by_hand(
                session=s,
                settings=state.settings,
                actor=user,
                data=ProposalCreate(
                    society_id=society, enterprise_id=enterprise, note=note.strip() or None
                ),
            ),
            f"已发起：{soc_names[society]} × {ent_names[enterprise]} / proposal started",
            key=DONE,
        )
