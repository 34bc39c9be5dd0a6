"""A small world with service history, on both databases (through ``store``).

* 郑州重工 (E1) was served twice by the mechanical society (S1), rated 5 and 4, and four of
  S1's experts are matched to its needs (scores 86, 72, 61 and 35): it qualifies by the
  services route.
* 洛阳新材料 (E2) was served twice by the chemical society (S2) but rated 2 and 3.
* 许昌链主 (E3) is a chain leader served once by S1 (rated 5), S1 scored 66 on its need,
  three S1 experts matched above 50: it qualifies by the chain-leader route.
* 开封小微 (E4) has never been served by anyone.

Match rows are written by hand (no engine); one log-in per role plus users of the other
enterprise and society.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from matcher.app import create_app
from matcher.auth.service import issue_token
from matcher.models import (
    Assignment,
    AssignmentStatus,
    Expert,
    MatchResult,
    NeedStatus,
    Role,
    TargetKind,
)
from tests.api.conftest import (
    World,
    make_enterprise,
    make_expert,
    make_need,
    make_society,
    make_user,
)

OTHER_SECRET = ("洛阳新材料科技有限公司", "91410300MA00000002", "耐高温高分子复合材料配方开发")


def match(session, need, target, score: float, rank: int = 1, keywords=()) -> None:
    """A stored match of ``need`` to an expert or a society."""
    kind = TargetKind.EXPERT if isinstance(target, Expert) else TargetKind.SOCIETY
    session.add(
        MatchResult(
            need=need,
            target_kind=kind,
            target_id=target.id,
            rank=rank,
            score=score,
            components={},
            matched_keywords=list(keywords),
            model_id="hand-made",
        )
    )


def service(session, society, need, expert, rating: int, outcome: str, month: int) -> Assignment:
    done = datetime(2026, month, 15, 9, tzinfo=UTC)
    assignment = Assignment(
        society_id=society.id,
        enterprise_id=need.enterprise_id,
        need_id=need.id,
        expert_id=expert.id if expert else None,
        status=AssignmentStatus.COMPLETED,
        rating=rating,
        rating_comment=outcome,
        confirmed_at=done.replace(month=month - 2),
        started_at=done.replace(month=month - 1),
        completed_at=done,
    )
    session.add(assignment)
    need.status = NeedStatus.RESOLVED
    return assignment


def build(store, settings) -> World:
    pw = World()
    with store.transaction() as s:
        e1 = make_enterprise(
            s, "E1", name="郑州重工机械有限公司", credit_code="91410100MA00000001", size="大型"
        )
        e2 = make_enterprise(
            s, "E2", name=OTHER_SECRET[0], city="洛阳市", credit_code=OTHER_SECRET[1]
        )
        e3 = make_enterprise(
            s, "E3", name="许昌链主装备集团有限公司", city="许昌市", is_chain_leader=True
        )
        e4 = make_enterprise(s, "E4", name="开封小微科技有限公司", city="开封市")
        s1 = make_society(s, "S1", "河南省机械工程学会", ["机械工程", "焊接"], "机械制造、焊接")
        s2 = make_society(s, "S2", "河南省化学会", ["化学", "材料"], "高分子材料、催化")
        s.flush()
        x = [
            make_expert(s, f"X{i}", name, s1, areas, f"{name}从事{areas[0]}研究")
            for i, (name, areas) in enumerate(
                [
                    ("张焊", ["焊接工艺", "机器人焊接"]),
                    ("李检", ["无损检测", "焊缝检测"]),
                    ("王构", ["结构强度", "疲劳寿命"]),
                    ("赵齿", ["齿轮传动"]),
                ],
                start=1,
            )
        ]
        y = [
            make_expert(s, f"Y{i}", name, s2, ["高分子材料"], f"{name}从事高分子材料研究")
            for i, name in enumerate(("陈化", "周材", "吴催"), start=1)
        ]
        n1 = make_need(s, "N1", e1, "焊接机器人焊缝质量检测", "焊缝检测", ["焊接", "焊缝检测"])
        n2 = make_need(s, "N2", e1, "大型结构件焊接变形控制", "变形控制", ["焊接", "变形控制"])
        n3 = make_need(s, "N3", e2, OTHER_SECRET[2], "复合材料配方", ["复合材料", "耐高温"])
        n4 = make_need(s, "N4", e2, "催化剂寿命提升", "催化剂", ["催化"])
        n5 = make_need(s, "N5", e3, "起重机主梁焊接疲劳", "疲劳裂纹", ["焊接", "疲劳寿命"])
        n6 = make_need(s, "N6", e4, "小型零件表面处理", "表面处理", ["表面处理"])
        n1.budget, n2.budget = 50.0, 30.0
        s.flush()
        for rank, (expert, score) in enumerate(
            zip(x, (86.0, 72.0, 61.0, 35.0), strict=True), start=1
        ):
            match(s, n1, expert, score, rank, ("焊接", "焊缝检测"))
            match(s, n2, expert, score - 10, rank, ("焊接",))
        for rank, (expert, score) in enumerate(
            zip(x, (70.0, 64.0, 58.0, 20.0), strict=True), start=1
        ):
            match(s, n5, expert, score, rank, ("疲劳寿命",))
        for rank, expert in enumerate(y, start=1):
            match(s, n3, expert, 80.0 - rank, rank, ("复合材料",))
        match(s, n1, s1, 70.0)
        match(s, n5, s1, 66.0)
        match(s, n3, s2, 75.0)
        match(s, n6, s1, 12.0)
        service(s, s1, n1, x[0], 5, "焊缝合格率由92%提升至98%", 3)
        service(s, s1, n2, x[1], 4, "形成焊接变形控制工艺规范1项", 6)
        service(s, s2, n3, y[0], 2, "方案与企业条件不匹配", 4)
        service(s, s2, n4, y[1], 3, "效果一般", 5)
        service(s, s1, n5, x[2], 5, "主梁疲劳裂纹问题得到解决", 7)
        users = {
            "enterprise": make_user(s, "ent", Role.ENTERPRISE, enterprise=e1),
            "enterprise_other": make_user(s, "ent2", Role.ENTERPRISE, enterprise=e2),
            "society": make_user(s, "soc", Role.SOCIETY, society=s1),
            "society_other": make_user(s, "soc2", Role.SOCIETY, society=s2),
            "staff": make_user(s, "staff", Role.STAFF),
            "admin": make_user(s, "admin", Role.ADMIN),
        }
        s.flush()
        named = {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "s1": s1, "s2": s2}
        named |= {f"x{i}": e for i, e in enumerate(x, start=1)}
        named |= {f"y{i}": e for i, e in enumerate(y, start=1)}
        named |= {"n1": n1, "n2": n2, "n3": n3, "n5": n5, "n6": n6}
        pw.ids = {name: obj.id for name, obj in named.items()}
        for who, user in users.items():
            pw.tokens[who] = issue_token(settings=settings, user=user)[0]
    return pw


@pytest.fixture
def pw(store, settings) -> World:
    return build(store, settings)


@pytest.fixture
def client(store, settings, pw) -> TestClient:
    app = create_app(settings, store=store, load_runtime=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
