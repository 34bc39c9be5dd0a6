"""Column mappings saved by staff for reuse on the next sheet laid out the same way."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from matcher.models.base import Base, TimestampMixin


class ImportMapping(TimestampMixin, Base):
    """A named column mapping of one import kind: ``{"column as in the file": "field"}``
    (or ``"ignore"``), what a mapping file (``--map``) holds. ``created_by`` is the
    username of whoever saved it first (the audit trail has every change)."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    mapping: Mapped[dict] = mapped_column(default=dict)
    created_by: Mapped[str] = mapped_column(String(100), default="")
