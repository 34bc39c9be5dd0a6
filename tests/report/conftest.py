"""A programme year for the report tests, on both databases: the rows are listed here as
plain tuples, so a test can recompute every figure from them independently.

Round 2026 (and round 2025, whose rows must not count): pairs in every status, activities
of several types and months (one disputed, one of round 2025, one without a round but dated
2026), completed and cancelled services, and workstations of both years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest

from matcher.models import (
    Assignment,
    AssignmentStatus,
    ConfirmationStatus,
    EnterprisePairing,
    PairingStatus,
    ProgrammeRound,
    ServiceActivity,
    Workstation,
)
from tests.api.conftest import World, build_world, make_enterprise, make_need, make_society

# enterprise key → (city, industry, priority industry, chain leader)
ENTERPRISES = {
    "L1": ("洛阳市", "轴承制造", "轴承", True),
    "L2": ("洛阳市", "轴承制造", None, False),  # priority derived from the industry: 轴承
    "Z1": ("郑州市", "盾构装备制造", "盾构", True),
    "Z2": ("郑州市", "食品加工", None, False),  # 其他
    "P1": ("平顶山市", "尼龙化工", "尼龙", False),
}
SOCIETIES = ("S_A", "S_B", "S_C", "S_D")
# (round, society, enterprise, status)
PAIRS = [
    ("2026", "S_A", "L1", PairingStatus.ACTIVE),
    ("2026", "S_B", "L1", PairingStatus.ACTIVE),
    ("2026", "S_A", "Z1", PairingStatus.ENDED),
    ("2026", "S_C", "Z2", PairingStatus.ACTIVE),
    ("2026", "S_D", "P1", PairingStatus.PROPOSED),  # a dry run's: not counted
    ("2026", "S_D", "L2", PairingStatus.REMOVED),  # not counted
    ("2025", "S_D", "P1", PairingStatus.ACTIVE),  # another round
]
OK, WAIT, NO = (
    ConfirmationStatus.CONFIRMED,
    ConfirmationStatus.PENDING,
    ConfirmationStatus.DISPUTED,
)
# (round or None, society, enterprise, type, platform, date, hours, confirmation)
ACTIVITIES = [
    ("2026", "S_A", "L1", "技术指导", None, date(2026, 3, 5), 6.0, OK),
    ("2026", "S_A", "L1", "宣讲科技创新政策", None, date(2026, 3, 20), 2.5, WAIT),
    ("2026", "S_B", "L1", "解决发展难题", None, date(2026, 7, 1), 12.0, OK),
    ("2026", "S_C", "Z2", "平台建设", "企业科协", date(2026, 9, 9), 4.0, WAIT),
    ("2026", "S_A", "Z1", "平台建设", "海智工作站", date(2026, 11, 2), 3.0, OK),
    ("2026", "S_C", "Z2", "技术指导", None, date(2026, 9, 30), 5.0, NO),
    (None, "S_D", "P1", "联合科研团队", None, date(2026, 12, 1), 8.0, WAIT),
    (None, "S_D", "P1", "技术指导", None, date(2025, 12, 1), 1.0, WAIT),
    ("2025", "S_D", "P1", "技术指导", None, date(2026, 1, 15), 9.0, OK),
]  # fmt: skip
# (need key, society, enterprise, status, completed)
SERVICES = [
    ("N1", "S_A", "L1", AssignmentStatus.COMPLETED, datetime(2026, 4, 1, tzinfo=UTC)),
    ("N2", "S_B", "L2", AssignmentStatus.COMPLETED, datetime(2026, 10, 1, tzinfo=UTC)),
    ("N3", "S_C", "Z2", AssignmentStatus.COMPLETED, datetime(2025, 10, 1, tzinfo=UTC)),
    ("N4", "S_A", "Z1", AssignmentStatus.CANCELLED, None),
]
# (society, enterprise, start)
STATIONS = [("S_A", "L1", date(2026, 5, 1)), ("S_C", "Z2", date(2025, 5, 1))]


@dataclass
class Year:
    world: World
    ids: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def year(store, settings) -> Year:
    world = build_world(store, settings)
    ids: dict[str, int] = {}
    with store.transaction() as s:
        rounds = {n: ProgrammeRound(name=n, created_by="staff") for n in ("2025", "2026")}
        s.add_all(rounds.values())
        ents = {
            k: make_enterprise(
                s, f"R{k}", name=f"企业{k}", city=c, industry=i, priority_industry=p,
                is_chain_leader=leader,
            )
            for k, (c, i, p, leader) in ENTERPRISES.items()
        }  # fmt: skip
        socs = {k: make_society(s, f"R{k}", f"学会{k}", ["机械"], "机械") for k in SOCIETIES}
        s.flush()
        for r, soc, ent, status in PAIRS:
            pair = EnterprisePairing(
                round_id=rounds[r].id, society_id=socs[soc].id, enterprise_id=ents[ent].id
            )
            pair.status, pair.score = status, 70.0
            s.add(pair)
        for r, soc, ent, kind, platform, day, hours, confirmation in ACTIVITIES:
            s.add(
                ServiceActivity(
                    round_id=rounds[r].id if r else None,
                    society_id=socs[soc].id,
                    enterprise_id=ents[ent].id,
                    service_type=kind,
                    platform_kind=platform,
                    activity_date=day,
                    volunteer_hours=hours,
                    participants=10,
                    confirmation=confirmation,
                )
            )
        for need, soc, ent, status, completed in SERVICES:
            n = make_need(s, f"R{need}", ents[ent], f"需求{need}", "描述", ["机械"])
            s.flush()
            ids[need] = n.id
            s.add(Assignment(society_id=socs[soc].id, enterprise_id=ents[ent].id, need_id=n.id,
                             status=status, completed_at=completed))  # fmt: skip
        for soc, ent, start in STATIONS:
            s.add(Workstation(society_id=socs[soc].id, enterprise_id=ents[ent].id,
                              name=f"工作站{soc}{ent}", start_date=start))  # fmt: skip
        s.flush()
        ids |= {k: v.id for k, v in ents.items()} | {k: v.id for k, v in socs.items()}
    return Year(world, ids)
