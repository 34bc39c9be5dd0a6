"""Natural-sounding Chinese texts: need descriptions, society introductions, expert profiles."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from matcher.demo.geography import CITIES
from matcher.demo.topics import Problem, Topic, aliases
from matcher.demo.variants import LayProblem, equipment_for, misspell


@dataclass(frozen=True)
class NeedText:
    title: str
    description: str
    keywords: list[str]


_TITLES = (
    "{focus}技术攻关",
    "{focus}问题求解",
    "关于{focus}的技术需求",
    "寻求{focus}解决方案",
    "{focus}难题",
    "求助：{focus}",
    "{focus}工艺优化需求",
    "{focus}亟待突破",
    "{focus}相关技术合作",
    "{product}生产中的{focus}问题",
)
_BACKGROUNDS = (
    "我公司位于{place}，是一家专业从事{product}研发和生产的{size}企业。",
    "{company}主要产品为{product}，产品销往全国二十多个省份，部分出口东南亚。",
    "公司成立于{year}年，主营{product}，年产值约{money}亿元。",
    "近年来公司{product}订单增长较快，但生产中暴露出一些技术短板。",
    "我们是{place}的{industry}企业，主要做{product}。",
    "公司长期为下游客户配套{product}，客户对质量和交期的要求越来越高。",
)
_DIFFICULTIES = (
    "目前{clause}。",
    "生产中发现{clause}，虽经多次工艺调整仍未根本解决。",
    "主要技术难点在于：{clause}，公司现有技术人员难以独立攻关。",
    "{clause}，这已成为制约产品升级的瓶颈。",
    "具体表现为{clause}，目前还缺少有效的分析和解决手段。",
)
_EXTRA_DIFFICULTY = ("此外，{clause}。", "同时还存在{clause}的问题。", "另外{clause}。")
_GOALS = (
    "希望与相关领域专家合作，力争{goal}。",
    "期望通过产学研合作，{goal}。",
    "目标是{goal}。",
    "拟寻求高校或科研院所的技术支持，争取{goal}，合作方式可以是技术咨询、联合攻关或委托开发。",
    "希望学会推荐熟悉{term}的专家，帮助我们理清技术路线，力争{goal}。",
)
_BUDGETS = ("预计投入研发经费{n}万元。", "公司可提供试验条件和{n}万元左右的合作经费。")
_COLLOQUIAL = (
    "{clause}，有没有专家能指导一下？",
    "我们厂{clause}，想找懂{term}的专家来现场看看。",
    "急！{clause}，影响交货了，求专家支招。",
    "{focus}的问题困扰我们好久了：{clause}。想请教这方面的老师。",
    "{clause}。自己试了几种办法效果都不好，希望能对接{term}方面的专家。",
    "我们厂做{product}的，最近老是{clause}，怎么弄都不行。",
    "厂里{product}这块老是出问题：{clause}。有懂行的老师吗？",
    "{clause}，老是这样，工人也说不清原因。",
    "问一下，{focus}有没有好办法？我们这边{clause}。",
    "老板让我发个需求：{clause}，最好能派人来厂里看看。",
)
_WITH_MODEL = (
    "我们用的是{model}，{clause}。",
    "现场设备是{model}，{clause}，厂家售后也没解决。",
    "{clause}（设备型号{model}），想找专家分析一下原因。",
)
_MODEL_TITLES = ("{model}{focus}问题", "{model} {focus}求助")
_PARTIAL = ("{focus}", "{focus}，求助", "{clause}", "{focus}？急", "{term}问题")
_DETAILS = (
    "目前已请设备厂家和同行看过，效果不明显。",
    "公司有检测设备和中试线，可以配合专家做试验。",
    "合作方式可以是技术咨询、联合攻关或委托开发，费用可以商量。",
    "相关检测数据和现场照片可以提供。",
    "希望专家能在三个月内到现场，先做一次诊断。",
)
_LAY_TEXTS = (
    "我们是{place}做{product}的，{clause}。想请懂行的专家帮忙出个主意。",
    "{company}主要生产{product}。{clause}，这方面我们完全是外行，希望对接相关专家。",
    "我们厂做{product}，{clause}，有没有专家能指导一下？",
    "{clause}。我们是{product}企业，这块没有专门的技术人员。",
)
_LAY_TITLES = ("{focus}问题", "求助：{focus}", "关于{focus}的问题", "{product}厂{focus}求助")
MISSPELT_SHARE = 0.12


def need_text(
    rng: random.Random, topic: Topic, *, company: str, place: str, industry: str, size: str
) -> NeedText:
    """A need of ``topic`` as the enterprise would write it (short or formal, varied order)."""
    problem = rng.choice(topic.problems)
    about = problem.focus + problem.clause + "".join(problem.keywords)
    product = (
        _closest(rng, topic.products, about, _bigrams)
        or _closest(rng, topic.products, about, _chars)
        or rng.choice(topic.products)
    )
    term = rng.choice([k for k in problem.keywords if k in topic.terms] or list(topic.terms))
    fill = {
        "focus": problem.focus,
        "clause": problem.clause,
        "product": product,
        "term": term,
        "company": company,
        "place": place,
        "industry": industry,
        "size": size,
        "year": rng.randrange(1985, 2021),
        "money": rng.choice(("0.5", "1.2", "3", "8", "15")),
        "goal": _closest(rng, topic.goals, about, _bigrams) or rng.choice(_GENERIC_GOALS),
        "n": rng.choice((20, 30, 50, 80, 100, 200)),
    }
    titles = [t for t in _TITLES if "{product}" not in t or not set(product) & set(about)]
    models = equipment_for(topic.key)
    fill["model"] = rng.choice(models) if models else ""
    title = rng.choice(titles).format(**fill)
    style = rng.random()
    if style < 0.08:  # a phrase, as typed in a hurry
        description = rng.choice(_PARTIAL).format(**fill)
    elif style < 0.38:
        description = rng.choice(_COLLOQUIAL).format(**fill)
        if rng.random() < 0.5:
            description += rng.choice(_GOALS).format(**fill)
    elif models and style < 0.52:  # names its equipment by brand and model number
        description = rng.choice(_WITH_MODEL).format(**fill)
        if rng.random() < 0.5:
            title = rng.choice(_MODEL_TITLES).format(**fill)
    else:
        description = _formal(rng, topic, problem, fill)
    if rng.random() < 0.4:
        description = colloquial(rng, description)
    text = NeedText(title, description, _keywords(rng, topic, problem))
    return _typed(rng, text, company)


def lay_need_text(
    rng: random.Random, own: Topic, problem: LayProblem, *, company: str, place: str
) -> NeedText:
    """A problem outside the enterprise's field (``problem``), described around its own
    products: the words point to its own field's societies, the answer is elsewhere."""
    fill = {
        "product": rng.choice(own.products),
        "clause": problem.clause,
        "focus": problem.focus,
        "company": company,
        "place": place,
    }
    title = rng.choice(_LAY_TITLES).format(**fill)
    description = rng.choice(_LAY_TEXTS).format(**fill)
    return _typed(rng, NeedText(title, description, list(problem.keywords)), company)


