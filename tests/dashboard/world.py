"""Rows for the dashboard tests, written as plain data so that each test can count what it
expects from the same data, independently of the SQL under test."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from matcher.db import Store
from matcher.models import (
    Assignment,
    AssignmentStatus,
    Enterprise,
    LeadResponse,
    LeadResponseStatus,
    MatchResult,
    NeedStatus,
    Society,
    TargetKind,
    TechNeed,
)


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass(frozen=True)
class NeedRow:
    ext: str
    city: str | None
    industry: str | None
    discipline: str | None
    status: NeedStatus
    created: datetime
    matches: tuple[tuple[str, float], ...] = ()  # (society, score), best first
    answers: tuple[tuple[str, float], ...] = ()  # (society, hours after posting)


@dataclass(frozen=True)
class ServiceRow:
    society: str
    enterprise: str
    status: AssignmentStatus
    completed: datetime | None = None
    rating: int | None = None


SOCIETIES = {  # name: (city, capacity, disciplines)
    "机械学会": ("郑州市", 4, ["机械工程", "材料科学"]),
    "化学会": ("洛阳市", 2, ["化学"]),
    "农学会": ("开封市", 0, ["农学", "机械工程"]),
}
ENTERPRISES = {"郑州企业": "郑州市", "洛阳企业": "洛阳市"}
M, OP, ND = NeedStatus.MATCHED, NeedStatus.OPEN, NeedStatus.NEEDS_DETAIL
NEEDS = (
    NeedRow("N1", "郑州市", "装备制造", "机械工程", M, at("2026-09-03"),
            (("机械学会", 81.0), ("化学会", 40.0)), (("机械学会", 5.0),)),
    NeedRow("N2", "郑州市", "装备制造", None, M, at("2026-09-20"),
            (("机械学会", 49.9), ("农学会", 30.0)), (("机械学会", 30.0), ("农学会", 2.0))),
    NeedRow("N3", "洛阳市", "新材料", "化学", M, at("2026-10-01", 0),
            (("化学会", 50.0),), (("化学会", 1.0),)),
    NeedRow("N4", "洛阳市", None, "", OP, at("2026-10-31", 23)),  # 23:00 UTC: still October
    NeedRow("N5", "开封市", "食品", None, ND, at("2026-11-02"), (("农学会", 90.0),)),
    NeedRow("N6", "郑州市", "  ", "化学", NeedStatus.ASSIGNED, at("2026-11-05"),
            (("化学会", 95.0),), (("化学会", 10.0),)),
    NeedRow("N7", "北京市", "装备制造", None, NeedStatus.RESOLVED, at("2026-11-10"),
            (("机械学会", 70.0),), (("机械学会", 48.0),)),
    NeedRow("N8", None, "新材料", "机械工程", NeedStatus.CLOSED, at("2026-11-28"),
            (("机械学会", 60.0),)),
    NeedRow("N9", "郑州市", "装备制造", None, M, at("2026-11-29"),
            (("农学会", 55.0), ("机械学会", 54.0)), (("机械学会", 3.0),)),
)  # fmt: skip
SERVICES = (
    ServiceRow("机械学会", "郑州企业", AssignmentStatus.PROPOSED),
    ServiceRow("机械学会", "洛阳企业", AssignmentStatus.IN_SERVICE),
    ServiceRow("机械学会", "洛阳企业", AssignmentStatus.CANCELLED),
    ServiceRow("化学会", "郑州企业", AssignmentStatus.CONFIRMED),
    ServiceRow("化学会", "郑州企业", AssignmentStatus.COMPLETED, at("2026-09-30", 23), 4),
    ServiceRow("化学会", "洛阳企业", AssignmentStatus.COMPLETED, at("2026-10-02"), 5),
    ServiceRow("机械学会", "洛阳企业", AssignmentStatus.COMPLETED, at("2026-10-15"), None),
    ServiceRow("农学会", "郑州企业", AssignmentStatus.COMPLETED, at("2026-10-20"), 2),
)


@dataclass
class Ids:
    societies: dict[str, int] = field(default_factory=dict)


def load(store: Store) -> Ids:
    """The rows above in the store; the society ids by name."""
    ids = Ids()
    with store.transaction() as s:
        societies = {
            name: Society(external_id=name, name=name, city=city, capacity=cap, disciplines=disc)
            for name, (city, cap, disc) in SOCIETIES.items()
        }
        enterprises = {
            name: Enterprise(external_id=name, name=name, city=city)
            for name, city in ENTERPRISES.items()
        }
        s.add_all([*societies.values(), *enterprises.values()])
        s.flush()
        for row in NEEDS:
            need = TechNeed(
                external_id=row.ext,
                title=row.ext,
                city=row.city,
                industry=row.industry,
                discipline=row.discipline,
                status=row.status,
                created_at=row.created,
            )
            s.add(need)
            s.flush()
            for rank, (society, score) in enumerate(row.matches, start=1):
                s.add(
                    MatchResult(
                        need_id=need.id,
                        target_kind=TargetKind.SOCIETY,
                        target_id=societies[society].id,
                        rank=rank,
                        score=score,
                    )
                )
            for society, hours in row.answers:
                s.add(
                    LeadResponse(
                        need_id=need.id,
                        society_id=societies[society].id,
                        status=LeadResponseStatus.INTERESTED,
                        created_at=row.created + timedelta(hours=hours),
                    )
                )
        for row in SERVICES:
            s.add(
                Assignment(
                    society_id=societies[row.society].id,
                    enterprise_id=enterprises[row.enterprise].id,
                    status=row.status,
                    completed_at=row.completed,
                    rating=row.rating,
                )
            )
        s.flush()
        ids.societies = {name: soc.id for name, soc in societies.items()}
    return ids
