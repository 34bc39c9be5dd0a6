"""Users, their roles, and the audit trail of every change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from matcher.models.base import Base, Role, TimestampMixin, str_enum, utcnow


class User(TimestampMixin, Base):
    """A log-in. ``enterprise`` users are bound to one enterprise, ``society`` users to one
    society; ``staff`` and ``admin`` see everything."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    society_id: Mapped[int | None] = mapped_column(
        ForeignKey("societies.id", ondelete="CASCADE"), index=True
    )
    api_key_hash: Mapped[str | None] = mapped_column(String(128), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Carried by every token and checked on each request; bumped by a password change,
    a role change or disabling, so earlier tokens stop working."""


class AuditEvent(Base):
    """Who changed what, when. ``actor_id`` is empty for the CLI and system jobs."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str] = mapped_column(String(100), default="system")
    action: Mapped[str] = mapped_column(String(50), index=True)
    target_type: Mapped[str] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=1)
    detail: Mapped[dict] = mapped_column(default=dict)


class LoginThrottle(Base):
    """Failed log-in counters, one row per key (``user+address``, ``address``, ``user``),
    updated with one atomic upsert per attempt so that parallel attempts cannot race."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[float] = mapped_column(Float)  # Unix seconds
    count: Mapped[int] = mapped_column(Integer, default=0)
    strikes: Mapped[int] = mapped_column(Integer, default=0)  # blocks in a row: back-off
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)
