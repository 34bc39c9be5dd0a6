"""Which (enterprise, society) pairs deserve an expert workstation: the rule, over the store.

A pair qualifies by one of two routes, and in both needs enough candidate resident experts:

* **services**: at least ``min_services`` completed services between the pair, with a mean
  rating of at least ``min_mean_rating``;
* **chain leader**: the enterprise is a chain leader (链主企业), with at least
  ``leader_min_services`` completed services from the society (same mean rating), and the
  society's best stored match score to one of its needs is at least ``leader_min_score``;
* and at least ``min_experts`` of the society's members have a stored expert match of at
  least ``expert_min_score`` to one of the enterprise's needs (scores are calibrated 0–100).

A declared conflict of interest between the pair, or a standing forbid of the society for
the enterprise, rules a pair out; experts with a conflict of interest (or working at the
enterprise) are never candidates. The thresholds are settings (``MATCHER_WORKSTATION_*``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.config import Settings
from matcher.models import (
    Assignment,
    AssignmentConstraint,
    AssignmentStatus,
    ConflictOfInterest,
    ConstraintKind,
    Enterprise,
    Expert,
    MatchResult,
    TargetKind,
    TechNeed,
    expert_societies,
)

SERVICES, CHAIN_LEADER = "services", "chain_leader"
ROUTE_LABELS = {SERVICES: "多次优质服务", CHAIN_LEADER: "链主企业"}


@dataclass(frozen=True)
class Criteria:
    min_services: int = 2
    min_mean_rating: float = 4.0
    leader_min_services: int = 1
    leader_min_score: float = 50.0
    min_experts: int = 3
    expert_min_score: float = 50.0
    max_experts: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> Criteria:
        return cls(
            min_services=settings.workstation_min_services,
            min_mean_rating=settings.workstation_min_mean_rating,
            leader_min_services=settings.workstation_leader_min_services,
            leader_min_score=settings.workstation_leader_min_score,
            min_experts=settings.workstation_min_experts,
            expert_min_score=settings.workstation_expert_min_score,
            max_experts=max(settings.workstation_max_experts, settings.workstation_min_experts),
        )

    def describe(self, route: str | None = None) -> str:
        """The rule (or one route of it) in Chinese, for documents and reports."""
        services = (
            f"已完成服务不少于{self.min_services}项且企业平均评分不低于{self.min_mean_rating:g}分"
        )
        leader = (
            f"链主企业已完成服务不少于{self.leader_min_services}项（平均评分不低于"
            f"{self.min_mean_rating:g}分）且学会与其需求的匹配度不低于{self.leader_min_score:g}分"
        )
        experts = (
            f"有不少于{self.min_experts}名学会专家与企业需求的匹配度不低于"
            f"{self.expert_min_score:g}分"
        )
        routes = {SERVICES: services, CHAIN_LEADER: leader}
        head = routes.get(route or "", f"{services}，或{leader}")
        return f"{head}；并{experts}"


@dataclass(frozen=True)
class History:
    """Completed services between one society and one enterprise."""

    services: int = 0
    rated: int = 0
    mean_rating: float | None = None
    last_completed: datetime | None = None


@dataclass(frozen=True)
class Candidate:
    """A member of the society matched to the enterprise's needs (stored expert matches)."""

    expert_id: int
    score: float  # best match score over the enterprise's needs
    need_id: int  # the need of that best match
    needs: int  # how many of the enterprise's needs it is matched to
    keywords: tuple[str, ...]


@dataclass
class Verdict:
    society_id: int
    enterprise_id: int
    history: History
    chain_leader: bool
    society_score: float | None
    candidates: list[Candidate]  # strong candidates (≥ expert_min_score), best first
    route: str | None = None
    shortfalls: list[str] = field(default_factory=list)  # what the pair lacks (Chinese)
    excluded: str | None = None

    @property
    def qualifies(self) -> bool:
        return self.route is not None and self.excluded is None


def histories(
    session: Session, *, society_id: int | None = None, enterprise_id: int | None = None
) -> dict[tuple[int, int], History]:
    """(society id, enterprise id) → its completed services, for every pair with one."""
    stmt = (
        select(
            Assignment.society_id,
            Assignment.enterprise_id,
            func.count(),
            func.count(Assignment.rating),
            func.avg(Assignment.rating),
            func.max(Assignment.completed_at),
        )
        .where(Assignment.status == AssignmentStatus.COMPLETED)
        .group_by(Assignment.society_id, Assignment.enterprise_id)
    )
    if society_id is not None:
        stmt = stmt.where(Assignment.society_id == society_id)
    if enterprise_id is not None:
        stmt = stmt.where(Assignment.enterprise_id == enterprise_id)
    return {
        (sid, eid): History(n, rated, None if mean is None else float(mean), last)
        for sid, eid, n, rated, mean, last in session.execute(stmt)
    }


def society_score(session: Session, *, society_id: int, enterprise_id: int) -> float | None:
    """The society's best stored match score to one of the enterprise's needs."""
    return session.scalar(
        select(func.max(MatchResult.score)).where(
            MatchResult.target_kind == TargetKind.SOCIETY,
            MatchResult.target_id == society_id,
            MatchResult.need_id.in_(_needs_of(enterprise_id)),
        )
    )


def _needs_of(enterprise_id: int):
    return select(TechNeed.id).where(TechNeed.enterprise_id == enterprise_id)


