"""Words of bulk assignment runs that the API schemas and the CLI share (plain Python: the
CLI declares its options without loading pydantic or FastAPI)."""

from __future__ import annotations

from enum import StrEnum

UNASSIGNED_TEXT = {
    "no_candidate_above_min_score": ("没有学会达到最低分", "no society scores the minimum"),
    "all_candidates_at_capacity": (
        "候选学会（或其牵头专家）均已满额",
        "every candidate society (or its lead expert) is full",
    ),
    "all_candidates_conflicted_or_forbidden": (
        "候选学会均被禁止、曾拒绝或存在利益冲突",
        "every candidate is forbidden, declined or conflicted",
    ),
    "quota_exhausted": ("所在城市或行业的限额已用完", "its city's or industry's quota is used up"),
    "removed_by_staff": ("工作人员移除了该对接", "staff removed its pair"),
}
"""Why a need was left with fewer than ``per_need`` pairs (one reason per need)."""


def reason_text(code: str) -> str:
    zh, en = UNASSIGNED_TEXT.get(code, (code, code))
    return f"{zh} / {en}"


class Fair(StrEnum):
    city = "city"
    enterprise = "enterprise"
