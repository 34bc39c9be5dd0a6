"""A small store for the bulk-assignment tests: three societies, their experts (one works
for an enterprise), three enterprises, six needs and hand-made society matches."""

from __future__ import annotations

from dataclasses import dataclass, field

from matcher.assignments.run_schemas import RunCreate
from matcher.assignments.runs import create_run
from matcher.auth.actors import SYSTEM_CLI
from matcher.models import (
    Enterprise,
    Expert,
    MatchResult,
    NeedStatus,
    Society,
    TargetKind,
    TechNeed,
)

SOCIETIES = {
    "SA": ("河南省机械工程学会", 2),
    "SB": ("河南省化学会", 1),
    "SC": ("河南省材料学会", 3),
}
EXPERTS = {  # external id → society, affiliation
    "XA1": ("SA", "郑州重工机械股份有限公司技术中心"),  # works for E1 (another legal form)
    "XA2": ("SA", "郑州大学"),
    "XB1": ("SB", "河南大学"),
    "XC1": ("SC", "郑州大学"),
}
ENTERPRISES = {
    "E1": ("郑州重工机械有限公司", "郑州市", "装备制造"),
    "E2": ("洛阳新材料科技有限公司", "洛阳市", "新材料"),
    "E3": ("开封化工股份有限公司", "开封市", "化工"),
}
NEEDS = {  # need → enterprise, [(society, score, [lead experts by rank])]
    "N1": ("E1", [("SA", 90, ["XA1", "XA2"]), ("SB", 40, ["XB1"])]),
    "N2": ("E1", [("SA", 80, ["XA1", "XA2"]), ("SC", 70, ["XC1"])]),
    "N3": ("E2", [("SC", 85, ["XC1"]), ("SA", 60, ["XA2"])]),
    "N4": ("E2", [("SB", 75, ["XB1"]), ("SC", 50, ["XC1"])]),
    "N5": ("E3", [("SB", 88, ["XB1"]), ("SC", 30, ["XC1"])]),
    "N6": ("E3", [("SA", 10, ["XA2"])]),
}


@dataclass
class Ids:
    society: dict[str, int] = field(default_factory=dict)
    expert: dict[str, int] = field(default_factory=dict)
    enterprise: dict[str, int] = field(default_factory=dict)
    need: dict[str, int] = field(default_factory=dict)

    def name_of(self, kind: str, db_id: int) -> str:
        return next(k for k, v in getattr(self, kind).items() if v == db_id)


def build(session) -> Ids:
    ids = Ids()
    societies = {}
    for ext, (name, capacity) in SOCIETIES.items():
        societies[ext] = Society(external_id=ext, name=name, capacity=capacity, city="郑州市")
    experts = {
        ext: Expert(external_id=ext, name=f"专家{ext}", affiliation=aff, societies=[societies[s]])
        for ext, (s, aff) in EXPERTS.items()
    }
    enterprises = {
        ext: Enterprise(external_id=ext, name=name, city=city, industry=industry)
        for ext, (name, city, industry) in ENTERPRISES.items()
    }
    needs = {
        ext: TechNeed(
            external_id=ext,
            enterprise=enterprises[ent],
            title=f"需求{ext}",
            city=enterprises[ent].city,
            industry=enterprises[ent].industry,
            status=NeedStatus.MATCHED,
        )
        for ext, (ent, _) in NEEDS.items()
    }
    session.add_all([*societies.values(), *experts.values(), *enterprises.values()])
    session.add_all(needs.values())
    session.flush()
    for ext, (_ent, candidates) in NEEDS.items():
        for rank, (soc, score, leads) in enumerate(candidates, start=1):
            top = [{"id": experts[x].id, "name": experts[x].name, "score": 1.0} for x in leads]
            session.add(
                MatchResult(
                    need_id=needs[ext].id,
                    target_kind=TargetKind.SOCIETY,
                    target_id=societies[soc].id,
                    rank=rank,
                    score=float(score),
                    components={"fused": 1.0, "top_experts": top},
                    matched_keywords=[],
                    model_id="hand-made",
                )
            )
    session.flush()
    for kind, objs in (
        ("society", societies),
        ("expert", experts),
        ("enterprise", enterprises),
        ("need", needs),
    ):
        getattr(ids, kind).update({ext: o.id for ext, o in objs.items()})
    return ids


def dry_run(session, **params):
    """A dry run as the CLI would make it (min score 20 unless given)."""
    params.setdefault("min_score", 20)
    return create_run(session=session, actor=SYSTEM_CLI, params=RunCreate.checked(**params))
