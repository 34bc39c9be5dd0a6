"""A small hand-made world for the API tests, on both databases (through ``store``).

Two enterprises, two societies with one expert each, needs of both enterprises with
hand-written match rows (so leads exist without running the engine), and one log-in per
role. ``api`` is a TestClient on ``create_app`` over that store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from matcher.app import create_app
from matcher.auth import security
from matcher.auth.service import issue_token
from matcher.config import Settings
from matcher.db import Store
from matcher.models import (
    Enterprise,
    Expert,
    MatchResult,
    NeedStatus,
    Role,
    Society,
    TargetKind,
    TechNeed,
    User,
)

PASSWORD = "correct-horse-9"
_PASSWORD_HASH = security.hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}


def make_enterprise(session, ext: str, **kw) -> Enterprise:
    ent = Enterprise(
        external_id=ext,
        name=kw.pop("name", f"企业{ext}"),
        city=kw.pop("city", "郑州市"),
        industry=kw.pop("industry", "装备制造"),
        contact_name=kw.pop("contact_name", f"联系人{ext}"),
        contact_phone=kw.pop("contact_phone", "13800000000"),
        email=kw.pop("email", f"{ext.lower()}@example.cn"),
        credit_code=kw.pop("credit_code", None),
        **kw,
    )
    session.add(ent)
    return ent


def make_society(session, ext: str, name: str, disciplines: list[str], description: str):
    soc = Society(
        external_id=ext,
        name=name,
        disciplines=disciplines,
        description=description,
        city="郑州市",
        capacity=5,
        contact_name=f"秘书{ext}",
        contact_phone="0371-0000000",
    )
    session.add(soc)
    return soc


def make_expert(session, ext: str, name: str, society: Society, areas: list[str], profile: str):
    expert = Expert(
        external_id=ext,
        name=name,
        title="教授",
        affiliation="郑州大学",
        city="郑州市",
        research_areas=areas,
        profile=profile,
        phone="13900000000",
        email=f"{ext.lower()}@zzu.edu.cn",
        societies=[society],
    )
    session.add(expert)
    return expert


def make_need(session, ext: str, ent: Enterprise, title: str, description: str, keywords):
    need = TechNeed(
        external_id=ext,
        enterprise=ent,
        title=title,
        description=description,
        industry=ent.industry,
        city=ent.city,
        keywords=keywords,
        status=NeedStatus.MATCHED,
    )
    session.add(need)
    return need


def make_match(session, need: TechNeed, society: Society, score: float, rank: int = 1):
    session.add(
        MatchResult(
            need=need,
            target_kind=TargetKind.SOCIETY,
            target_id=society.id,
            rank=rank,
            score=score,
            components={"fused": score},
            matched_keywords=["焊接"],
            model_id="hand-made",
        )
    )


def make_user(session, username: str, role: Role, *, enterprise=None, society=None) -> User:
    user = User(
        username=username,
        display_name=username,
        password_hash=_PASSWORD_HASH,
        role=role,
        enterprise_id=enterprise.id if enterprise else None,
        society_id=society.id if society else None,
    )
    session.add(user)
    return user


def build_world(store: Store, settings: Settings) -> World:
    world = World()
    with store.transaction() as s:
        e_own = make_enterprise(
            s, "E1", name="郑州重工机械有限公司", credit_code="91410100MA00000001"
        )
        e_other = make_enterprise(s, "E2", name="洛阳新材料科技有限公司", city="洛阳市")
        s_own = make_society(
            s, "S1", "河南省机械工程学会", ["机械工程", "焊接"], "机械制造、焊接工艺、装备可靠性"
        )
        s_other = make_society(
            s, "S2", "河南省化学会", ["化学", "材料"], "高分子材料、催化、精细化工"
        )
        s.flush()
        x_own = make_expert(
            s, "X1", "张工", s_own, ["焊接工艺", "机器人焊接"], "长期从事焊接机器人与焊缝检测研究"
        )
        x_other = make_expert(
            s, "X2", "李化", s_other, ["高分子材料"], "从事高分子复合材料改性与催化研究"
        )
        texts = ("焊接机器人焊缝质量检测", "大型结构件焊接变形控制与焊缝检测", ["焊接", "检测"])
        need_own = make_need(s, "N1", e_own, *texts)
        need_close = make_need(
            s, "N2", e_own, "齿轮箱振动噪声分析", "减速机齿轮箱异响诊断", ["齿轮"]
        )
        need_other = make_need(
            s, "N3", e_other, "耐高温高分子复合材料", "开发耐高温复合材料配方", ["复合材料"]
        )
        need_other_close = make_need(s, "N4", e_other, "催化剂寿命", "提升催化剂寿命", ["催化"])
        s.flush()
        make_match(s, need_own, s_own, 0.8)
        make_match(s, need_close, s_own, 0.5)
        make_match(s, need_other, s_other, 0.7)
        make_match(s, need_other_close, s_other, 0.6)
        users = {
            "enterprise": make_user(s, "ent", Role.ENTERPRISE, enterprise=e_own),
            "society": make_user(s, "soc", Role.SOCIETY, society=s_own),
            "staff": make_user(s, "staff", Role.STAFF),
            "admin": make_user(s, "admin", Role.ADMIN),
        }
        s.flush()
        for name, obj in {
            "e_own": e_own,
            "e_other": e_other,
            "s_own": s_own,
            "s_other": s_other,
            "x_own": x_own,
            "x_other": x_other,
            "need_own": need_own,
            "need_close": need_close,
            "need_other": need_other,
            "need_other_close": need_other_close,
        }.items():
            world.ids[name] = obj.id
        for role, user in users.items():
            world.ids[f"user_{role}"] = user.id
            world.tokens[role] = issue_token(settings=settings, user=user)[0]
    return world


@pytest.fixture
def world(store: Store, settings: Settings) -> World:
    return build_world(store, settings)


@pytest.fixture
def api(store: Store, settings: Settings, world: World) -> Iterator[TestClient]:
    """A client on the app (no lifespan: the matching runtime loads on first use)."""
    app = create_app(settings, store=store, load_runtime=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
