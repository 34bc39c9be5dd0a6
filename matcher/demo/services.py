"""Completed, rated volunteer services of the demo programme (``services.csv``).

Each row is one need an enterprise posted that a society served to completion: the society
is one the need's topic names (the same truth the benchmark uses), the lead expert one of its
members who knows the topic, with the enterprise's rating (1–5) and a short outcome. The mix
is chosen so that some (enterprise, society) pairs qualify for an expert workstation and
others come close: pairs served two or three times and rated well, pairs served twice but
rated poorly, chain leaders served once and well, and single services of every rating.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

LIST_SEP = "；"
HEADER = [
    "need_external_id",
    "society_external_id",
    "expert_external_id",
    "rating",
    "outcome",
    "started",
    "completed",
]
_FIRST_COMPLETION = date(2025, 3, 1)
_COMPLETION_DAYS = 540  # completions spread over 2025-03 … 2026-08

_OUTCOMES = {
    5: (
        "专家多次到企业现场指导，{kw}问题得到解决，形成技术规范1项，相关指标明显改善。",
        "围绕{kw}开展联合攻关，关键指标达到预期，企业已在生产中推广应用。",
        "专家团队完成{kw}技术方案并指导实施，企业年节约成本约{n}万元。",
    ),
    4: (
        "完成{kw}技术诊断并提出改进方案，企业试用后效果良好，后续拟继续合作。",
        "专家就{kw}问题开展技术培训两次，企业技术人员掌握了关键工艺。",
        "协助企业完成{kw}试验验证，主要问题基本解决，个别指标仍需跟踪。",
    ),
    3: (
        "专家提出{kw}改进建议，企业正在验证，效果有待观察。",
        "完成{kw}现场调研和问题分析，形成咨询报告，尚未实施。",
    ),
    2: (
        "专家到位较晚，{kw}问题仅部分缓解，企业希望加强后续跟进。",
        "对{kw}问题给出的方案与企业条件不够匹配，实施效果一般。",
    ),
    1: ("双方沟通不畅，{kw}问题未能解决。",),
}
# (ratings of a pair's services); a pair gets one of these shapes at random
_GOOD = ((5, 4), (4, 5), (5, 5), (4, 4, 5), (5, 4, 4), (4, 5, 5))
_POOR = ((3, 4), (4, 2), (3, 3), (2, 4, 3))
_SINGLE = (5, 5, 4, 4, 4, 3, 3, 2, 1)


@dataclass(frozen=True)
class _Need:
    external_id: str
    enterprise: str
    keywords: list[str]
    topic: str
    relevant: list[str]


def service_rows(
    rng: random.Random,
    *,
    societies: list[list[str]],
    experts: list[list[str]],
    enterprises: list[list[str]],
    needs: list[list[str]],
    truth: list[list[str]],
    areas: dict[str, tuple[str, ...]],
) -> list[list[str]]:
    """The rows of ``services.csv`` (columns ``HEADER``), from the other demo tables.

    ``areas`` maps a topic key to its experts' research-area phrases (to pick a lead expert
    who knows the topic)."""
    pool = _needs(needs, truth)
    city = {row[0]: row[4] for row in societies}
    leaders = {row[0] for row in enterprises if row[7] == "是"}
    ent_city = {row[0]: row[3] for row in enterprises}
    members = _members(experts)
    groups: dict[tuple[str, str], list[_Need]] = defaultdict(list)
    for need in pool:
        groups[(need.enterprise, need.topic)].append(need)
    several = [g for g in groups.values() if len(g) >= 2]
    rng.shuffle(several)
    count = len(enterprises)
    plan: list[tuple[list[_Need], tuple[int, ...]]] = []
    used: set[str] = set()
    for shapes, wanted in ((_GOOD, max(2, count // 75)), (_POOR, max(1, count // 150))):
        for group in several:
            if wanted == 0:
                break
            if group[0].enterprise in used:
                continue
            shape = rng.choice(shapes)
            plan.append((group[: len(shape)], shape[: len(group)]))
            used.add(group[0].enterprise)
            wanted -= 1
    singles = [n for n in pool if n.enterprise not in used]
    rng.shuffle(singles)
    first_leaders = [n for n in singles if n.enterprise in leaders][: max(1, count // 150)]
    plan += [([n], (rng.choice((4, 5)),)) for n in first_leaders]
    used |= {n.enterprise for n in first_leaders}
    others = [n for n in singles if n.enterprise not in used][: max(2, count // 30)]
    plan += [([n], (rng.choice(_SINGLE),)) for n in others]
    rows = []
    for group, ratings in plan:
        society = _society(group[0], city, ent_city)
        for need, rating in zip(group, ratings, strict=False):
            expert = _expert(rng, members.get(society, []), areas.get(need.topic, ()))
            rows.append(_row(rng, need, society, expert, rating))
    rows.sort(key=lambda r: r[0])
    return rows


def _needs(needs: list[list[str]], truth: list[list[str]]) -> list[_Need]:
    out = []
    for row, (need_id, topic, relevant) in zip(needs, truth, strict=True):
        assert row[0] == need_id
        societies = [s for s in relevant.split(LIST_SEP) if s]
        if societies and row[1]:
            out.append(
                _Need(row[0], row[1], [k for k in row[6].split(LIST_SEP) if k], topic, societies)
            )
    return out


def _members(experts: list[list[str]]) -> dict[str, list[tuple[str, list[str]]]]:
    """Society external id → its experts (external id, research areas), in file order."""
    out: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for row in experts:
        for society in row[2].split(LIST_SEP):
            out[society].append((row[0], row[6].split(LIST_SEP)))
    return out


def _society(need: _Need, city: dict[str, str], ent_city: dict[str, str]) -> str:
    """The relevant society in the enterprise's city, else the first (provincial) one."""
    local = [s for s in need.relevant if city.get(s) == ent_city.get(need.enterprise)]
    return (local or need.relevant)[0]


def _expert(
    rng: random.Random, members: list[tuple[str, list[str]]], areas: tuple[str, ...]
) -> str:
    knowing = [ext for ext, own in members if set(own) & set(areas)]
    choices = knowing or [ext for ext, _ in members]
    return rng.choice(choices) if choices else ""


def _row(rng: random.Random, need: _Need, society: str, expert: str, rating: int) -> list[str]:
    completed = _FIRST_COMPLETION + timedelta(days=rng.randrange(_COMPLETION_DAYS))
    started = completed - timedelta(days=rng.randrange(30, 150))
    kw = "、".join(need.keywords[:2]) or "相关技术"
    outcome = rng.choice(_OUTCOMES[rating]).format(kw=kw, n=rng.choice((20, 35, 50, 80, 120)))
    return [
        need.external_id,
        society,
        expert,
        str(rating),
        outcome,
        started.isoformat(),
        completed.isoformat(),
    ]
