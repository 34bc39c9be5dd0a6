"""Password hashing, signed tokens and API keys (no database access here)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from matcher.errors import AuthenticationError

_HASHER = PasswordHasher()
ALGORITHM = "HS256"
API_KEY_PREFIX = "mk_"
# A real hash of a random password, verified when the username is unknown so that a
# failed log-in costs the same time whether or not the user exists.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """SHA-256 is enough for 32 random bytes; the hash is what the database stores."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(*, user_id: int, role: str, key: str, ttl_minutes: int) -> tuple[str, int]:
    """A signed JWT for ``user_id`` and its lifetime in seconds."""
    now = datetime.now(UTC)
    ttl = timedelta(minutes=ttl_minutes)
    claims = {"sub": str(user_id), "role": role, "iat": now, "exp": now + ttl}
    return jwt.encode(claims, key, algorithm=ALGORITHM), int(ttl.total_seconds())


def _expired() -> AuthenticationError:
    return AuthenticationError("登录已过期，请重新登录", "token expired", code="token_expired")


def decode_token(token: str, *, key: str) -> dict[str, Any]:
    """The claims of a valid token; ``AuthenticationError`` otherwise."""
    try:
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "role"]}
        )
    except jwt.ExpiredSignatureError:
        raise _expired() from None
    except jwt.PyJWTError:
        raise AuthenticationError("登录凭证无效", "invalid token", code="invalid_token") from None
    if not str(claims["sub"]).isdigit():
        raise AuthenticationError("登录凭证无效", "invalid token", code="invalid_token")
    return claims
