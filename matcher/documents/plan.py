"""The draft yearly plan and the safeguards of a workstation proposal, from its content."""

from __future__ import annotations

from matcher.documents.content import ProposalContent

QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
DEFAULT_TOPICS = ("企业关键技术问题诊断", "工艺改进与质量提升", "技术人才培养")


def _quoted(topics: list[str]) -> str:
    return "".join(f"“{t}”" for t in topics)


def directions(content: ProposalContent) -> list[str]:
    """Cooperation directions: the needs' topics, else generic ones."""
    return content.topics[:6] or list(DEFAULT_TOPICS)


def yearly_plan(content: ProposalContent) -> list[tuple[str, str]]:
    """(quarter, work) rows of the first year, built from the cooperation directions."""
    topics = directions(content)
    first, second = topics[0], topics[1] if len(topics) > 1 else topics[0]
    rest = topics[2:4] or topics[:2]
    experts = len(content.experts)
    arrive = f"{experts}名专家进站" if experts else "学会推荐的专家进站"
    return [
        (
            QUARTERS[0],
            f"工作站挂牌运行，{arrive}；开展企业技术现状调研，围绕{_quoted(topics[:3])}"
            "梳理技术需求清单，双方商定年度攻关任务书和专家驻站工作安排。",
        ),
        (
            QUARTERS[1],
            f"围绕“{first}”开展联合攻关，专家每月到企业现场工作不少于2天；"
            "形成阶段性技术方案并在生产一线开展试验验证。",
        ),
        (
            QUARTERS[2],
            f"围绕“{second}”及{_quoted(rest)}开展技术培训和现场指导（不少于2次），"
            "培养企业技术骨干；总结试验数据，完善工艺规范。",
        ),
        (
            QUARTERS[3],
            "总结年度成果（技术方案、工艺规范、专利、标准、人才培养等），"
            "开展年度考核评估，向省科协报送工作总结，制定下一年度工作计划。",
        ),
    ]


def safeguards(content: ProposalContent) -> list[tuple[str, str]]:
    """(heading, text) paragraphs of 保障措施."""
    if content.budget:
        money = (
            f"企业相关技术需求拟投入资金合计约{_amount(content.budget)}万元，"
            "优先保障工作站攻关项目；"
        )
    else:
        money = "企业设立工作站专项经费，用于专家驻站、试验及攻关项目；"
    return [
        (
            "组织保障",
            f"{content.society.name}指定专人负责工作站联络与专家管理，"
            f"{content.enterprise.name}明确分管负责人和对接部门，双方建立季度例会制度。",
        ),
        (
            "条件保障",
            "企业为进站专家提供必要的办公、试验场地和生活条件，"
            "开放相关生产、试验和检测条件用于联合攻关。",
        ),
        ("经费保障", money + "学会积极协助争取各级科协及相关部门的项目支持。"),
        (
            "制度保障",
            "双方签订工作站共建协议，明确专家驻站时间、工作任务、知识产权归属和保密责任；"
            "工作站接受省科协年度考核，考核结果作为续建依据。",
        ),
    ]


def _amount(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
