"""Input types that are safe on every database: bounded ids and clean, bounded text.
The request-parameter types (``IdPath``, ``Search``, ``Limit``, ``Offset``) need FastAPI and
are made when first imported, so schemas used outside the API (the CLI) do not load it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from matcher.timeutil import assume_utc

MAX_ID = 2**31 - 1
"""Primary keys are 32-bit on PostgreSQL; larger ids cannot exist."""


NO_NUL = r"^[^\x00]*$"
NON_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"


def _clean(value: str) -> str:
    if "\x00" in value:
        raise ValueError("不能含 NUL 字符 / text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("应为有效的 Unicode 文本 / text must be valid Unicode") from None
    return value


def Text(max_length: int, min_length: int = 0):
    """A string of bounded length that every database accepts (no NUL, valid Unicode);
    surrounding whitespace is dropped, and a required one must not be blank."""
    pattern = NON_BLANK if min_length else NO_NUL
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=pattern
        ),
        AfterValidator(_clean),
    ]


Secret = Annotated[str, StringConstraints(max_length=1024), AfterValidator(_clean)]
Name = Text(200, 1)
Short = Text(100)
LongText = Text(20_000)
Keyword = Text(50, 1)
Keywords = Annotated[list[Keyword], Field(max_length=50)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _parameters() -> dict[str, object]:
    from fastapi import Path, Query

    return {
        "IdPath": Annotated[int, Path(ge=1, le=MAX_ID)],
        "Search": Annotated[
            Text(100) | None, Query(description="text contained in the name/title")
        ],
        "Limit": Annotated[int, Query(ge=1, le=200, description="page size (≤ 200)")],
        "Offset": Annotated[int, Query(ge=0, le=MAX_ID)],
    }


_PARAMETERS = ("IdPath", "Search", "Limit", "Offset")


def __getattr__(name: str) -> object:
    if name in _PARAMETERS:
        globals().update(_parameters())
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


UtcDatetime = Annotated[datetime, AfterValidator(assume_utc)]
"""SQLite hands back naive UTC timestamps; the API always states the zone."""


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def _iso_only(value: object) -> object:
    """Query timestamps must be ISO 8601 text (not Unix seconds)."""
    if isinstance(value, str) and not _ISO.match(value):
        raise ValueError(
            "时间格式应为 ISO 8601，如 2026-01-31T08:00:00+08:00 / "
            "expected an ISO 8601 date-time, e.g. 2026-01-31T08:00:00+08:00"
        )
    return value


QueryDatetime = Annotated[datetime, BeforeValidator(_iso_only)]
