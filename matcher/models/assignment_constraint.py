"""Staff decisions that every bulk run keeps: pinned (forced) and forbidden pairs."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from matcher.models.base import Base, TimestampMixin, str_enum


class ConstraintKind(StrEnum):
    PIN = "pin"
    FORBID = "forbid"


class AssignmentConstraint(TimestampMixin, Base):
    """A pin or forbid of a society for one need, or for every need of one enterprise
    (exactly one of ``need_id`` and ``enterprise_id``). ``created_by`` is the username."""

    __tablename__ = "assignment_constraints"
    __table_args__ = (
        CheckConstraint("(need_id IS NULL) <> (enterprise_id IS NULL)", name="one_target"),
        UniqueConstraint("kind", "need_id", "society_id", name="uq_assignment_constraints_need"),
        UniqueConstraint(
            "kind", "enterprise_id", "society_id", name="uq_assignment_constraints_enterprise"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ConstraintKind] = mapped_column(str_enum(ConstraintKind), index=True)
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("tech_needs.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    society_id: Mapped[int] = mapped_column(ForeignKey("societies.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
