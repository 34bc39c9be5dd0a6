"""Conflicts of interest (利益冲突): the list with names, paged; add one (an expert or a
society that must never serve an enterprise); delete one; import a file of them (the
import service: all or nothing, row errors as a table)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import downloads, run, show_error, show_invalid
from paging import done, paging, show_done, total_caption
from pydantic import ValidationError

from matcher.api.state import AppState
from matcher.assignments.conflict_names import NamedConflict, named_conflicts, party_choices
from matcher.assignments.conflicts import create_conflict, delete_conflict
from matcher.assignments.rule_schemas import ExpertConflict, SocietyConflict
from matcher.errors import MatcherError
from matcher.imports.service import import_file
from matcher.models import User

PARTIES = {"expert": "专家 expert", "society": "学会 society"}
COLUMNS = [
    *("编号 id", "企业 enterprise", "类型 kind", "专家或学会 expert or society", "原因 reason"),
    *("来源 source", "登记人 by", "时间 at"),
]


def page(state: AppState, user: User) -> None:
    show_done("conflicts")
    limit, offset = paging("conflicts")
    rows, total = run(
        state, lambda s: named_conflicts(session=s, actor=user, limit=limit, offset=offset)
    )
    total_caption(total, limit, offset)
    table = pd.DataFrame([_row(r) for r in rows], columns=COLUMNS)
    st.dataframe(table, hide_index=True)
    downloads(table, "conflicts", "conflicts")
    for section in (_delete, _add, _import):
        try:
            section(state, user, rows)
        except MatcherError as exc:  # shown under its own form, the others stay
            show_error(exc)
        except ValidationError as exc:
            show_invalid(exc)


def _row(r: NamedConflict) -> tuple:
    c = r.conflict
    return (
        c.id,
        r.enterprise,
        PARTIES[r.party_kind],
        r.party,
        c.reason,
        c.source.value,
        c.created_by,
        c.created_at.strftime("%Y-%m-%d %H:%M"),
    )


def _delete(state: AppState, user: User, rows: list[NamedConflict]) -> None:
    if not rows:
        return
    labels = {f"#{r.conflict.id} {r.enterprise} ✕ {r.party}": r.conflict.id for r in rows}
    left, right = st.columns([3, 1])
    chosen = left.selectbox("删除本页一条 delete one", list(labels), key="conflict_pick")
    if right.button("删除 Delete", key="conflict_delete"):
        run(state, lambda s: delete_conflict(session=s, actor=user, conflict_id=labels[chosen]))
        done("conflicts", "已删除 / deleted")


def _add(state: AppState, user: User, _rows: list[NamedConflict]) -> None:
    st.subheader("登记利益冲突 Add a conflict of interest")
    choices = run(state, lambda s: party_choices(session=s, actor=user))
    kind = st.radio(
        "对象 party", list(PARTIES), format_func=PARTIES.__getitem__, key="conflict_kind"
    )
    with st.form("add_conflict"):
        enterprise = st.selectbox(
            "企业 enterprise",
            list(choices["enterprise"]),
            format_func=choices["enterprise"].__getitem__,
            key="conflict_enterprise",
        )
        party = st.selectbox(
            PARTIES[kind],
            list(choices[kind]),
            format_func=choices[kind].__getitem__,
            key="conflict_party",
        )
        reason = st.text_input("原因 reason", key="conflict_reason")
        if not st.form_submit_button("登记 Add"):
            return
    data = (
        ExpertConflict(enterprise_id=enterprise, expert_id=party, reason=reason)
        if kind == "expert"
        else SocietyConflict(enterprise_id=enterprise, society_id=party, reason=reason)
    )
    run(state, lambda s: create_conflict(session=s, actor=user, data=data))
    done("conflicts", "已登记 / added")


def _import(state: AppState, user: User, _rows: list[NamedConflict]) -> None:
    st.subheader("导入 Import")
    st.caption("列 columns: 企业编号, 专家编号 或 学会编号, 原因 (.csv / .xlsx / .jsonl)")
    upload = st.file_uploader("利益冲突文件 conflicts file", key="conflict_file")
    if upload is None or not st.button("导入 Import", key="conflict_import"):
        return
    report = run(
        state,
        lambda s: import_file(
            session=s, actor=user, kind="conflicts", filename=upload.name, data=upload.getvalue()
        ),
    )
    done(
        "conflicts",
        f"新增 {report.created} · 更新 {report.updated} · 未变 {report.unchanged}",
        report.warnings,
    )
