"""百会链千企 — Streamlit workspaces for enterprises, societies and staff.

Every read and write goes through the service layer (the same rules as the API), with the
logged-in user as the actor, so the UI cannot see more than the API would show. The log-in
survives a browser refresh (``browser_session``); the store and matching engine are one per
process (``engine``, loaded at start when launched by ``serve.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_session
import engine
import navigation

from matcher.api.state import AppState
from matcher.auth.service import log_in
from matcher.config import get_settings
from matcher.errors import MatcherError
from matcher.models import User


def login(state: AppState) -> None:
    st.title("百会链千企 · 科技志愿服务对接平台")
    st.text(state.settings.org_name)
    if browser_session.cookie_token():  # logged out, or a token that no longer logs in
        browser_session.forget()
    with st.form("login"):
        username = st.text_input("用户名 Username", key="username")
        password = st.text_input("密码 Password", type="password", key="password")
        submitted = st.form_submit_button("登录 Log in")
    if not submitted:
        return
    try:
        user = log_in(
            store=state.store,
            settings=state.settings,
            username=username,
            password=password,
            client_ip=None,  # the UI process; the throttle counts it as one address
        )
    except MatcherError as exc:
        st.error(exc.message)
        return
    _start_session(user)
    st.session_state["remember"] = True  # written to the browser on the next run
    st.rerun()


def _start_session(user: User) -> None:
    st.session_state.pop("logged_out", None)
    st.session_state["user_id"] = user.id
    st.session_state["token_version"] = user.token_version


def current_user(state: AppState) -> User | None:
    """The logged-in user: this session's, else the one the browser's token names (after a
    refresh), unless this session logged out."""
    user_id = st.session_state.get("user_id")
    if user_id is None:
        if st.session_state.get("logged_out"):
            return None
        user = browser_session.user_from_cookie(state, browser_session.cookie_token())
        if user is not None:
            _start_session(user)
        return user
    with state.store.transaction() as session:
        user = session.get(User, user_id)
        stale = user is not None and user.token_version != st.session_state.get("token_version")
        if user is None or not user.is_active or stale:  # disabled, or password changed
            return None
        session.expunge(user)
        return user


def main() -> None:
    st.set_page_config(page_title="百会链千企", page_icon="🔗", layout="wide")
    state = engine.app_state(get_settings())
    user = current_user(state)
    if user is None:
        login(state)
        return
    if st.session_state.pop("remember", False):
        browser_session.remember(state, user)
    pages = navigation.pages_for(user)
    with st.sidebar:
        st.text(state.settings.org_name)
        st.text(f"{user.display_name or user.username} · {user.role.value}")  # plain text
        label = st.radio("页面 Page", [label for label, _ in pages], key="nav")
        if st.button("退出登录 Log out"):
            st.session_state.clear()
            st.session_state["logged_out"] = True  # the browser's cookie is deleted next run
            st.rerun()
    try:
        st.header(label)  # the page's name, as chosen in the sidebar
        navigation.load(dict(pages)[label])(state, user)
    except MatcherError as exc:
        st.error(exc.message)


main()
