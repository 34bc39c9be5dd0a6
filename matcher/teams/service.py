"""Service teams, staff only: propose (solve and store a draft), read with coverage, edit
members within the team's limits, save, list. Services never commit."""

from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from matcher.assignment.coverage import Candidate, best_team, team_value
from matcher.audit.service import record
from matcher.auth import policy
from matcher.errors import ConflictError, InvalidInputError, NotFoundError
from matcher.models import (
    Expert,
    ServiceTeam,
    ServiceTeamMember,
    TeamRole,
    TeamStatus,
    User,
)
from matcher.teams.needs import candidates, expert_fits, industry_needs, need_weight
from matcher.teams.schemas import (
    MemberIn,
    TeamMemberOut,
    TeamNeedOut,
    TeamOut,
    TeamProposeIn,
    TeamSummaryOut,
)

SOLVE_TIME_LIMIT = 20.0
"""Seconds; past it the best team found so far is kept with its proven bound and gap."""


def default_name(industry: str, city: str | None) -> str:
    return f"{city or '河南省'}{industry}产业科技服务团"


@policy.staff_only
def propose(*, session: Session, actor: User, data: TeamProposeIn) -> TeamOut:
    """Solve the coverage problem for the industry's unsolved needs and store the team as a
    draft (the leader is the member who fits the most needs)."""
    needs = industry_needs(session, data.industry, data.city)
    weights = {n.id: need_weight(n) for n in needs}
    pool = candidates(session, expert_fits(session, weights, data.threshold))
    started = time.perf_counter()
    result = best_team(
        pool, weights, size=data.size, per_society=data.per_society, time_limit=SOLVE_TIME_LIMIT
    )
    seconds = time.perf_counter() - started
    team = ServiceTeam(
        industry=data.industry,
        city=data.city or None,
        name=data.name or default_name(data.industry, data.city),
        status=TeamStatus.DRAFT,
        size_limit=data.size,
        per_society=data.per_society,
        threshold=data.threshold,
        created_by=actor.username,
        solve={
            "value": round(result.value, 4),
            "bound": round(result.bound, 4),
            "gap": round(result.gap, 6),
            "optimal": result.optimal,
            "seconds": round(seconds, 4),
            "needs": len(weights),
            "candidates": len(pool),
        },
    )
    leader = max(result.members, key=lambda m: (len(m.fits), -m.expert), default=None)
    team.members = [
        ServiceTeamMember(
            expert_id=m.expert,
            society_id=m.society,
            role=TeamRole.LEADER if m is leader else TeamRole.MEMBER,
        )
        for m in result.members
    ]
    session.add(team)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="team_propose",
        target_type="service_team",
        target_id=team.id,
        detail={"industry": team.industry, "city": team.city, **team.solve},
    )
    return team_out(session, team)


def _team(session: Session, team_id: int) -> ServiceTeam:
    team = session.scalar(
        select(ServiceTeam)
        .where(ServiceTeam.id == team_id)
        .options(
            selectinload(ServiceTeam.members).options(
                selectinload(ServiceTeamMember.expert), selectinload(ServiceTeamMember.society)
            )
        )
    )
    if team is None:
        raise NotFoundError("服务团", "service team")
    return team


@policy.staff_only
def get_team(*, session: Session, actor: User, team_id: int) -> TeamOut:
    return team_out(session, _team(session, team_id))


@policy.staff_only
def list_teams(
    *, session: Session, actor: User, industry: str | None = None, status: TeamStatus | None = None
) -> list[TeamSummaryOut]:
    """Newest first."""
    counts = (
        select(ServiceTeamMember.team_id, func.count().label("n"))
        .group_by(ServiceTeamMember.team_id)
        .subquery()
    )
    query = (
        select(ServiceTeam, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.team_id == ServiceTeam.id)
        .order_by(ServiceTeam.id.desc())
    )
    if industry:
        query = query.where(ServiceTeam.industry.contains(industry, autoescape=True))
    if status:
        query = query.where(ServiceTeam.status == status)
    return [_summary(t, n) for t, n in session.execute(query)]


@policy.staff_only
def save_team(*, session: Session, actor: User, team_id: int, name: str | None) -> TeamOut:
    """Adopt the team (draft → saved; a saved team may be renamed)."""
    team = _team(session, team_id)
    previous = team.status
    team.status = TeamStatus.SAVED
    if name:
        team.name = name
    record(
        session=session,
        actor=actor,
        action="team_save",
        target_type="service_team",
        target_id=team.id,
        detail={"from": previous.value, "name": team.name},
    )
    return team_out(session, team)


@policy.staff_only
def add_member(*, session: Session, actor: User, team_id: int, data: MemberIn) -> TeamOut:
    """Add an expert within the team's size and per-society limits (409 otherwise)."""
    team = _team(session, team_id)
    expert = session.get(Expert, data.expert_id)
    if expert is None:
        raise NotFoundError("专家", "expert")
    if any(m.expert_id == expert.id for m in team.members):
        raise ConflictError(
            "该专家已在团中", "the expert is already a member", code="member_exists"
        )
    if len(team.members) >= team.size_limit:
        raise ConflictError(
            f"服务团已满（上限 {team.size_limit} 人）",
            f"the team is full ({team.size_limit} members at most)",
            code="team_full",
        )
    society_id = _society_with_room(session, team, expert.id, data.society_id)
    team.members.append(
        ServiceTeamMember(expert_id=expert.id, society_id=society_id, role=data.role)
    )
    _audit_member(session, actor, team, "team_member_add", expert.id, society_id)
    session.flush()
    return team_out(session, team)


