"""Log-in and user shapes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from matcher.models import Role


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    enterprise_id: int | None
    society_id: int | None
