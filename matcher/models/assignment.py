"""Society–enterprise assignments for volunteer service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.base import (
    AssignmentStatus,
    Base,
    TimestampMixin,
    str_enum,
)
from matcher.models.enterprise import Enterprise, TechNeed
from matcher.models.society import Society

ACTIVE_STATUSES = (
    AssignmentStatus.PROPOSED,
    AssignmentStatus.CONFIRMED,
    AssignmentStatus.IN_SERVICE,
)
"""An assignment in one of these holds a place of its society's capacity."""
_ACTIVE_SQL = text("status IN ('proposed', 'confirmed', 'in_service')")


class Assignment(TimestampMixin, Base):
    """A society serving an enterprise (optionally for one need, led by one expert).

    Life cycle: proposed → confirmed → in_service → completed; cancelled from any open state
    (``declined_at`` set when the society declined a proposed pair: later runs never propose
    it again). ``rating`` 1–5 and ``rating_comment`` (the outcome) are the enterprise's, on
    completion. A (need, society) pair is active at most once (partial unique index).
    """

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        Index(
            "uq_assignments_active_need_society",
            "need_id",
            "society_id",
            unique=True,
            sqlite_where=_ACTIVE_SQL,
            postgresql_where=_ACTIVE_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    society_id: Mapped[int] = mapped_column(
        ForeignKey("societies.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("tech_needs.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[AssignmentStatus] = mapped_column(
        str_enum(AssignmentStatus), default=AssignmentStatus.PROPOSED, index=True
    )
    score: Mapped[float | None] = mapped_column(Float)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment_runs.id", ondelete="SET NULL"), index=True
    )
    expert_id: Mapped[int | None] = mapped_column(
        ForeignKey("experts.id", ondelete="SET NULL"), index=True
    )
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    declined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    society: Mapped[Society] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    need: Mapped[TechNeed | None] = relationship()
