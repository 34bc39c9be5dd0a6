"""Industry service teams (一业一科技服务团): experts of several societies serving one industry."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.base import Base, TimestampMixin, str_enum
from matcher.models.society import Expert, Society


class TeamStatus(StrEnum):
    """draft (proposed, being edited) → saved (adopted; still editable)."""

    DRAFT = "draft"
    SAVED = "saved"


class TeamRole(StrEnum):
    LEADER = "leader"  # 团长
    MEMBER = "member"  # 成员


class ServiceTeam(TimestampMixin, Base):
    """A team for an industry (and optionally a city). ``size_limit``, ``per_society`` and
    ``threshold`` (the 0–100 expert match score from which a member fits a need) were used to
    propose it and still bound edits; ``solve`` keeps the proposal's value, bound, gap and
    time."""

    __tablename__ = "service_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    industry: Mapped[str] = mapped_column(String(100), index=True)
    city: Mapped[str | None] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[TeamStatus] = mapped_column(str_enum(TeamStatus), default=TeamStatus.DRAFT)
    size_limit: Mapped[int] = mapped_column(Integer)
    per_society: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[float] = mapped_column(Float)
    solve: Mapped[dict] = mapped_column(default=dict)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    members: Mapped[list[ServiceTeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="ServiceTeamMember.id"
    )


class ServiceTeamMember(Base):
    """An expert in a team, for one of the expert's societies; each expert once per team."""

    __tablename__ = "service_team_members"
    __table_args__ = (UniqueConstraint("team_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("service_teams.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    society_id: Mapped[int] = mapped_column(
        ForeignKey("societies.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[TeamRole] = mapped_column(str_enum(TeamRole), default=TeamRole.MEMBER)

    team: Mapped[ServiceTeam] = relationship(back_populates="members")
    expert: Mapped[Expert] = relationship()
    society: Mapped[Society] = relationship()


__all__ = ["ServiceTeam", "ServiceTeamMember", "TeamRole", "TeamStatus"]