def _society_with_room(
    session: Session, team: ServiceTeam, expert_id: int, wanted: int | None
) -> int:
    own = sorted(policy.expert_society_ids(session, {expert_id})[expert_id])
    if wanted is not None and wanted not in own:
        raise InvalidInputError(
            "该专家不属于所选学会",
            "the expert is not a member of that society",
            details={"expert_id": expert_id, "society_id": wanted, "societies": own},
        )
    used = [m.society_id for m in team.members]
    for society_id in [wanted] if wanted is not None else own:
        if used.count(society_id) < team.per_society:
            return society_id
    raise ConflictError(
        f"该学会在团中已有 {team.per_society} 名专家（上限）"
        if own
        else "该专家不属于任何学会，不能入团",
        f"the society already has {team.per_society} members in the team (the limit)"
        if own
        else "the expert belongs to no society and cannot join a team",
        code="society_limit",
        details={"expert_id": expert_id, "societies": own},
    )


@policy.staff_only
def remove_member(*, session: Session, actor: User, team_id: int, expert_id: int) -> TeamOut:
    team = _team(session, team_id)
    member = next((m for m in team.members if m.expert_id == expert_id), None)
    if member is None:
        raise NotFoundError("服务团成员", "team member")
    team.members.remove(member)
    _audit_member(session, actor, team, "team_member_remove", expert_id, member.society_id)
    session.flush()
    return team_out(session, team)


def _audit_member(session, actor, team, action: str, expert_id: int, society_id: int) -> None:
    record(
        session=session,
        actor=actor,
        action=action,
        target_type="service_team",
        target_id=team.id,
        detail={"expert_id": expert_id, "society_id": society_id},
    )


# ---- reading -------------------------------------------------------------------------------


def _summary(team: ServiceTeam, members: int) -> TeamSummaryOut:
    return TeamSummaryOut(
        id=team.id,
        name=team.name,
        industry=team.industry,
        city=team.city,
        status=team.status,
        members=members,
        created_by=team.created_by,
        created_at=team.created_at,
    )


def team_out(session: Session, team: ServiceTeam) -> TeamOut:
    """The team with, for each of the industry's unsolved needs (as they are now), the
    members who fit it (stored expert matches at or above the team's threshold)."""
    needs = industry_needs(session, team.industry, team.city)
    weights = {n.id: need_weight(n) for n in needs}
    members = list(team.members)
    fits = expert_fits(session, weights, team.threshold, [m.expert_id for m in members])
    chosen = [Candidate(m.expert_id, m.society_id, fits.get(m.expert_id, {})) for m in members]
    value, covered = team_value(chosen, weights)
    names = {m.expert_id: m.expert.name for m in members}
    need_rows = [
        TeamNeedOut(
            need_id=n.id,
            title=n.title,
            enterprise_name=n.enterprise.name if n.enterprise else None,
            city=n.city or (n.enterprise.city if n.enterprise else None),
            chain_leader=bool(n.enterprise and n.enterprise.is_chain_leader),
            weight=weights[n.id],
            members=[names[e] for e in covered.get(n.id, [])],
            best_score=max((fits[e][n.id] for e in covered.get(n.id, [])), default=None),
        )
        for n in needs
    ]
    return TeamOut(
        **_summary(team, len(members)).model_dump(),
        size_limit=team.size_limit,
        per_society=team.per_society,
        threshold=team.threshold,
        solve=dict(team.solve or {}),
        team_members=[
            TeamMemberOut(
                expert_id=m.expert_id,
                name=m.expert.name,
                title=m.expert.title,
                affiliation=m.expert.affiliation,
                society_id=m.society_id,
                society_name=m.society.name,
                role=m.role,
                needs_fit=len(fits.get(m.expert_id, {})),
            )
            for m in members
        ],
        needs=need_rows,
        covered=len(covered),
        uncovered=len(needs) - len(covered),
        value=round(value, 4),
    )


@policy.staff_only
def addable_experts(*, session: Session, actor: User, team_id: int) -> list[tuple[int, str, int]]:
    """(expert id, "name（societies）", needs fit) of the experts not in the team who fit at
    least one of its needs, those fitting the most first."""
    team = _team(session, team_id)
    needs = industry_needs(session, team.industry, team.city)
    fits = expert_fits(session, [n.id for n in needs], team.threshold)
    members = {m.expert_id for m in team.members}
    pool = [e for e in fits if e not in members]
    experts = session.scalars(
        select(Expert).where(Expert.id.in_(pool)).options(selectinload(Expert.societies))
    )
    rows = [
        (e.id, f"{e.name}（{'、'.join(s.name for s in e.societies) or '无学会'}）", len(fits[e.id]))
        for e in experts
    ]
    return sorted(rows, key=lambda r: (-r[2], r[0]))
