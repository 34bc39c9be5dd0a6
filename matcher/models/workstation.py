"""Society expert workstations (学会专家工作站) and the proposals that lead to them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.base import Base, ProposalStatus, TimestampMixin, str_enum
from matcher.models.enterprise import Enterprise
from matcher.models.society import Expert, Society

BLOCKING_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.APPROVED)
"""A pair with a proposal in one of these is never proposed again."""
_BLOCKING_SQL = text("status IN ('draft', 'submitted', 'approved')")


class WorkstationProposal(TimestampMixin, Base):
    """A proposal to set up a society expert workstation at an enterprise.

    Life cycle: draft → submitted → approved | rejected (a draft may be rejected too).
    ``snapshot`` holds everything its document shows, taken when the proposal was drafted
    (refreshed while it is a draft), so that the document can be rendered again at any time
    without drifting; ``expert_ids`` are the proposed resident experts. ``by_hand`` marks a
    proposal staff started for a pair the rule did not select. At most one proposal per
    (society, enterprise) is open or approved (partial unique index).
    """

    __tablename__ = "workstation_proposals"
    __table_args__ = (
        Index(
            "uq_workstation_proposals_open_pair",
            "society_id",
            "enterprise_id",
            unique=True,
            sqlite_where=_BLOCKING_SQL,
            postgresql_where=_BLOCKING_SQL,
        ),
    )

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
    by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    expert_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    snapshot: Mapped[dict] = mapped_column(default=dict)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100), default="")
    status_note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    society: Mapped[Society] = relationship()
    enterprise: Mapped[Enterprise] = relationship()


workstation_experts = Table(
    "workstation_experts",
    Base.metadata,
    Column("workstation_id", ForeignKey("workstations.id", ondelete="CASCADE"), primary_key=True),
    Column("expert_id", ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Workstation(TimestampMixin, Base):
    """A standing arrangement: a society places named (resident) experts at an enterprise.
    Created when its proposal is approved; one per (society, enterprise)."""

    __tablename__ = "workstations"
    __table_args__ = (UniqueConstraint("society_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    society_id: Mapped[int] = mapped_column(
        ForeignKey("societies.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("workstation_proposals.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(300))
    start_date: Mapped[date] = mapped_column(Date)

    society: Mapped[Society] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    experts: Mapped[list[Expert]] = relationship(secondary=workstation_experts)


__all__ = [
    "BLOCKING_STATUSES",
    "Workstation",
    "WorkstationProposal",
    "workstation_experts",
]
