"""Bulk assignment runs: what was asked, what the optimiser chose, what it left out and why,
and the candidates the constraints removed (the staff explanation)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.base import Base, TimestampMixin, str_enum


class RunStatus(StrEnum):
    """dry_run → committed | discarded."""

    DRY_RUN = "dry_run"
    COMMITTED = "committed"
    DISCARDED = "discarded"


class AssignmentRun(TimestampMixin, Base):
    """One bulk run. ``parameters`` as asked (per_need, min_score, fair, quotas, top_k,
    expert_capacity); ``summary`` what came out (counts, reason counts, fairness report,
    pins that could not apply)."""

    __tablename__ = "assignment_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[RunStatus] = mapped_column(
        str_enum(RunStatus), default=RunStatus.DRY_RUN, index=True
    )
    parameters: Mapped[dict] = mapped_column(default=dict)
    summary: Mapped[dict] = mapped_column(default=dict)
    objective: Mapped[float] = mapped_column(Float, default=0.0)
    greedy_objective: Mapped[float] = mapped_column(Float, default=0.0)
    solve_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    solver: Mapped[str] = mapped_column(String(30), default="")
    fairness_cost: Mapped[float | None] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    committed_by: Mapped[str | None] = mapped_column(String(100))
    committed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    pairs: Mapped[list[AssignmentRunPair]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )


class AssignmentRunPair(Base):
    """A pair the run proposes. ``fixed``: an active assignment kept as it is; ``pinned``:
    forced by a staff pin; ``removed``: taken out by staff before the commit (not created);
    ``assignment_id``: the assignment it is (fixed) or became (committed)."""

    __tablename__ = "assignment_run_pairs"
    __table_args__ = (
        UniqueConstraint("run_id", "need_id", "society_id", name="uq_assignment_run_pairs_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("assignment_runs.id", ondelete="CASCADE"), index=True
    )
    need_id: Mapped[int] = mapped_column(ForeignKey("tech_needs.id", ondelete="CASCADE"))
    society_id: Mapped[int] = mapped_column(ForeignKey("societies.id", ondelete="CASCADE"))
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id", ondelete="SET NULL"))
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL")
    )
    score: Mapped[float] = mapped_column(Float)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    fixed: Mapped[bool] = mapped_column(Boolean, default=False)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    removed_reason: Mapped[str | None] = mapped_column(Text)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL")
    )

    run: Mapped[AssignmentRun] = relationship(back_populates="pairs")


class AssignmentRunUnassigned(Base):
    """A need the run left with fewer than ``per_need`` pairs, and the one reason why."""

    __tablename__ = "assignment_run_unassigned"
    __table_args__ = (
        UniqueConstraint("run_id", "need_id", name="uq_assignment_run_unassigned_need"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("assignment_runs.id", ondelete="CASCADE"))
    need_id: Mapped[int] = mapped_column(ForeignKey("tech_needs.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(50))


class AssignmentRunRemoved(Base):
    """A candidate the constraints took out before solving: the society for the need
    (``expert_id`` empty), or one expert as its lead (the society stayed a candidate)."""

    __tablename__ = "assignment_run_removed"
    __table_args__ = (Index("ix_assignment_run_removed_run_need", "run_id", "need_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("assignment_runs.id", ondelete="CASCADE"))
    need_id: Mapped[int] = mapped_column(ForeignKey("tech_needs.id", ondelete="CASCADE"))
    society_id: Mapped[int] = mapped_column(ForeignKey("societies.id", ondelete="CASCADE"))
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str] = mapped_column(Text, default="")