def expert_candidates(
    session: Session, *, society_id: int, enterprise_id: int, min_score: float = 0.0
) -> list[Candidate]:
    """The society's members with a stored match of at least ``min_score`` to one of the
    enterprise's needs, best first; experts with a conflict of interest are left out."""
    members = select(expert_societies.c.expert_id).where(
        expert_societies.c.society_id == society_id
    )
    rows = session.execute(
        select(
            MatchResult.target_id,
            MatchResult.need_id,
            MatchResult.score,
            MatchResult.matched_keywords,
        )
        .where(
            MatchResult.target_kind == TargetKind.EXPERT,
            MatchResult.need_id.in_(_needs_of(enterprise_id)),
            MatchResult.target_id.in_(members),
            MatchResult.score >= min_score,
        )
        .order_by(MatchResult.score.desc(), MatchResult.need_id)
    ).all()
    conflicted = _conflicted_experts(session, enterprise_id, {r[0] for r in rows})
    best: dict[int, tuple[float, int, tuple[str, ...]]] = {}
    needs: dict[int, set[int]] = defaultdict(set)
    for expert_id, need_id, score, keywords in rows:
        if expert_id in conflicted:
            continue
        best.setdefault(expert_id, (float(score), need_id, tuple(keywords or ())))
        needs[expert_id].add(need_id)
    found = [
        Candidate(eid, score, need_id, len(needs[eid]), keywords)
        for eid, (score, need_id, keywords) in best.items()
    ]
    return sorted(found, key=lambda c: (-c.score, -c.needs, c.expert_id))


def _conflicted_experts(session: Session, enterprise_id: int, expert_ids: set[int]) -> set[int]:
    """Of ``expert_ids``: a declared conflict with the enterprise, or working there."""
    if not expert_ids:
        return set()
    declared = set(
        session.scalars(
            select(ConflictOfInterest.expert_id).where(
                ConflictOfInterest.enterprise_id == enterprise_id,
                ConflictOfInterest.expert_id.in_(expert_ids),
            )
        )
    )
    name = session.scalar(select(Enterprise.name).where(Enterprise.id == enterprise_id))
    inside = set(
        session.scalars(
            select(Expert.id).where(Expert.id.in_(expert_ids), Expert.affiliation == name)
        )
    )
    return declared | inside


def pair_exclusion(session: Session, *, society_id: int, enterprise_id: int) -> str | None:
    """Why the pair may never have a workstation proposed by the rule, or None."""
    conflict = session.scalar(
        select(ConflictOfInterest.id).where(
            ConflictOfInterest.enterprise_id == enterprise_id,
            ConflictOfInterest.society_id == society_id,
        )
    )
    if conflict is not None:
        return "学会与企业存在利益冲突"
    forbid = session.scalar(
        select(AssignmentConstraint.id).where(
            AssignmentConstraint.kind == ConstraintKind.FORBID,
            AssignmentConstraint.enterprise_id == enterprise_id,
            AssignmentConstraint.society_id == society_id,
        )
    )
    return "工作人员已禁止该学会服务该企业" if forbid is not None else None


def judge(
    session: Session,
    criteria: Criteria,
    *,
    society_id: int,
    enterprise_id: int,
    history: History | None = None,
) -> Verdict:
    """Whether the pair qualifies, by which route, and what it lacks otherwise."""
    if history is None:
        found = histories(session, society_id=society_id, enterprise_id=enterprise_id)
        history = found.get((society_id, enterprise_id), History())
    leader = bool(
        session.scalar(select(Enterprise.is_chain_leader).where(Enterprise.id == enterprise_id))
    )
    score = society_score(session, society_id=society_id, enterprise_id=enterprise_id)
    candidates = expert_candidates(
        session,
        society_id=society_id,
        enterprise_id=enterprise_id,
        min_score=criteria.expert_min_score,
    )
    verdict = Verdict(society_id, enterprise_id, history, leader, score, candidates)
    verdict.excluded = pair_exclusion(session, society_id=society_id, enterprise_id=enterprise_id)
    rated_well = history.mean_rating is not None and history.mean_rating >= criteria.min_mean_rating
    if history.services >= criteria.min_services and rated_well:
        verdict.route = SERVICES
    elif (
        leader
        and history.services >= criteria.leader_min_services
        and rated_well
        and score is not None
        and score >= criteria.leader_min_score
    ):
        verdict.route = CHAIN_LEADER
    else:
        verdict.shortfalls.append(_service_shortfall(criteria, history, leader, score))
    if len(candidates) < criteria.min_experts:
        verdict.shortfalls.append(
            f"匹配度不低于{criteria.expert_min_score:g}分的学会专家{len(candidates)}名，"
            f"少于{criteria.min_experts}名"
        )
        verdict.route = None
    return verdict


def _service_shortfall(
    criteria: Criteria, history: History, leader: bool, score: float | None
) -> str:
    mean = "无评分" if history.mean_rating is None else f"平均评分{history.mean_rating:.1f}分"
    text = f"已完成服务{history.services}项（{mean}）"
    if leader:
        best = "无" if score is None else f"{score:.0f}分"
        text += f"，链主企业，学会最高匹配度{best}"
    return text + "，未达到推荐条件"


def qualifying_pairs(session: Session, criteria: Criteria) -> list[Verdict]:
    """Every pair the rule selects, by enterprise then society."""
    fewest = min(criteria.min_services, criteria.leader_min_services)
    verdicts = []
    for (society_id, enterprise_id), history in sorted(
        histories(session).items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        if history.services < fewest:
            continue
        verdict = judge(
            session,
            criteria,
            society_id=society_id,
            enterprise_id=enterprise_id,
            history=history,
        )
        if verdict.qualifies:
            verdicts.append(verdict)
    return verdicts
