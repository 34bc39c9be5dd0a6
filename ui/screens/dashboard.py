"""Staff dashboard (数据看板): needs, matches, societies' load and response, services."""

from __future__ import annotations

import streamlit as st

from matcher.api.state import AppState
from matcher.models import User


def page(state: AppState, user: User) -> None:
    st.info("数据看板建设中 / dashboard coming")
