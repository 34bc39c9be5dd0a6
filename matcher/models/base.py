"""Declarative base, shared column types and the status vocabularies."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime, Enum, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {list[str]: JSON, dict: JSON}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


def str_enum(enum: type[StrEnum]) -> Enum:
    """A portable VARCHAR column holding a StrEnum's values (no native PG enum)."""
    return Enum(
        enum,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class NeedStatus(StrEnum):
    """Life cycle of a need: open → matched → assigned → in_service → resolved | closed.

    ``needs_detail`` instead of ``matched`` when the need says too little to route (it is
    no lead for any society until edited); ``closed`` may be reached from any state
    (withdrawn by the enterprise or staff).
    """

    OPEN = "open"
    MATCHED = "matched"
    NEEDS_DETAIL = "needs_detail"
    ASSIGNED = "assigned"
    IN_SERVICE = "in_service"
    RESOLVED = "resolved"
    CLOSED = "closed"


class AssignmentStatus(StrEnum):
    """proposed → confirmed → in_service → completed; ``cancelled`` from any open state."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    IN_SERVICE = "in_service"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ProposalStatus(StrEnum):
    """draft → submitted → approved | rejected."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class Role(StrEnum):
    ENTERPRISE = "enterprise"
    SOCIETY = "society"
    STAFF = "staff"
    ADMIN = "admin"


class TargetKind(StrEnum):
    SOCIETY = "society"
    EXPERT = "expert"


class LeadResponseStatus(StrEnum):
    INTERESTED = "interested"
    NOT_SUITABLE = "not_suitable"
