"""Input types that are safe on every database: bounded ids and clean, bounded text."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, Field, StringConstraints

MAX_ID = 2**31 - 1
"""Primary keys are 32-bit on PostgreSQL; larger ids cannot exist."""


def _clean(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode") from None
    return value


def Text(max_length: int, min_length: int = 0):
    """A string of bounded length that every database accepts."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_clean),
    ]


Secret = Annotated[str, StringConstraints(max_length=1024), AfterValidator(_clean)]
Name = Text(200, 1)
Short = Text(100)
LongText = Text(20_000)
Keyword = Text(50, 1)
Keywords = Annotated[list[Keyword], Field(max_length=50)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
Search = Annotated[Text(100) | None, Query(description="text contained in the name/title")]
Limit = Annotated[int, Query(ge=1, le=200, description="page size (≤ 200)")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
