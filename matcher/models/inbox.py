"""When a society user last opened the lead inbox, so that later leads can be marked new."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from matcher.models.base import Base, utcnow


class InboxVisit(Base):
    """One row per user: the start of their latest session's first look at the inbox."""

    __tablename__ = "inbox_visits"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
