"""Timestamps as every layer needs them: SQLite hands back naive UTC values, PostgreSQL
aware ones, and aware and naive values cannot be compared."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


@overload
def assume_utc(value: datetime) -> datetime: ...
@overload
def assume_utc(value: None) -> None: ...
def assume_utc(value: datetime | None) -> datetime | None:
    """``value`` with its zone stated: a naive value is taken as UTC (as SQLite stores it),
    an aware one is returned as it is, None stays None."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
