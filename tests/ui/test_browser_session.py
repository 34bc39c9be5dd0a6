"""The token kept in the browser across a refresh logs in only while the API would accept it:
not expired, not forged, not issued before a password change, not for a disabled user."""

from __future__ import annotations

import browser_session
import pytest

from matcher.api.state import AppState
from matcher.auth import security
from matcher.auth.actors import SYSTEM_CLI
from matcher.auth.service import change_password, issue_token, set_active
from matcher.config import Settings
from matcher.db import Store
from matcher.models import Role, User
from tests.api.conftest import make_user


@pytest.fixture
def state(store: Store, settings: Settings) -> AppState:
    return AppState(settings, store)


@pytest.fixture
def user(store: Store) -> User:
    with store.transaction() as s:
        user = make_user(s, "ent", Role.STAFF)
        s.flush()
        s.expunge(user)
    return user


def test_a_fresh_token_logs_its_user_in(state: AppState, user: User) -> None:
    token, ttl = issue_token(settings=state.settings, user=user)
    assert ttl == state.settings.token_ttl_minutes * 60  # the cookie's max-age
    found = browser_session.user_from_cookie(state, token)
    assert found is not None and found.id == user.id


def test_no_token_logs_no_one_in(state: AppState) -> None:
    assert browser_session.user_from_cookie(state, None) is None
    assert browser_session.user_from_cookie(state, "") is None


def test_an_expired_token_logs_no_one_in(state: AppState, user: User) -> None:
    token, _ = security.issue_token(
        user_id=user.id, role="staff", key=state.settings.signing_key(), ttl_minutes=-1
    )
    assert browser_session.user_from_cookie(state, token) is None


@pytest.mark.parametrize("forge", ["other key", "tampered", "garbage"])
def test_a_forged_token_logs_no_one_in(state: AppState, user: User, forge: str) -> None:
    good, _ = issue_token(settings=state.settings, user=user)
    forged = {
        "other key": security.issue_token(
            user_id=user.id, role="admin", key="k" * 16 + "another-signing-key", ttl_minutes=60
        )[0],
        "tampered": good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
        "garbage": "not.a.token",
    }[forge]
    assert browser_session.user_from_cookie(state, forged) is None


def test_a_password_change_or_disabling_ends_it(state: AppState, user: User) -> None:
    token, _ = issue_token(settings=state.settings, user=user)
    with state.store.transaction() as s:
        change_password(session=s, actor=SYSTEM_CLI, username="ent", password="new-Password-42")
    assert browser_session.user_from_cookie(state, token) is None
    with state.store.transaction() as s:
        fresh, _ = issue_token(settings=state.settings, user=s.get(User, user.id))
        set_active(session=s, actor=SYSTEM_CLI, username="ent", active=False)
    assert browser_session.user_from_cookie(state, fresh) is None
