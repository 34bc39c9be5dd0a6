"""Staff audit trail (审计): who did what to which record, filtered (actor, action, target
type, dates) and paged; targets by name (``audit.service.target_labels``), bulk events by
what they covered."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st
from common import downloads, run
from paging import choice, paging, total_caption

from matcher.api.state import AppState
from matcher.audit.service import audit_facets, audit_page
from matcher.models import User
from matcher.timeutil import day_start

COLUMNS = [
    *("时间 at", "操作者 actor", "操作 action", "对象类型 target type", "对象 target"),
    *("数量 count", "详情 detail"),
]


def _instant(day: date | None, days: int = 0) -> datetime | None:
    """The start (UTC) of ``day`` + ``days``; none for no day."""
    return None if day is None else day_start(day + timedelta(days))


def page(state: AppState, user: User) -> None:
    facets = run(state, lambda s: audit_facets(session=s, actor=user))
    a, b, c, d, e = st.columns(5)
    filters = {
        "actor_label": choice(a, "操作者 actor", facets["actor_label"], "audit_actor"),
        "action": choice(b, "操作 action", facets["action"], "audit_action"),
        "target_type": choice(c, "对象类型 target type", facets["target_type"], "audit_type"),
        "since": _instant(d.date_input("起 from", value=None, key="audit_from")),
        "until": _instant(e.date_input("止 to", value=None, key="audit_to"), days=1),
    }
    limit, offset = paging("audit")
    rows, total = run(
        state,
        lambda s: audit_page(session=s, actor=user, limit=limit, offset=offset, **filters),
    )
    total_caption(total, limit, offset)
    table = pd.DataFrame(
        [
            (
                event.at.strftime("%Y-%m-%d %H:%M:%S"),
                event.actor_label,
                event.action,
                event.target_type,
                label,
                event.count,
                json.dumps(event.detail or {}, ensure_ascii=False),
            )
            for event, label in rows
        ],
        columns=COLUMNS,
    )
    st.dataframe(table, hide_index=True)
    downloads(table, "audit", "audit")
