"""Password hashing, signed tokens and API keys (no database access here)."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from matcher.errors import AuthenticationError, ServiceBusyError

_HASHER = PasswordHasher()
ALGORITHM = "HS256"
API_KEY_PREFIX = "mk_"
MAX_USER_ID = 2**31 - 1
_USER_ID = re.compile(r"[1-9][0-9]{0,9}", re.ASCII)
# A real hash of a random password, verified when the username is unknown so that a
# failed log-in costs the same time whether or not the user exists.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

HASH_SLOTS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
"""Password hashes computed at once: argon2 takes 64 MiB and one core each, so a burst of
log-ins queues here instead of growing the process by 64 MiB per request."""
_SLOTS = threading.BoundedSemaphore(max(1, HASH_SLOTS or 1))
HASH_WAIT_SECONDS = 20.0
T = TypeVar("T")


def _bounded(fn: Callable[[], T]) -> T:
    if not _SLOTS.acquire(timeout=HASH_WAIT_SECONDS):
        raise ServiceBusyError()
    try:
        return fn()
    finally:
        _SLOTS.release()


def hash_password(password: str) -> str:
    return _bounded(lambda: _HASHER.hash(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return _bounded(verify)


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """SHA-256 is enough for 32 random bytes; the hash is what the database stores."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(
    *, user_id: int, role: str, key: str, ttl_minutes: int, version: int = 0
) -> tuple[str, int]:
    """A signed JWT for ``user_id`` and its lifetime in seconds; ``version`` is the user's
    token version, so that a password change invalidates the token."""
    now = datetime.now(UTC)
    ttl = timedelta(minutes=ttl_minutes)
    claims = {"sub": str(user_id), "role": role, "ver": version, "iat": now, "exp": now + ttl}
    return jwt.encode(claims, key, algorithm=ALGORITHM), int(ttl.total_seconds())


def _expired() -> AuthenticationError:
    return AuthenticationError("登录已过期，请重新登录", "token expired", code="token_expired")


def decode_token(token: str, *, key: str) -> dict[str, Any]:
    """The claims of a valid token; ``AuthenticationError`` otherwise."""
    try:
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "role", "ver"]}
        )
    except jwt.ExpiredSignatureError:
        raise _expired() from None
    except jwt.PyJWTError:
        raise _invalid() from None
    if not user_id_of(claims) or type(claims["ver"]) is not int:
        raise _invalid()
    return claims


def _invalid() -> AuthenticationError:
    return AuthenticationError("登录凭证无效", "invalid token", code="invalid_token")


def user_id_of(claims: dict[str, Any]) -> int | None:
    """The user id a token names: ASCII digits only ("٤" is not 4), within the id range."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not _USER_ID.fullmatch(sub) or int(sub) > MAX_USER_ID:
        return None
    return int(sub)
