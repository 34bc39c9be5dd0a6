"""A bearing industry (轴承制造) in Luoyang for the team tests, on both databases.

Three societies (A 机械, B 材料, C 摩擦); six experts — 许跨 is a member of A and B — and
five unsolved needs in 洛阳市 (one of a chain leader, weight 2), plus a resolved need and a
need in 郑州市 that a Luoyang team leaves out. Expert match rows are written by hand.
"""

from __future__ import annotations

import pytest

from matcher.models import NeedStatus
from tests.api.conftest import World, build_world, make_enterprise, make_expert, make_need
from tests.api.conftest import make_society as society
from tests.proposals.conftest import match

FITS = {  # expert → {need → score}
    "张机": {"N1": 88, "N2": 75, "N3": 40},
    "王机": {"N1": 70, "N4": 66},
    "许跨": {"N2": 80, "N3": 72, "N5": 61},
    "李材": {"N3": 90},
    "周材": {"N4": 85, "N5": 64},
    "吴摩": {"N5": 92, "N6": 95, "N7": 95},
}
MEMBERSHIP = {"张机": "A", "王机": "A", "许跨": "A", "李材": "B", "周材": "B", "吴摩": "C"}


@pytest.fixture
def bearing(store, settings) -> World:
    world = build_world(store, settings)
    ids = world.ids
    with store.transaction() as s:
        plain = make_enterprise(
            s, "B1", name="洛阳轴承配件有限公司", city="洛阳市", industry="轴承制造"
        )
        leader = make_enterprise(
            s,
            "B2",
            name="洛阳轴研链主集团",
            city="洛阳市",
            industry="轴承制造",
            is_chain_leader=True,
        )
        away = make_enterprise(s, "B3", name="郑州轴承有限公司", city="郑州市", industry="轴承制造")
        socs = {
            "A": society(s, "TA", "河南省机械学会", ["机械"], "机械"),
            "B": society(s, "TB", "河南省材料学会", ["材料"], "材料"),
            "C": society(s, "TC", "河南省摩擦学学会", ["摩擦"], "摩擦"),
        }
        s.flush()
        experts = {
            name: make_expert(s, f"TX{i}", name, socs[MEMBERSHIP[name]], ["轴承"], "轴承研究")
            for i, name in enumerate(FITS)
        }
        experts["许跨"].societies.append(socs["B"])
        needs = {
            "N1": make_need(s, "TN1", plain, "轴承套圈磨削烧伤", "磨削", ["磨削"]),
            "N2": make_need(s, "TN2", plain, "轴承寿命预测", "寿命", ["寿命"]),
            "N3": make_need(s, "TN3", leader, "高碳铬轴承钢热处理", "热处理", ["热处理"]),
            "N4": make_need(s, "TN4", leader, "保持架材料替代", "保持架", ["保持架"]),
            "N5": make_need(s, "TN5", plain, "轴承润滑与摩擦磨损", "润滑", ["润滑"]),
            "N6": make_need(s, "TN6", plain, "已解决的轴承振动", "振动", ["振动"]),
            "N7": make_need(s, "TN7", away, "郑州的轴承密封", "密封", ["密封"]),
        }
        needs["N6"].status = NeedStatus.RESOLVED
        s.flush()
        for name, fits in FITS.items():
            for need, score in fits.items():
                match(s, needs[need], experts[name], float(score))
        s.flush()
        ids.update({f"soc_{k}": v.id for k, v in socs.items()})
        ids.update({f"x_{k}": v.id for k, v in experts.items()})
        ids.update({f"n_{k}": v.id for k, v in needs.items()})
    return world
