"""A log-in that survives a browser refresh: the API's signed, expiring token (``issue_token``)
kept in a browser cookie (``SameSite=Strict``, max-age = the token's lifetime) and read back
from the next session's first request (``st.context.cookies``).

The token is checked as the API checks it (``user_from_token``): expired, forged, or issued
before a password or role change, or to a user since disabled, it logs no one in. Log-out
deletes the cookie.
"""

from __future__ import annotations

import json

import streamlit as st

from matcher.api.state import AppState
from matcher.auth.service import issue_token, user_from_token
from matcher.errors import MatcherError
from matcher.models import User

COOKIE = "matcher_session"


def user_from_cookie(state: AppState, token: str | None) -> User | None:
    """The active user the token names, or ``None`` when it is missing or no longer valid."""
    if not token:
        return None
    try:
        with state.store.transaction() as session:
            user = user_from_token(session=session, settings=state.settings, token=token)
            session.expunge(user)
            return user
    except MatcherError:
        return None


def cookie_token() -> str | None:
    """The token the browser sent when this session opened (refreshes open a new one)."""
    return st.context.cookies.get(COOKIE)


def _set_cookie(value: str, max_age: int) -> None:
    """Write the cookie on the app's own page (the component runs in a same-origin frame)."""
    script = f"""<script>
    const page = window.parent;
    const secure = page.location.protocol === "https:" ? "; Secure" : "";
    page.document.cookie = {json.dumps(COOKIE)} + "=" + {json.dumps(value)}
        + "; Max-Age={int(max_age)}; Path=/; SameSite=Strict" + secure;
    </script>"""
    st.iframe(script, width=1, height=1)  # fixed size: no content measuring


def remember(state: AppState, user: User) -> None:
    """Keep a fresh token for ``user`` in the browser for the token's lifetime."""
    token, ttl = issue_token(settings=state.settings, user=user)
    _set_cookie(token, ttl)


def forget() -> None:
    """Delete the cookie (log-out, or a token that no longer logs anyone in)."""
    _set_cookie("", 0)
