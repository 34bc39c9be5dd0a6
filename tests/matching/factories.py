"""A small hand-made corpus: three societies, their experts and needs."""

from __future__ import annotations

from matcher.models import Expert, Society, TechNeed

SOCIETIES = {
    "S-MECH": ("河南省机械工程学会", ["机械工程"], "机械设计 数控机床 齿轮 轴承 制造装备", "郑州"),
    "S-CHEM": ("河南省化工学会", ["化学工程与技术"], "化工工艺 催化剂 反应器 分离 精馏", "洛阳"),
    "S-WATER": ("河南省水利学会", ["水利工程"], "水资源 灌溉 水库 大坝 防洪 渗流", "开封"),
}
EXPERTS = {
    "S-MECH": [
        ("张机", "数控机床 主轴", "研究数控机床主轴热变形与精度补偿，齿轮传动噪声控制"),
        ("李械", "轴承 故障诊断", "滚动轴承故障诊断与寿命预测，机械振动信号分析"),
    ],
    "S-CHEM": [
        ("王化", "催化剂 加氢", "负载型催化剂制备及加氢反应动力学，固定床反应器设计"),
        ("赵工", "精馏 分离", "精馏塔节能优化与共沸物分离工艺，化工过程模拟"),
    ],
    "S-WATER": [
        ("钱水", "大坝 渗流", "土石坝渗流监测与安全评价，水库大坝除险加固"),
        ("孙利", "灌溉 节水", "农田节水灌溉技术与水资源优化配置，引黄灌区调度"),
    ],
}


def seed(session) -> dict[str, Society]:
    societies = {}
    for ext, (name, disc, desc, city) in SOCIETIES.items():
        soc = Society(external_id=ext, name=name, disciplines=disc, description=desc, city=city)
        session.add(soc)
        societies[ext] = soc
        for i, (ename, areas, profile) in enumerate(EXPERTS[ext]):
            expert = Expert(
                external_id=f"{ext}-E{i}",
                name=ename,
                research_areas=areas.split(),
                profile=profile,
                city=city,
            )
            expert.societies.append(soc)
            session.add(expert)
    session.add_all(
        [
            TechNeed(
                external_id="N-1",
                title="数控机床主轴精度下降",
                description="主轴热变形导致加工精度不稳定，需要精度补偿方案",
                keywords=["数控机床"],
            ),
            TechNeed(
                external_id="N-2",
                title="加氢催化剂失活",
                description="固定床加氢反应器中催化剂寿命短",
                keywords=["催化剂"],
            ),
            TechNeed(
                external_id="N-3",
                title="水库大坝渗漏",
                description="土石坝坝体渗流异常，需要监测与除险加固",
                keywords=["大坝"],
            ),
        ]
    )
    session.flush()
    return societies


def edit_profile(store, profile: str, external_id: str = "S-WATER-E1") -> None:
    """One expert's profile edited in a transaction of its own, as an API edit would."""
    from sqlalchemy import select

    with store.transaction() as s:
        s.scalar(select(Expert).where(Expert.external_id == external_id)).profile = profile
