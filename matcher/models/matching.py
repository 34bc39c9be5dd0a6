"""Stored match results and societies' responses to their leads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.base import (
    Base,
    LeadResponseStatus,
    TargetKind,
    TimestampMixin,
    str_enum,
    utcnow,
)
from matcher.models.enterprise import TechNeed


class MatchResult(Base):
    """One ranked target (society or expert) for one need, with its explanation."""

    __tablename__ = "match_results"
    __table_args__ = (UniqueConstraint("need_id", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        ForeignKey("tech_needs.id", ondelete="CASCADE"), index=True
    )
    target_kind: Mapped[TargetKind] = mapped_column(str_enum(TargetKind))
    target_id: Mapped[int] = mapped_column(Integer, index=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    components: Mapped[dict] = mapped_column(default=dict)
    matched_keywords: Mapped[list[str]] = mapped_column(default=list)
    model_id: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    need: Mapped[TechNeed] = relationship()


class LeadResponse(TimestampMixin, Base):
    """A society's answer to a lead: interested, or not suitable with a reason."""

    __tablename__ = "lead_responses"
    __table_args__ = (UniqueConstraint("need_id", "society_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("tech_needs.id", ondelete="CASCADE"))
    society_id: Mapped[int] = mapped_column(
        ForeignKey("societies.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[LeadResponseStatus] = mapped_column(str_enum(LeadResponseStatus))
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
