"""Conflicts of interest: an expert or a society that must never serve an enterprise."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from matcher.models.base import Base, TimestampMixin, str_enum


class ConflictSource(StrEnum):
    IMPORTED = "imported"
    MANUAL = "manual"


class ConflictOfInterest(TimestampMixin, Base):
    """Exactly one of ``expert_id`` and ``society_id``, against ``enterprise_id``.

    (An expert whose affiliation is the enterprise is a conflict too; that one is found
    from the names at run time, not stored.)"""

    __tablename__ = "conflicts_of_interest"
    __table_args__ = (
        CheckConstraint("(expert_id IS NULL) <> (society_id IS NULL)", name="one_party"),
        UniqueConstraint("enterprise_id", "expert_id", name="uq_conflicts_of_interest_expert"),
        UniqueConstraint("enterprise_id", "society_id", name="uq_conflicts_of_interest_society"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"))
    society_id: Mapped[int | None] = mapped_column(ForeignKey("societies.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[ConflictSource] = mapped_column(
        str_enum(ConflictSource), default=ConflictSource.MANUAL
    )
    created_by: Mapped[str] = mapped_column(String(100), default="")
