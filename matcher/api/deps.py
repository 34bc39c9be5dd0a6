"""FastAPI dependencies: the per-request transaction, the acting user, the runtime."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session

from matcher.api.state import AppState
from matcher.auth import policy
from matcher.auth.security import API_KEY_PREFIX
from matcher.auth.service import user_from_api_key, user_from_token
from matcher.config import Settings
from matcher.errors import AuthenticationError
from matcher.models import User

TOKEN_URL = "/api/v1/auth/token"
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


async def get_state(request: Request) -> AppState:
    # async: pure look-ups run on the event loop, sparing a thread-pool hop per request
    return request.app.state.matcher


StateDep = Annotated[AppState, Depends(get_state)]


async def get_settings_dep(state: StateDep) -> Settings:
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(state: StateDep) -> Iterator[Session]:
    """One transaction per request: committed when the route succeeds, else rolled back."""
    with state.store.transaction() as session:
        yield session


# scope="function": commit before the response is sent, so a failed commit is an error reply.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_actor(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> User:
    if token and token.startswith(API_KEY_PREFIX):  # an API key sent as a bearer token
        return user_from_api_key(session=session, key=token)
    if token:
        return user_from_token(session=session, settings=settings, token=token)
    if api_key:
        return user_from_api_key(session=session, key=api_key)
    raise AuthenticationError("请先登录", "authentication required", code="unauthenticated")


ActorDep = Annotated[User, Depends(get_actor)]


def get_staff(actor: ActorDep) -> User:
    """The acting user, who must be staff or admin (403 otherwise)."""
    policy.require_staff(actor)
    return actor


StaffDep = Annotated[User, Depends(get_staff)]
"""Declares a route staff-only in its signature."""


def metrics_access(
    state: StateDep,
    token: Annotated[str | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> None:
    """``/metrics``: open when configured so, else staff only."""
    if state.settings.metrics_public:
        return
    with state.store.transaction() as session:
        actor = get_actor(session, state.settings, token, api_key)
        policy.require_staff(actor)
