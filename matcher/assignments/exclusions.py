"""What rules a pair out of a run, with the reason staff are shown: staff forbids, a
society's decline or "not suitable" answer, and conflicts of interest."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.assignments.locking import chunks
from matcher.models import (
    Assignment,
    AssignmentConstraint,
    ConflictOfInterest,
    ConstraintKind,
    LeadResponse,
    LeadResponseStatus,
    TechNeed,
)

REMOVAL_TEXT = {
    "forbidden": ("工作人员禁止该组合", "forbidden by staff"),
    "declined": ("学会曾拒绝该需求的对接", "the society declined this need before"),
    "not_suitable": ("学会答复线索“不合适”", "the society answered the lead: not suitable"),
    "conflict_society": ("学会与企业存在登记的利益冲突", "listed conflict of interest"),
    "conflict_expert": ("专家与企业存在登记的利益冲突", "listed conflict of interest"),
    "conflict_affiliation": ("专家任职于该企业", "the expert works for the enterprise"),
}
"""Why a candidate (society) or a lead expert was removed before solving."""


@dataclass
class Removal:
    need_id: int
    society_id: int
    expert_id: int | None
    reason: str
    detail: str = ""


@dataclass
class Rules:
    """The exclusions by kind, each pair with its reason (for the explanation)."""

    need_society: dict[tuple[int, int], str] = field(default_factory=dict)
    enterprise_society: dict[tuple[int, int], str] = field(default_factory=dict)
    enterprise_expert: dict[tuple[int, int], str] = field(default_factory=dict)

    def society_reason(self, need: TechNeed, society_id: int) -> str | None:
        return self.need_society.get((need.id, society_id)) or self.enterprise_society.get(
            (need.enterprise_id, society_id)
        )


def find_rules(session: Session, needs: dict[int, TechNeed]) -> Rules:
    """Forbids, declines, "not suitable" answers and listed conflicts that touch the run."""
    rules = Rules()
    enterprises = {n.enterprise_id for n in needs.values()}
    for row in session.scalars(
        select(AssignmentConstraint).where(AssignmentConstraint.kind == ConstraintKind.FORBID)
    ):
        if row.need_id in needs:
            rules.need_society[(row.need_id, row.society_id)] = "forbidden"
        elif row.enterprise_id in enterprises:
            rules.enterprise_society[(row.enterprise_id, row.society_id)] = "forbidden"
    for part in chunks(needs):
        declined = select(Assignment.need_id, Assignment.society_id).where(
            Assignment.need_id.in_(part), Assignment.declined_at.is_not(None)
        )
        for key in session.execute(declined):
            rules.need_society.setdefault(tuple(key), "declined")
        answered = select(LeadResponse.need_id, LeadResponse.society_id).where(
            LeadResponse.need_id.in_(part),
            LeadResponse.status == LeadResponseStatus.NOT_SUITABLE,
        )
        for key in session.execute(answered):
            rules.need_society.setdefault(tuple(key), "not_suitable")
    for part in chunks(enterprises):
        for row in session.scalars(
            select(ConflictOfInterest).where(ConflictOfInterest.enterprise_id.in_(part))
        ):
            if row.society_id is not None:
                rules.enterprise_society.setdefault(
                    (row.enterprise_id, row.society_id), "conflict_society"
                )
            else:
                rules.enterprise_expert[(row.enterprise_id, row.expert_id)] = "conflict_expert"
    return rules
