"""服务活动 Activities for a society log-in: record what the society did for a partner
enterprise (结对企业, or one it serves by an assignment), list and edit its records (the
enterprise's answer shows; an edit sets it back to pending), and its volunteer hours per
expert. The same service calls as ``/api/v1/programme/activities``."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from common import downloads, run, show_error, show_invalid
from paging import done, show_done
from pydantic import ValidationError

from matcher.api.state import AppState
from matcher.errors import MatcherError
from matcher.models import User
from matcher.models.programme import PLATFORM_KINDS, SERVICE_TYPES
from matcher.programme import activities
from matcher.programme.activity_rules import PLATFORM_TYPE
from matcher.programme.schemas import ActivityIn, ActivityOut

CONFIRMATION = {
    "pending": "待确认 pending",
    "confirmed": "已确认 confirmed",
    "disputed": "有异议 disputed",
}
NEW = 0
PLATFORMS = ["", *PLATFORM_KINDS]
LIMIT = 500


def activity_frame(rows: list[ActivityOut]) -> pd.DataFrame:
    """Records as a table (shared with the staff and enterprise pages); user text as cells."""
    return pd.DataFrame(
        [
            {
                "编号 id": a.id,
                "日期 date": a.activity_date.isoformat(),
                "学会 society": a.society_name,
                "企业 enterprise": a.enterprise_name,
                "类型 type": a.service_type + (f"（{a.platform_kind}）" if a.platform_kind else ""),
                "专家 experts": "、".join(e.expert_name for e in a.experts),
                "时长 hours": a.volunteer_hours,
                "人数 participants": a.participants,
                "成效 outcome": a.outcome,
                "企业确认 confirmation": CONFIRMATION[a.confirmation.value],
                "说明 note": a.confirmation_note or "",
                "轮次 round": a.round or "",
            }
            for a in rows
        ],
        columns=[
            *("编号 id", "日期 date", "学会 society", "企业 enterprise", "类型 type"),
            *("专家 experts", "时长 hours", "人数 participants", "成效 outcome"),
            *("企业确认 confirmation", "说明 note", "轮次 round"),
        ],
    )


def hours_frame(rows: list[dict], who: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {who: r["name"], "时长 hours": r["hours"], "活动 activities": r["activities"]}
            for r in rows
        ],
        columns=[who, "时长 hours", "活动 activities"],
    )


def page(state: AppState, user: User) -> None:
    if user.society_id is None:
        st.warning("账号未绑定学会 / this log-in is not bound to a society")
        return
    show_done("activity")
    rows, total = run(
        state, lambda s: activities.list_activities(session=s, actor=user, limit=LIMIT)
    )
    society_hours = run(state, lambda s: activities.hours_by_society(session=s, actor=user))
    st.metric("志愿服务总时长 volunteer hours", f"{sum(r['hours'] for r in society_hours):g}")
    st.subheader("记录 Records")
    st.caption(f"共 {total} 条 / {total} records")
    table = activity_frame(rows)
    st.dataframe(table, hide_index=True)
    downloads(table, "activities", "society_activities")
    _form(state, user, rows)
    st.subheader("专家志愿时长 Hours per expert")
    experts = hours_frame(
        run(state, lambda s: activities.hours_by_expert(session=s, actor=user)), "专家 expert"
    )
    st.dataframe(experts, hide_index=True)
    downloads(experts, "expert_hours", "society_expert_hours")


def _form(state: AppState, user: User, rows: list[ActivityOut]) -> None:
    enterprises, experts = run(
        state,
        lambda s: activities.recording_choices(session=s, actor=user, society_id=user.society_id),
    )
    st.subheader("记录或修改 Record or edit")
    by_id = {a.id: a for a in rows}
    chosen = st.selectbox(
        "记录 record",
        [NEW, *by_id],
        format_func=lambda i: "新记录 new" if i == NEW else f"{i} · {by_id[i].activity_date}",
        key="activity_choice",
    )
    old = by_id.get(chosen)
    if old is not None:
        enterprises.setdefault(old.enterprise_id, old.enterprise_name)
    if not enterprises:
        st.info("尚无结对或服务中的企业 / no partner enterprise yet")
        return
    with st.form(f"activity_form_{chosen}"):
        ent_ids = list(enterprises)
        enterprise = st.selectbox(
            "企业 enterprise",
            ent_ids,
            index=ent_ids.index(old.enterprise_id) if old else 0,
            format_func=enterprises.get,
        )
        a, b = st.columns(2)
        kind = a.selectbox(
            "服务类型 type",
            SERVICE_TYPES,
            index=SERVICE_TYPES.index(old.service_type) if old else 0,
        )
        platform = b.selectbox(
            "平台类型（平台建设）platform",
            PLATFORMS,
            index=PLATFORMS.index(old.platform_kind or "") if old else 0,
        )
        c, d, e = st.columns(3)
        day = c.date_input("日期 date", old.activity_date if old else date.today())
        hours = d.number_input(
            "志愿时长（小时，合计）hours",
            0.0,
            100000.0,
            old.volunteer_hours if old else 0.0,
            0.5,
            key=f"activity_hours_{chosen}",
        )
        people = e.number_input(
            "参与人数 participants", 0, 1_000_000, old.participants if old else 0
        )
        named = st.multiselect(
            "参与专家 experts",
            list(experts),
            default=[x.expert_id for x in old.experts if x.expert_id in experts] if old else [],
            format_func=experts.get,
        )
        outcome = st.text_area("成效 outcome", old.outcome if old else "")
        submitted = st.form_submit_button("保存 Save", type="primary")
    if submitted:
        _save(state, user, chosen, enterprise, kind, platform, day, hours, people, named, outcome)


def _save(state, user, chosen, enterprise, kind, platform, day, hours, people, named, outcome):
    try:
        data = ActivityIn(
            enterprise_id=enterprise,
            service_type=kind,
            platform_kind=(platform or None) if kind == PLATFORM_TYPE else None,
            activity_date=day,
            volunteer_hours=hours,
            participants=people,
            expert_ids=named,
            outcome=outcome,
        )
    except ValidationError as exc:
        show_invalid(exc)
        return
    try:
        if chosen == NEW:
            saved = run(
                state, lambda s: activities.record_activity(session=s, actor=user, data=data)
            )
        else:
            saved = run(
                state,
                lambda s: activities.update_activity(
                    session=s, actor=user, activity_id=chosen, data=data
                ),
            )
    except MatcherError as exc:
        show_error(exc)
        return
    done("activity", f"已保存记录 {saved.id} / record {saved.id} saved")
