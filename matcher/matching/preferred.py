"""Societies (and experts) a need lists first whatever their score, each with its reason: the
intended partner the enterprise names (合作意向单位), the enterprise's programme partners
(结对学会, ``matcher.programme.rounds``) and the societies with a workstation at the enterprise
(学会专家工作站, their resident experts first among experts). Scores stay the calibrated
relevance. A workstation or partner society that answered "not suitable" to a near-duplicate of
the need keeps its place by score instead (the enterprise naming it still lists it first)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.models import TechNeed
from matcher.ranking.rank import Query, Scored
from matcher.text.normalize import normalize

PARTNER_REASON = "合作意向单位 intended partner"
DECLINED_LIFTS = 0.5
"""From this ``declined`` prior on (the society declined a need this similar: character cosine
≥ 0.75 at the default threshold 0.5, ``matcher.ranking.feedback``), a society is not listed
first for a standing arrangement; it keeps its place by score, marked ``not_listed_first``."""
MIN_NAME = 4
"""Shorter names (after dropping 河南省) are too ambiguous to recognise in free text."""


def _core(name: str) -> str:
    text = "".join(normalize(name).split())
    for affix in ("河南省", "河南"):
        text = text.removeprefix(affix)
    return text


def preferred(query: Query, society_names: dict[int, str]) -> dict[int, str]:
    """Society id → reason for the societies this need asks for by name."""
    if not query.partner:
        return {}
    partner = _core(query.partner)
    out = {}
    for sid, name in society_names.items():
        core = _core(name)
        if len(core) >= MIN_NAME and core in partner:
            out[sid] = PARTNER_REASON
    return out


def listed_first(query: Query, society_names: dict[int, str]) -> dict[int, str]:
    """Society id → reason for the societies ``query`` lists first: its standing
    arrangements (``query.first``: workstations, programme partners) and the partner it
    names, whose reason wins, so that ``put_first`` keeps a named society first even when
    it declined a near-duplicate of the need."""
    return (query.first or {}) | preferred(query, society_names)


def put_first(scored: list[Scored], first: dict[int, str], top_k: int) -> list[Scored]:
    """``scored`` (best first) with the ``first`` societies moved to the front, each marked
    with its reason, cut to ``top_k``; one that declined a near-duplicate of the need stays in
    place (unless the need names it)."""
    if not first:
        return scored[:top_k]
    head = []
    for s in scored:
        if s.id not in first:
            continue
        if first[s.id] != PARTNER_REASON and s.components.get("declined", 0) >= DECLINED_LIFTS:
            s.components["not_listed_first"] = first[s.id]
        else:
            s.components["listed_first"] = first[s.id]
            head.append(s)
    moved = {s.id for s in head}
    return (head + [s for s in scored if s.id not in moved])[:top_k]


def attach_workstations(session: Session, needs: list[TechNeed], queries: list[Query]) -> None:
    """Give each query of an enterprise with workstations or programme partners (结对学会,
    active pairs of an open round) those societies to list first, and the workstations'
    resident experts among experts (one look-up per enterprise, none when there is no
    workstation and no active pair at all)."""
    from matcher.models.workstation import Workstation
    from matcher.programme.rounds import any_active_pair, paired_societies

    stations = bool(session.scalar(select(func.count()).select_from(Workstation)))
    pairs = any_active_pair(session)
    if not stations and not pairs:
        return
    from matcher.proposals.service import resident_experts, workstation_societies

    seen: dict[int, tuple[dict[int, str], set[int]]] = {}
    for need, query in zip(needs, queries, strict=True):
        ent = need.enterprise_id
        if ent is None:
            continue
        if ent not in seen:
            first = paired_societies(session, ent) if pairs else {}
            if stations:
                first |= workstation_societies(session, ent)
            seen[ent] = (first, resident_experts(session, ent) if stations else set())
        query.first, query.first_experts = seen[ent]
