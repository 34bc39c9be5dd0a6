"""The log-in throttle: failed attempts counted per user *and* address, per address, and
per user over all addresses, each with one atomic upsert so that parallel attempts cannot
race past the limit; limits that are hit block the key with a doubling back-off.

An attempt first *reserves* its place (the counters are incremented before the password is
checked, in a transaction committed at once); a successful log-in gives the reservation
back. So 24 parallel wrong passwords under a limit of 10 give 10 refusals of the password
and 14 answers of 429, whatever the timing.

A stranger cannot lock a user out: his attempts fill the counters of his own address (and
of the user *from his address*) long before the user's own counter, which needs
``USER_FACTOR`` × the limit from many addresses; a refused attempt is not counted against
the user.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from matcher.errors import RateLimitedError
from matcher.models import LoginThrottle

WINDOW = 60.0
"""Seconds over which failed attempts are counted."""
ADDRESS_FACTOR = 5
"""One address may fail this many times the limit, over all usernames."""
USER_FACTOR = 10
"""One username may fail this many times the limit, over all addresses."""
MAX_BLOCK = 3600.0
QUIET = 3600.0
"""A key not blocked for this long starts its back-off again from one window."""


@dataclass(frozen=True)
class ThrottleKey:
    key: str
    allowed: int


def keys_for(username: str, client_ip: str | None, limit: int) -> list[ThrottleKey]:
    """The keys one attempt counts against, the user-wide one last (it is only counted when
    the narrower ones let the attempt through)."""
    user = username.strip()[:64]
    address = (client_ip or "local")[:64]
    return [
        ThrottleKey(f"ua:{user}|{address}", limit),
        ThrottleKey(f"a:{address}", limit * ADDRESS_FACTOR),
        ThrottleKey(f"u:{user}", limit * USER_FACTOR),
    ]


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _bump(session: Session, key: str, now: float) -> LoginThrottle:
    """Count one attempt on ``key`` (a new window when the last one is over); the row stays
    locked until the caller's transaction ends."""
    t = LoginThrottle.__table__
    expired = t.c.window_start <= now - WINDOW
    stmt = (
        _insert(session)(t)
        .values(key=key, window_start=now, count=1, strikes=0, blocked_until=0.0)
        .on_conflict_do_update(
            index_elements=[t.c.key],
            set_={
                "count": case((expired, 1), else_=t.c.count + 1),
                "window_start": case((expired, now), else_=t.c.window_start),
            },
        )
        .returning(t.c.count, t.c.window_start, t.c.strikes, t.c.blocked_until)
    )
    return session.execute(stmt).one()


def _refuse(retry: float) -> RateLimitedError:
    seconds = max(1, math.ceil(retry))
    return RateLimitedError(
        f"登录失败次数过多，请 {seconds} 秒后再试",
        f"too many failed log-ins, retry in {seconds} s",
        details={"retry_after": seconds},
    )


def reserve(
    *, session: Session, username: str, client_ip: str | None, limit: int, now: float | None = None
) -> None:
    """Count this attempt, or raise ``RateLimitedError`` (with ``retry_after``) when one of
    its keys is blocked or over its limit. The caller commits either way."""
    now = time.time() if now is None else now
    for spec in keys_for(username, client_ip, limit):
        row = _bump(session, spec.key, now)
        if row.blocked_until > now:
            raise _refuse(row.blocked_until - now)
        if row.count > spec.allowed:
            strikes = row.strikes + 1 if row.blocked_until > now - QUIET else 1
            if strikes == 1:  # the rest of this window
                duration = max(1.0, row.window_start + WINDOW - now)
            else:  # then 2, 4, 8 … windows, at most an hour
                duration = min(MAX_BLOCK, WINDOW * 2 ** (strikes - 1))
            session.execute(
                update(LoginThrottle)
                .where(LoginThrottle.key == spec.key)
                .values(strikes=strikes, blocked_until=now + duration)
            )
            raise _refuse(duration)


def release(*, session: Session, username: str, client_ip: str | None, limit: int) -> None:
    """A successful log-in: its reservation is given back, and the user's own counter from
    this address is cleared (back-off included)."""
    pair, *others = keys_for(username, client_ip, limit)
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == pair.key)
        .values(count=0, strikes=0, blocked_until=0.0)
    )
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key.in_([k.key for k in others]), LoginThrottle.count > 0)
        .values(count=LoginThrottle.count - 1)
    )


def forget_expired(*, session: Session, now: float | None = None) -> int:
    """Delete counters whose window and block are long over (keeps the table small)."""
    now = time.time() if now is None else now
    horizon = now - max(QUIET, MAX_BLOCK) - WINDOW
    old = select(LoginThrottle.key).where(
        LoginThrottle.window_start < horizon, LoginThrottle.blocked_until < horizon
    )
    keys = list(session.scalars(old.limit(1000)))
    if keys:
        session.execute(LoginThrottle.__table__.delete().where(LoginThrottle.key.in_(keys)))
    return len(keys)


__all__ = ["forget_expired", "keys_for", "release", "reserve"]
