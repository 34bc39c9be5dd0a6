"""Timestamps as every layer needs them: SQLite hands back naive UTC values, PostgreSQL
aware ones, and aware and naive values cannot be compared; days as UTC ranges for filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, overload

from sqlalchemy import ColumnElement


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


def day_start(day: date) -> datetime:
    """Midnight UTC starting ``day``."""
    return datetime.combine(day, time(), tzinfo=UTC)


def within_days(column: Any, first: date | None, last: date | None) -> list[ColumnElement[bool]]:
    """``column`` (a UTC timestamp) on or after day ``first`` and on or before day ``last``
    (either end left open when not given)."""
    conditions: list[ColumnElement[bool]] = []
    if first is not None:
        conditions.append(column >= day_start(first))
    if last is not None:
        conditions.append(column < day_start(last + timedelta(days=1)))
    return conditions
