"""A one-row counter that database triggers bump on every change to the profiles the
matching engine indexes (societies, experts, memberships), whoever writes them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from matcher.models.base import Base


class ProfileRevision(Base):
    __tablename__ = "profile_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(32))  # random per database: no reuse across stores
    revision: Mapped[int] = mapped_column(BigInteger, default=0)
