"""``POST /auth/token`` (OAuth2 password flow) and ``GET /auth/me``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from matcher.api.deps import ActorDep, StateDep
from matcher.api.types import Secret, Text
from matcher.auth import service
from matcher.auth.schemas import Token, UserOut

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=Token)
def login(
    request: Request,
    state: StateDep,
    username: Annotated[Text(64, 1), Form()],
    password: Annotated[Secret, Form()],
) -> Token:
    """Exchange a username and password for a signed, expiring bearer token.

    Failed attempts are audited and throttled per username and client address, per
    address and per username (429 with ``Retry-After``, doubling on repeated blocks).
    """
    client_ip = request.client.host if request.client else None
    user = service.log_in(
        store=state.store,
        settings=state.settings,
        username=username,
        password=password,
        client_ip=client_ip,
    )
    token, ttl = service.issue_token(settings=state.settings, user=user)
    return Token(access_token=token, expires_in=ttl)


@router.get("/me", response_model=UserOut)
def me(actor: ActorDep) -> UserOut:
    """The user behind the token or API key."""
    return UserOut.model_validate(actor)
