"""Scientific societies (学会) and their experts (专家)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.base import Base, TimestampMixin

expert_societies = Table(
    "expert_societies",
    Base.metadata,
    Column("expert_id", ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "society_id", ForeignKey("societies.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Society(TimestampMixin, Base):
    __tablename__ = "societies"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    disciplines: Mapped[list[str]] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str | None] = mapped_column(String(50))
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))

    experts: Mapped[list[Expert]] = relationship(
        secondary=expert_societies, back_populates="societies"
    )


class Expert(TimestampMixin, Base):
    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    affiliation: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(50))
    research_areas: Mapped[list[str]] = mapped_column(default=list)
    profile: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    revision: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", index=True)
    """The profile revision (``ProfileRevision``) of the last change to a column the engine
    ranks by, stamped by database triggers (migration 0012): a refresh reads only the rows
    changed since the revision its index was read at."""

    societies: Mapped[list[Society]] = relationship(
        secondary=expert_societies, back_populates="experts"
    )