def _typed(rng: random.Random, text: NeedText, company: str) -> NeedText:
    """Some needs typed with a common wrong character or two (never in the company's name)."""
    if rng.random() >= MISSPELT_SHARE:
        return text
    description = misspell(rng, text.description, keep=company)
    return NeedText(misspell(rng, text.title, 1), description, text.keywords)


def colloquial(rng: random.Random, text: str) -> str:
    """``text`` with the technical terms it contains swapped for a colloquial variant."""
    table = aliases()
    return _alias_pattern().sub(lambda m: rng.choice(table[m.group(0)]), text)


@cache
def _alias_pattern() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(t) for t in sorted(aliases(), key=len, reverse=True)))


_GENERIC_GOALS = (
    "找出问题根源并提出可落地的改进方案",
    "形成稳定可靠的工艺方案",
    "提升产品质量和一致性",
    "降低生产成本、提高生产效率",
)


def _chars(text: str) -> set[str]:
    return set(text)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _closest(
    rng: random.Random, options: tuple[str, ...], about: str, grams: Callable[[str], set[str]]
) -> str | None:
    """The option sharing most character n-grams with ``about`` (ties at random), if any."""
    wanted = grams(about)
    scored = [(len(grams(o) & wanted), o) for o in options]
    best = max(score for score, _ in scored)
    return rng.choice([o for score, o in scored if score == best]) if best else None


def _formal(rng: random.Random, topic: Topic, problem: Problem, fill: dict) -> str:
    background = rng.choice(_BACKGROUNDS).format(**fill)
    difficulty = rng.choice(_DIFFICULTIES).format(**fill)
    others = [p for p in topic.problems if p is not problem]
    if others and rng.random() < 0.35:
        difficulty += rng.choice(_EXTRA_DIFFICULTY).format(clause=rng.choice(others).clause)
    goal = rng.choice(_GOALS).format(**fill)
    parts = [background, difficulty, goal] if rng.random() < 0.8 else [difficulty, background, goal]
    if rng.random() < 0.25:
        parts.append(rng.choice(_BUDGETS).format(**fill))
    if rng.random() < 0.3:  # a long one
        parts += rng.sample(_DETAILS, k=rng.randint(1, 2))
    return "".join(parts)


