"""What a proposal's document says, read from the store for one (society, enterprise) pair:
the two parties, the services between them, the chosen resident experts and why, and the
cooperation topics. Only this enterprise's needs and this society's members are read."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.documents.content import (
    EnterpriseInfo,
    ExpertPick,
    ProposalContent,
    ServiceRecord,
    SocietyInfo,
)
from matcher.models import (
    Assignment,
    AssignmentStatus,
    Enterprise,
    Expert,
    MatchResult,
    Society,
    TargetKind,
    TechNeed,
)
from matcher.proposals.rules import ROUTE_LABELS, Candidate, Criteria, Verdict, expert_candidates

MAX_TOPICS = 6
NO_NEED = "（未关联具体需求的服务）"


def build_content(
    session: Session,
    criteria: Criteria,
    *,
    society: Society,
    enterprise: Enterprise,
    verdict: Verdict,
    by_hand: bool,
) -> ProposalContent:
    """The document's content for the pair, as the store says now."""
    needs = {
        n.id: n
        for n in session.scalars(select(TechNeed).where(TechNeed.enterprise_id == enterprise.id))
    }
    services = list(
        session.scalars(
            select(Assignment)
            .where(
                Assignment.society_id == society.id,
                Assignment.enterprise_id == enterprise.id,
                Assignment.status == AssignmentStatus.COMPLETED,
            )
            .order_by(Assignment.completed_at, Assignment.id)
        )
    )
    picks = _picks(session, criteria, verdict, by_hand)
    experts = _experts(session, {c.expert_id for c in picks} | {a.expert_id for a in services})
    served_by = {a.expert_id for a in services if a.expert_id is not None}
    related = _related_needs(session, society.id, needs, services, picks)
    return ProposalContent(
        enterprise=EnterpriseInfo(
            name=enterprise.name,
            credit_code=enterprise.credit_code,
            city=enterprise.city,
            county=enterprise.county,
            industry=enterprise.industry,
            size=enterprise.size,
            is_chain_leader=bool(enterprise.is_chain_leader),
        ),
        society=SocietyInfo(
            name=society.name, disciplines=list(society.disciplines or []), city=society.city
        ),
        services=[_service(a, needs, experts) for a in services],
        experts=[
            _pick(c, experts[c.expert_id], needs, c.expert_id in served_by, criteria)
            for c in picks
            if c.expert_id in experts
        ],
        topics=_topics(related),
        basis=basis(criteria, verdict, enterprise=enterprise, by_hand=by_hand),
        by_hand=by_hand,
        budget=sum(n.budget for n in related if n.budget) or None,
        min_experts=criteria.min_experts,
    )


def _picks(
    session: Session, criteria: Criteria, verdict: Verdict, by_hand: bool
) -> list[Candidate]:
    """The strong candidates, best first, at most ``max_experts``; a hand-started proposal
    tops them up to ``min_experts`` with the best weaker matches."""
    picks = verdict.candidates[: criteria.max_experts]
    if by_hand and len(picks) < criteria.min_experts:
        chosen = {c.expert_id for c in picks}
        weaker = expert_candidates(
            session, society_id=verdict.society_id, enterprise_id=verdict.enterprise_id
        )
        picks += [c for c in weaker if c.expert_id not in chosen][
            : criteria.min_experts - len(picks)
        ]
    return picks


def _experts(session: Session, ids: set[int | None]) -> dict[int, Expert]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {e.id: e for e in session.scalars(select(Expert).where(Expert.id.in_(wanted)))}


def _day(value) -> str | None:
    return value.date().isoformat() if value is not None else None


def _service(a: Assignment, needs: dict[int, TechNeed], experts: dict[int, Expert]):
    need = needs.get(a.need_id) if a.need_id is not None else None
    expert = experts.get(a.expert_id) if a.expert_id is not None else None
    return ServiceRecord(
        need_title=need.title if need else NO_NEED,
        started=_day(a.started_at or a.confirmed_at),
        completed=_day(a.completed_at),
        experts=[expert.name] if expert else [],
        rating=a.rating,
        outcome=a.rating_comment or "",
    )


def _pick(
    c: Candidate, expert: Expert, needs: dict[int, TechNeed], served: bool, criteria: Criteria
) -> ExpertPick:
    need = needs.get(c.need_id)
    parts = [f"与企业需求「{need.title if need else '—'}」匹配度{c.score:.0f}分"]
    if c.needs > 1:
        parts.append(f"共与本企业{c.needs}项需求匹配")
    if c.keywords:
        parts.append("相关方向：" + "、".join(c.keywords[:4]))
    if served:
        parts.append("曾参与本企业前期服务")
    if c.score < criteria.expert_min_score:
        parts.append(f"匹配度低于推荐线{criteria.expert_min_score:g}分，供学会参考")
    return ExpertPick(
        expert_id=expert.id,
        name=expert.name,
        title=expert.title,
        affiliation=expert.affiliation,
        research_areas=list(expert.research_areas or []),
        score=round(c.score, 1),
        reason="；".join(parts),
    )


def _related_needs(
    session: Session,
    society_id: int,
    needs: dict[int, TechNeed],
    services: list[Assignment],
    picks: list[Candidate],
) -> list[TechNeed]:
    """The enterprise's needs this cooperation is about: those the society served or is
    matched to, and those the chosen experts are matched to (in id order)."""
    ids = {a.need_id for a in services} | {c.need_id for c in picks}
    if needs:
        ids |= set(
            session.scalars(
                select(MatchResult.need_id).where(
                    MatchResult.target_kind == TargetKind.SOCIETY,
                    MatchResult.target_id == society_id,
                    MatchResult.need_id.in_(list(needs)),
                )
            )
        )
    return [needs[i] for i in sorted(i for i in ids if i in needs)]


def _topics(needs: list[TechNeed]) -> list[str]:
    """The needs' most frequent keywords (first seen first among equals)."""
    counts: Counter[str] = Counter()
    for need in needs:
        for word in dict.fromkeys(need.keywords or []):
            counts[word.strip()] += 1
    counts.pop("", None)
    return [word for word, _ in counts.most_common(MAX_TOPICS)]


def basis(criteria: Criteria, verdict: Verdict, *, enterprise: Enterprise, by_hand: bool) -> str:
    """Why the pair is proposed, in Chinese."""
    h = verdict.history
    record = (
        f"双方已完成服务{h.services}项，企业评分平均{h.mean_rating:.1f}分"
        if h.services and h.mean_rating is not None
        else f"双方已完成服务{h.services}项"
        if h.services
        else "双方此前无已完成的服务记录"
    )
    experts = f"学会有{len(verdict.candidates)}名专家与企业技术需求的匹配度不低于" + (
        f"{criteria.expert_min_score:g}分"
    )
    if verdict.qualifies:
        route = ROUTE_LABELS[verdict.route or ""]
        leader = (
            f"；{enterprise.name}为链主企业，学会与其需求的最高匹配度为{verdict.society_score:.0f}分"
            if verdict.route == "chain_leader" and verdict.society_score is not None
            else ""
        )
        rule = criteria.describe(verdict.route)
        text = f"{record}{leader}；{experts}。符合建站推荐条件（{route}：{rule}）。"
    else:
        lacks = "；".join(verdict.shortfalls + ([verdict.excluded] if verdict.excluded else []))
        text = f"{record}；{experts}。尚不满足自动推荐条件（{lacks}）。"
    return ("本建议由工作人员手工发起。" if by_hand else "本建议由系统按建站规则生成。") + text
