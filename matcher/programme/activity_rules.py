"""What makes an activity record valid, checked the same way for one record (API, UI) and for
a whole file (import): the lookups are loaded once per call, each problem names its field.

Rules: the service type is one of ``SERVICE_TYPES``; 平台建设 names its platform kind (one of
``PLATFORM_KINDS``) and no other type does; every expert named belongs to the society; a linked
need is the enterprise's, a linked assignment is between the society and the enterprise. The
round is the open round in which the two are paired (none when they are not paired).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.assignments.locking import chunks
from matcher.models import (
    Assignment,
    EnterprisePairing,
    PairingStatus,
    ProgrammeRound,
    RoundStatus,
    TechNeed,
    expert_societies,
)
from matcher.models.programme import PLATFORM_KINDS, SERVICE_TYPES

PLATFORM_TYPE = "平台建设"


@dataclass
class Lookups:
    """Facts about the ids some records name."""

    expert_societies: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    need_enterprise: dict[int, int | None] = field(default_factory=dict)
    assignment_parties: dict[int, tuple[int, int | None]] = field(default_factory=dict)
    pair_round: dict[tuple[int, int], int] = field(default_factory=dict)

    @classmethod
    def load(
        cls, session: Session, *, experts: set[int], needs: set[int], assignments: set[int]
    ) -> Lookups:
        out = cls()
        for part in chunks(experts):
            for e, s in session.execute(
                select(expert_societies.c.expert_id, expert_societies.c.society_id).where(
                    expert_societies.c.expert_id.in_(part)
                )
            ):
                out.expert_societies[e].add(s)
        for part in chunks(needs):
            out.need_enterprise.update(
                session.execute(
                    select(TechNeed.id, TechNeed.enterprise_id).where(TechNeed.id.in_(part))
                ).all()
            )
        for part in chunks(assignments):
            for a, s, e in session.execute(
                select(Assignment.id, Assignment.society_id, Assignment.enterprise_id).where(
                    Assignment.id.in_(part)
                )
            ):
                out.assignment_parties[a] = (s, e)
        for e, s, r in session.execute(
            select(
                EnterprisePairing.enterprise_id,
                EnterprisePairing.society_id,
                EnterprisePairing.round_id,
            )
            .join(ProgrammeRound, ProgrammeRound.id == EnterprisePairing.round_id)
            .where(
                EnterprisePairing.status == PairingStatus.ACTIVE,
                ProgrammeRound.status == RoundStatus.OPEN,
            )
            .order_by(EnterprisePairing.round_id)
        ):
            out.pair_round[(e, s)] = r  # the latest open round wins
        return out


def problems(
    look: Lookups,
    *,
    society_id: int,
    enterprise_id: int,
    service_type: str,
    platform_kind: str | None,
    expert_ids: list[int],
    need_id: int | None,
    assignment_id: int | None,
) -> list[tuple[str, str]]:
    """(field, bilingual message) for each rule the record breaks (see the module)."""
    out = []
    if service_type not in SERVICE_TYPES:
        out.append(
            (
                "service_type",
                f"服务类型应为 {'、'.join(SERVICE_TYPES)} 之一 / service type must be one of "
                "the programme's kinds",
            )
        )
    if service_type == PLATFORM_TYPE and platform_kind not in PLATFORM_KINDS:
        out.append(
            (
                "platform_kind",
                f"平台建设须填平台类型：{'、'.join(PLATFORM_KINDS)} / 平台建设 needs its platform "
                "kind",
            )
        )
    elif service_type != PLATFORM_TYPE and platform_kind:
        out.append(("platform_kind", "仅平台建设填写平台类型 / only 平台建设 has a platform kind"))
    outsiders = [e for e in expert_ids if society_id not in look.expert_societies.get(e, ())]
    if outsiders:
        out.append(
            (
                "expert_ids",
                f"专家 {'、'.join(map(str, outsiders))} 不属于该学会 / expert(s) "
                f"{', '.join(map(str, outsiders))} are not members of the society",
            )
        )
    if need_id is not None and look.need_enterprise.get(need_id) != enterprise_id:
        out.append(("need_id", "该需求不属于该企业 / the need is not the enterprise's"))
    if assignment_id is not None and look.assignment_parties.get(assignment_id) != (
        society_id,
        enterprise_id,
    ):
        out.append(
            (
                "assignment_id",
                "该分配不属于该学会与企业 / the assignment is not between this society and "
                "enterprise",
            )
        )
    return out


def expert_hours(total: float, expert_ids: list[int]) -> dict[int, float]:
    """Each expert's share of the activity's volunteer hours: the total split evenly."""
    if not expert_ids:
        return {}
    share = round(total / len(expert_ids), 4)
    return dict.fromkeys(expert_ids, share)
