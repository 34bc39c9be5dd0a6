"""Enterprises (企业) and the technical needs (技术需求) they post."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.base import Base, NeedStatus, TimestampMixin, str_enum

SOLUTION_MODES = ("独立研发", "委托研发", "合作研发", "其他")
"""技术需求解决方式: independent, commissioned, joint R&D, other."""
ACTIVITY_TYPES = (
    "基础研究",
    "应用研究",
    "试验发展",
    "研究与试验发展成果应用",
    "技术推广与科技服务",
    "生产性活动",
    "其他",
)
"""科技活动类型 as in the national science-and-technology statistics."""


class Enterprise(TimestampMixin, Base):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    city: Mapped[str | None] = mapped_column(String(50))
    county: Mapped[str | None] = mapped_column(String(50))
    industry: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(50))
    is_chain_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    # 重点产业链 the chain-leader leads (e.g. 盾构, 轴承, 尼龙); see models/programme.py
    priority_industry: Mapped[str | None] = mapped_column(String(50), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))

    needs: Mapped[list[TechNeed]] = relationship(back_populates="enterprise")


class TechNeed(TimestampMixin, Base):
    __tablename__ = "tech_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    industry: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(50))
    keywords: Mapped[list[str]] = mapped_column(default=list)
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[NeedStatus] = mapped_column(
        str_enum(NeedStatus), default=NeedStatus.OPEN, index=True
    )
    # the need-collection form's structured fields (企业技术需求征集表); all optional
    start_year: Mapped[int | None] = mapped_column(Integer)  # 需求时限 开始年限
    end_year: Mapped[int | None] = mapped_column(Integer)  # 需求时限 结束年限
    budget: Mapped[float | None] = mapped_column(Float)  # 拟投入资金总额, 万元
    solution_mode: Mapped[str | None] = mapped_column(String(20))  # one of SOLUTION_MODES
    partner: Mapped[str | None] = mapped_column(String(200))  # 合作意向单位
    activity_type: Mapped[str | None] = mapped_column(String(50))  # 科技活动类型
    discipline: Mapped[str | None] = mapped_column(String(100))  # 学科分类, as given
    fields: Mapped[list[str] | None] = mapped_column(JSON)  # 需求技术所属领域
    application_industry: Mapped[str | None] = mapped_column(String(100))  # 需求技术应用行业

    enterprise: Mapped[Enterprise | None] = relationship(back_populates="needs")
