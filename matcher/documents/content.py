"""What a workstation proposal document says, as plain dataclasses.

A ``ProposalContent`` is built from the store once (when the proposal is drafted) and kept
with the proposal as a dict (``to_dict`` / ``from_dict``), so the document can be rendered
again at any time and says the same thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class EnterpriseInfo:
    name: str
    credit_code: str | None = None
    city: str | None = None
    county: str | None = None
    industry: str | None = None
    size: str | None = None
    is_chain_leader: bool = False


@dataclass(frozen=True)
class SocietyInfo:
    name: str
    disciplines: list[str] = field(default_factory=list)
    city: str | None = None


@dataclass(frozen=True)
class ServiceRecord:
    """One need the society served for the enterprise, to completion."""

    need_title: str
    started: str | None  # ISO dates
    completed: str | None
    experts: list[str] = field(default_factory=list)
    rating: int | None = None
    outcome: str = ""


@dataclass(frozen=True)
class ExpertPick:
    """A proposed resident expert and why the expert was chosen."""

    expert_id: int
    name: str
    title: str | None
    affiliation: str | None
    research_areas: list[str]
    score: float
    reason: str


@dataclass(frozen=True)
class ProposalContent:
    enterprise: EnterpriseInfo
    society: SocietyInfo
    services: list[ServiceRecord]
    experts: list[ExpertPick]
    topics: list[str]
    basis: str
    """Why this pair is proposed (the rule that selected it, or a hand-started proposal)."""
    by_hand: bool = False
    budget: float | None = None
    """The enterprise's planned funding for the related needs, 万元 (None: not stated)."""
    min_experts: int = 3

    @property
    def has_history(self) -> bool:
        return bool(self.services)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProposalContent:
        return cls(
            enterprise=EnterpriseInfo(**data["enterprise"]),
            society=SocietyInfo(**data["society"]),
            services=[ServiceRecord(**s) for s in data.get("services", [])],
            experts=[ExpertPick(**e) for e in data.get("experts", [])],
            topics=list(data.get("topics", [])),
            basis=data.get("basis", ""),
            by_hand=bool(data.get("by_hand", False)),
            budget=data.get("budget"),
            min_experts=int(data.get("min_experts", 3)),
        )


@dataclass(frozen=True)
class Heading:
    """The document's identity and state, which change without the content changing."""

    number: str  # e.g. "WS-00007"
    status: str  # 草稿 / 已提交 / 已批准 / 未通过
    drafted_on: str  # ISO date
    note: str | None = None
