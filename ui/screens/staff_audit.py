"""Staff audit trail (审计): who did what, to which records."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import run

from matcher.api.state import AppState
from matcher.audit.service import list_events
from matcher.models import User


def page(state: AppState, user: User) -> None:
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
