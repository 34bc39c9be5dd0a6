"""The yearly programme "百会链千企": rounds, society–enterprise pairings (结对) per round, and
the service activities a society records for its paired enterprises.

Reading guide for reports: a round's pairing is ``EnterprisePairing`` rows with status
``active`` (``ended`` once the round or the pair ended; ``proposed``/``removed`` rows belong to
a pairing run not yet committed, or taken out of one, and count for nothing). An activity's
``volunteer_hours`` is its total; ``activity_experts.hours`` is each expert's share (they add
up to the total when experts are named).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.assignment_run import RunStatus
from matcher.models.base import Base, TimestampMixin, str_enum
from matcher.models.enterprise import Enterprise
from matcher.models.society import Expert, Society

SERVICE_TYPES = (
    "宣讲科技创新政策",
    "技术指导",
    "解决发展难题",
    "联合科研团队",
    "创新联合体",
    "平台建设",
    "其他",
)
"""服务类型 of an activity record (the programme's kinds of service)."""
PLATFORM_KINDS = ("企业科协", "学会专家工作站", "海智工作站")
"""平台类型, given (only) when the service type is 平台建设."""
PRIORITY_INDUSTRIES = ("盾构", "轴承", "尼龙", "超硬材料", "新能源客车", "智能传感器", "铝加工")
"""Priority industries the demo and forms offer; ``Enterprise.priority_industry`` may hold
any other name too."""


class RoundStatus(StrEnum):
    """open → ended (ending a round ends its active pairs)."""

    OPEN = "open"
    ENDED = "ended"


class PairingStatus(StrEnum):
    """proposed (in a dry pairing run) → active (committed) → ended; removed: taken out of a
    dry run by staff (or the run was discarded)."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    ENDED = "ended"
    REMOVED = "removed"


class ConfirmationStatus(StrEnum):
    """An enterprise's answer to an activity record: pending → confirmed | disputed."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class ProgrammeRound(TimestampMixin, Base):
    """One programme year or round, named e.g. "2026"."""

    __tablename__ = "programme_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    status: Mapped[RoundStatus] = mapped_column(str_enum(RoundStatus), default=RoundStatus.OPEN)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    ended_by: Mapped[str | None] = mapped_column(String(100))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PairingRun(TimestampMixin, Base):
    """One solve of a round's pairing (dry run → committed | discarded, as assignment runs).
    ``parameters``: per_enterprise, min_score, chain_leader_rule; ``summary``: counts, chain
    leaders paired, the enterprises left short and why."""

    __tablename__ = "pairing_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("programme_rounds.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus), default=RunStatus.DRY_RUN)
    parameters: Mapped[dict] = mapped_column(default=dict)
    summary: Mapped[dict] = mapped_column(default=dict)
    objective: Mapped[float] = mapped_column(Float, default=0.0)
    solve_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    solver: Mapped[str] = mapped_column(String(30), default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    committed_by: Mapped[str | None] = mapped_column(String(100))
    committed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


_ACTIVE_SQL = text("status = 'active'")


class EnterprisePairing(TimestampMixin, Base):
    """A society paired (结对) with an enterprise for a round. ``score`` is the 0–100 fit the
    optimiser used; ``reason`` why the pair is there (``optimiser``, ``pinned``, ``fixed``);
    ``end_reason`` why it ended. At most one active pair per (round, enterprise, society)."""

    __tablename__ = "enterprise_pairings"
    __table_args__ = (
        Index(
            "uq_enterprise_pairings_active",
            "round_id",
            "enterprise_id",
            "society_id",
            unique=True,
            sqlite_where=_ACTIVE_SQL,
            postgresql_where=_ACTIVE_SQL,
        ),
        Index("ix_enterprise_pairings_round_status", "round_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("programme_rounds.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("pairing_runs.id", ondelete="SET NULL"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    society_id: Mapped[int] = mapped_column(
        ForeignKey("societies.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[PairingStatus] = mapped_column(
        str_enum(PairingStatus), default=PairingStatus.PROPOSED
    )
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str] = mapped_column(String(50), default="optimiser")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    end_reason: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100), default="")

    enterprise: Mapped[Enterprise] = relationship()
    society: Mapped[Society] = relationship()


activity_experts = Table(
    "activity_experts",
    Base.metadata,
    Column(
        "activity_id", ForeignKey("service_activities.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("expert_id", ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("hours", Float, nullable=False, default=0.0),
)
"""Experts involved in an activity, with each one's volunteer hours (志愿服务时长)."""


class ServiceActivity(TimestampMixin, Base):
    """What a society did for an enterprise (服务活动记录). ``service_type`` one of
    ``SERVICE_TYPES`` (``platform_kind`` one of ``PLATFORM_KINDS`` when 平台建设);
    ``volunteer_hours`` the total; ``need_id``/``assignment_id`` the need or assignment it
    served, if any; ``external_id`` the import's 记录编号 (optional, unique)."""

    __tablename__ = "service_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_rounds.id", ondelete="SET NULL"), index=True
    )
    society_id: Mapped[int] = mapped_column(
        ForeignKey("societies.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    service_type: Mapped[str] = mapped_column(String(30), index=True)
    platform_kind: Mapped[str | None] = mapped_column(String(30))
    activity_date: Mapped[date] = mapped_column(Date, index=True)
    volunteer_hours: Mapped[float] = mapped_column(Float, default=0.0)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(Text, default="")
    need_id: Mapped[int | None] = mapped_column(ForeignKey("tech_needs.id", ondelete="SET NULL"))
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL")
    )
    confirmation: Mapped[ConfirmationStatus] = mapped_column(
        str_enum(ConfirmationStatus), default=ConfirmationStatus.PENDING
    )
    confirmation_note: Mapped[str | None] = mapped_column(Text)
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100), default="")

    society: Mapped[Society] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    experts: Mapped[list[Expert]] = relationship(secondary=activity_experts, viewonly=True)


__all__ = [
    "PLATFORM_KINDS",
    "PRIORITY_INDUSTRIES",
    "SERVICE_TYPES",
    "ConfirmationStatus",
    "EnterprisePairing",
    "PairingRun",
    "PairingStatus",
    "ProgrammeRound",
    "RoundStatus",
    "ServiceActivity",
    "activity_experts",
]
