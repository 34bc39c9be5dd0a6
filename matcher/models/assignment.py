"""Society–enterprise assignments for volunteer service, and workstation proposals."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.base import (
    AssignmentStatus,
    Base,
    ProposalStatus,
    TimestampMixin,
    str_enum,
)
from matcher.models.enterprise import Enterprise, TechNeed
from matcher.models.society import Society


class Assignment(TimestampMixin, Base):
    """A society serving an enterprise (optionally for one need).

    Life cycle: proposed → confirmed → in_service → completed; cancelled from any open state.
    """

    __tablename__ = "assignments"

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

    society: Mapped[Society] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    need: Mapped[TechNeed | None] = relationship()


class WorkstationProposal(TimestampMixin, Base):
    """A proposal to set up a society expert workstation (学会专家工作站) at an enterprise."""

    __tablename__ = "workstation_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    society_id: Mapped[int] = mapped_column(
        ForeignKey("societies.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus), default=ProposalStatus.DRAFT
    )
    title: Mapped[str] = mapped_column(String(200))
    rationale: Mapped[str] = mapped_column(Text, default="")
    document_path: Mapped[str | None] = mapped_column(String(500))

    society: Mapped[Society] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
