"""The demo's programme: chain-leader (链主) enterprises of Henan's priority industries (the
companies are fictional), round "2026" with part of the enterprises already paired (the chain
leaders and every third enterprise), and a year of service activity records (December 2025 –
November 2026) for those pairs. Deterministic (a fixed seed); loaded once, after the imports.
Staff complete the round with ``matcher assign --level enterprise --round 2026``: the pairs
loaded here are kept as they are.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from matcher.db import Store
from matcher.models import (
    ConfirmationStatus,
    Enterprise,
    EnterprisePairing,
    NeedStatus,
    PairingStatus,
    ProgrammeRound,
    ServiceActivity,
    Society,
    TechNeed,
    activity_experts,
    expert_societies,
)
from matcher.models.programme import PLATFORM_KINDS, SERVICE_TYPES
from matcher.programme.activity_rules import PLATFORM_TYPE, expert_hours

ROUND = "2026"
SEED = 2026
FIRST_DAY = date(2025, 12, 1)
DAYS = 365
CHAIN_LEADERS = (
    # (name, city, county, priority industry, need title, need description)
    (
        "郑州中原盾构装备有限公司",
        "郑州市",
        "经开区",
        "盾构",
        "盾构机主轴承国产化与寿命评估",
        "大直径盾构机主轴承国产化替代，需建立载荷谱与寿命评估方法，开展状态监测与故障预警",
    ),
    (
        "郑州豫隧重工机械有限公司",
        "郑州市",
        "高新区",
        "盾构",
        "盾构刀盘刀具磨损在线监测",
        "复合地层掘进中刀具磨损快，需研发刀具磨损在线监测与换刀决策系统",
    ),
    (
        "洛阳伊河精密轴承有限公司",
        "洛阳市",
        "涧西区",
        "轴承",
        "风电主轴轴承滚道热处理变形控制",
        "大型风电主轴轴承滚道渗碳淬火变形大，需优化热处理工艺与残余应力控制",
    ),
    (
        "洛阳洛北轴承科技有限公司",
        "洛阳市",
        "伊滨区",
        "轴承",
        "高速精密机床主轴轴承振动噪声优化",
        "高速机床主轴轴承振动与温升偏高，需开展动力学分析与保持架结构优化",
    ),
    (
        "平顶山鹰城尼龙新材料有限公司",
        "平顶山市",
        "新华区",
        "尼龙",
        "尼龙66切片高端化改性",
        "需开发耐高温、低吸湿尼龙66改性工艺，用于汽车轻量化部件",
    ),
    (
        "平顶山湛河尼龙化工有限公司",
        "平顶山市",
        "湛河区",
        "尼龙",
        "己二腈清洁生产工艺优化",
        "己二腈合成能耗高、副产物多，需优化催化体系与分离流程",
    ),
    (
        "郑州嵩岳超硬材料有限公司",
        "郑州市",
        "新郑市",
        "超硬材料",
        "大尺寸金刚石单晶生长控制",
        "高温高压合成大尺寸金刚石单晶缺陷多，需研究温场与压力场协同控制",
    ),
    (
        "郑州绿原新能源客车有限公司",
        "郑州市",
        "管城回族区",
        "新能源客车",
        "客车动力电池热管理",
        "新能源客车动力电池冬季续航衰减明显，需开发高效热管理与预热策略",
    ),
    (
        "郑州金水智能传感科技有限公司",
        "郑州市",
        "金水区",
        "智能传感器",
        "MEMS气体传感器漂移补偿",
        "MEMS 气体传感器长期漂移大，需研究温湿度补偿算法与敏感材料稳定性",
    ),
    (
        "巩义邙岭铝业精深加工有限公司",
        "郑州市",
        "巩义市",
        "铝加工",
        "航空铝合金厚板淬火残余应力",
        "7系铝合金厚板淬火后残余应力高，需开发预拉伸与时效协同工艺",
    ),
)
OUTCOMES = {
    "宣讲科技创新政策": "宣讲研发费用加计扣除、高新技术企业认定等政策，解答企业疑问 {n} 项",
    "技术指导": "现场诊断生产工艺问题 {n} 项，提出改进建议并形成技术指导报告",
    "解决发展难题": "协助企业攻克关键工艺难题，良品率提升约 {n}%",
    "联合科研团队": "组建校企联合科研团队，联合申报省级科技项目 {n} 项",
    "创新联合体": "牵头组建产业链创新联合体，吸纳上下游成员单位 {n} 家",
    "平台建设": "建成平台并举行揭牌，首批入驻专家 {n} 名",
    "其他": "组织专家参加企业技术交流活动，开展座谈 {n} 场",
}
TYPE_WEIGHTS = (18, 30, 20, 8, 4, 8, 12)


def load_demo_programme(store: Store) -> int:
    """Add the chain leaders, round 2026's pairs and a year of activities (once: nothing when
    the round exists already). The number of activity records loaded."""
    with store.transaction() as session:
        if session.scalar(select(func.count()).where(ProgrammeRound.name == ROUND)):
            return 0
        rng = random.Random(SEED)
        leaders = _chain_leaders(session)
        pairs = _pairs(session, rng, leaders)
        return _activities(session, rng, pairs)


def _chain_leaders(session: Session) -> list[int]:
    ids = []
    for i, (name, city, county, industry, title, text) in enumerate(CHAIN_LEADERS, 1):
        ent = Enterprise(
            external_id=f"DEMO-LZ-{i:02d}",
            name=name,
            city=city,
            county=county,
            industry=industry,
            priority_industry=industry,
            size="大型",
            is_chain_leader=True,
        )
        ent.needs.append(
            TechNeed(
                external_id=f"DEMO-LZ-N{i:02d}",
                title=title,
                description=text,
                industry=industry,
                city=city,
                keywords=[industry],
                status=NeedStatus.OPEN,
            )
        )
        session.add(ent)
        session.flush()
        ids.append(ent.id)
    return ids


def _pairs(session: Session, rng: random.Random, leaders: list[int]) -> list[tuple[int, int]]:
    """Chain leaders with two societies, every third other enterprise with one, the demo
    enterprise log-in's with the demo society's; each society at most 10 (the default
    capacity)."""
    rnd = ProgrammeRound(name=ROUND, created_by="system:demo")
    session.add(rnd)
    session.flush()
    societies = list(session.scalars(select(Society.id).order_by(Society.id)))
    others = session.scalars(
        select(Enterprise.id).where(Enterprise.is_chain_leader.is_(False)).order_by(Enterprise.id)
    ).all()
    wanted = [(e, 2) for e in leaders] + [(e, 1) for e in others[::3]]
    load = dict.fromkeys(societies, 0)
    pairs = []
    # the demo log-ins (first society; the enterprise of the first need) are partners
    shown = session.scalar(
        select(TechNeed.enterprise_id)
        .where(TechNeed.enterprise_id.is_not(None))
        .order_by(TechNeed.id)
        .limit(1)
    )
    if shown is not None and societies:
        pairs.append((shown, societies[0]))
        load[societies[0]] += 1
        wanted = [(e, k) for e, k in wanted if e != shown]
    for enterprise, k in wanted:
        free = [s for s in societies if load[s] < 10]
        for society in rng.sample(free, min(k, len(free))):
            load[society] += 1
            pairs.append((enterprise, society))
    session.execute(
        insert(EnterprisePairing),
        [
            {"round_id": rnd.id, "enterprise_id": e, "society_id": s}
            | {"status": PairingStatus.ACTIVE, "score": round(rng.uniform(40, 90), 1)}
            | {"reason": "demo", "pinned": False, "created_by": "system:demo"}
            for e, s in pairs
        ],
    )
    return pairs


def _activities(session: Session, rng: random.Random, pairs: list[tuple[int, int]]) -> int:
    rnd_id = session.scalar(select(ProgrammeRound.id).where(ProgrammeRound.name == ROUND))
    members: dict[int, list[int]] = {}
    for expert, society in session.execute(
        select(expert_societies.c.expert_id, expert_societies.c.society_id).order_by(
            expert_societies.c.society_id, expert_societies.c.expert_id
        )
    ):
        members.setdefault(society, []).append(expert)
    count = 0
    for enterprise, society in pairs:
        for _ in range(rng.randint(1, 6)):
            count += 1
            kind = rng.choices(SERVICE_TYPES, TYPE_WEIGHTS)[0]
            hours = float(rng.choice((2, 3, 4, 6, 8, 12, 16)))
            pool = members.get(society, [])
            experts = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
            answer = rng.choices(list(ConfirmationStatus), (35, 60, 5))[0]
            activity = ServiceActivity(
                external_id=f"DEMO-ACT-{count:05d}",
                round_id=rnd_id,
                society_id=society,
                enterprise_id=enterprise,
                service_type=kind,
                platform_kind=rng.choice(PLATFORM_KINDS) if kind == PLATFORM_TYPE else None,
                activity_date=FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
                volunteer_hours=hours * max(len(experts), 1),
                participants=rng.randint(5, 80),
                outcome=OUTCOMES[kind].format(n=rng.randint(2, 12)),
                confirmation=answer,
                confirmation_note="活动时长与实际不符"
                if answer is ConfirmationStatus.DISPUTED
                else None,
                confirmed_by="enterprise" if answer is not ConfirmationStatus.PENDING else None,
                created_by="system:demo",
            )
            session.add(activity)
            session.flush()
            shares = expert_hours(activity.volunteer_hours, experts)
            if shares:
                session.execute(
                    insert(activity_experts),
                    [
                        {"activity_id": activity.id, "expert_id": e, "hours": h}
                        for e, h in shares.items()
                    ],
                )
    return count
