"""Expert shapes; phone and e-mail only for staff and the expert's own societies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from matcher.api.fields import City, Email, Phone
from matcher.api.types import Id, Keywords, LongText, Short, Text


class ExpertUpdate(BaseModel):
    name: Text(100, 1) | None = None
    title: Short | None = None
    affiliation: Text(200) | None = None
    city: City | None = None
    research_areas: Keywords | None = None
    profile: LongText | None = None
    phone: Phone | None = None
    email: Email | None = None


class ExpertCreate(ExpertUpdate):
    name: Text(100, 1)
    society_id: Id | None = Field(
        default=None, description="staff: required; a society user adds to its own society"
    )


class ExpertOut(BaseModel):
    id: int
    external_id: str
    name: str
    title: str | None
    affiliation: str | None
    city: str | None
    research_areas: list[str]
    profile: str
    society_ids: list[int]
    contact_visible: bool = Field(description="false: phone and e-mail withheld")
    phone: str | None = None
    email: str | None = None
