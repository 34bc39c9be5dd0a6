"""Shapes of the import API: saved column mappings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from matcher.api.types import Text, UtcDatetime
from matcher.imports.columns import KINDS

MAX_ENTRIES = 500
MAX_HEADER = 200

Header = Text(MAX_HEADER, 1)
Target = Text(100, 1)
KindName = Literal[tuple(KINDS)]  # type: ignore[valid-type]


class ImportMappingIn(BaseModel):
    kind: KindName
    mapping: Annotated[
        dict[Header, Target],
        Field(
            max_length=MAX_ENTRIES,
            description='"column as in the file" → a field, a header we know, or "ignore"',
            examples=[{"申报单位名称": "enterprise_name", "需求背景": "ignore"}],
        ),
    ]


class ImportMappingOut(BaseModel):
    name: str
    kind: str = Field(description="societies, experts, enterprises or needs")
    mapping: dict[str, str] = Field(description='"column as in the file" → field, or "ignore"')
    created_by: str = Field(description="who saved it first")
    created_at: UtcDatetime
    updated_at: UtcDatetime