def _keywords(rng: random.Random, topic: Topic, problem: Problem) -> list[str]:
    words = list(problem.keywords)
    extra = [t for t in topic.terms if t not in words]
    rng.shuffle(extra)
    words += extra[: rng.choice((0, 0, 1))]
    return words[:5] if len(words) >= 2 else [*words, topic.terms[0]][:5]


def noisy(rng: random.Random, text: str) -> str:
    """Full-width letters/digits and stray spaces, as pasted from office documents."""
    chars = []
    for ch in text:
        if ch.isascii() and ch.isalnum() and rng.random() < 0.7:
            ch = chr(ord(ch) + 0xFEE0)
        chars.append(ch)
        if ch in "，。：" and rng.random() < 0.5:
            chars.append(rng.choice(("  ", " ", "\u3000")))
    return "  " + "".join(chars).replace(",", "，") + " "


def society_description(
    rng: random.Random,
    *,
    name: str,
    disciplines: tuple[str, ...],
    areas: tuple[str, ...],
    topics: list[Topic],
) -> str:
    """A 2–4 sentence introduction naming the society's fields and served industries."""
    field = "、".join(disciplines)
    province = name.startswith("河南省")
    region = "河南省" if province else next(c.name for c in CITIES if name.startswith(c.name))
    scope = "全省" if province else "全市"
    topic_areas = [a for t in topics for a in t.areas]
    fields = list(areas) + rng.sample(topic_areas, k=min(3, len(topic_areas)))
    sentences = [
        rng.choice(
            (
                f"{name}成立于{rng.randrange(1956, 2012)}年，"
                f"是{scope}{field}领域科技工作者组成的学术性社会团体。",
                f"{name}是由{region}{field}领域的科技工作者自愿结成的非营利性学术组织。",
            )
        ),
        f"学会主要研究领域涵盖{'、'.join(fields)}等方向。",
    ]
    if topics:
        names = "、".join(t.name for t in rng.sample(topics, k=min(3, len(topics))))
        all_terms = list(dict.fromkeys(t for topic in topics for t in topic.terms))
        terms = "、".join(rng.sample(all_terms, k=min(4, len(all_terms))))
        sentences.append(
            rng.choice(
                (
                    f"近年来围绕{names}等产业开展技术咨询与服务，帮助企业解决{terms}等方面的技术难题。",
                    f"学会积极服务{names}产业链，在{terms}等方面组织专家开展联合攻关。",
                )
            )
        )
    if rng.random() < 0.6:
        sentences.append(
            f"现有个人会员{rng.randrange(3, 30) * 100}余人，"
            f"设有{rng.randrange(4, 16)}个专业委员会。"
        )
    return "".join(sentences)


def expert_profile(
    rng: random.Random,
    *,
    name: str,
    title: str,
    affiliation: str,
    areas: list[str],
    topics: list[Topic],
) -> str:
    """A 2–4 sentence résumé built from the expert's research areas."""
    a = "、".join(areas[:3])
    sentences = [
        rng.choice(
            (
                f"{name}，{title}，现任职于{affiliation}，长期从事{a}等方面的研究。",
                f"{name}，{affiliation}{title}，主要研究方向为{a}。",
                f"{title}{name}毕业后一直在{affiliation}工作，研究领域包括{a}。",
            )
        )
    ]
    projects = rng.randrange(2, 15)
    sentences.append(
        rng.choice(
            (
                f"主持国家自然科学基金、省重点研发专项等项目{projects}项，"
                f"获河南省科技进步奖{rng.choice('一二三')}等奖{rng.randrange(1, 4)}项。",
                f"发表学术论文{rng.randrange(20, 150)}篇，授权发明专利{rng.randrange(3, 40)}件。",
                f"先后承担纵向和横向科研项目{projects}项，多项成果在企业实现转化。",
            )
        )
    )
    if topics and rng.random() < 0.5:
        topic = rng.choice(topics)
        problem = rng.choice(topic.problems)
        sentences.append(
            rng.choice(
                (
                    f"在{problem.focus}方面积累了丰富经验，"
                    f"曾为{rng.randrange(5, 60)}家企业提供技术服务。",
                    f"近年来重点围绕{topic.name}领域的{'、'.join(problem.keywords[:2])}问题开展攻关。",
                    f"与省内多家{topic.industries[0]}企业合作，解决了{problem.focus}等技术难题。",
                )
            )
        )
    if rng.random() < 0.3:
        sentences.append(rng.choice(("兼任学会常务理事。", "担任省级学会专业委员会副主任委员。")))
    return "".join(sentences)
