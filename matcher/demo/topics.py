"""The topic table: the shared source of needs, experts, societies and the dictionary.

A topic is one real industrial field of Henan (盾构装备, 轴承, 超硬材料 …) with the societies
that can answer its problems, the industries and cities of the enterprises that have them,
technical terms, problems (each with its own keywords) and expert research-area phrases.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    focus: str
    """Short noun phrase used in titles, e.g. '盾构主轴承密封'."""
    clause: str
    """What goes wrong, written as an enterprise would, without final punctuation."""
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    key: str
    name: str
    societies: tuple[str, ...]
    industries: tuple[str, ...]
    cities: tuple[str, ...]
    """'洛阳市' or '洛阳市:栾川县' to pin the county; empty for cross-discipline topics."""
    company_words: tuple[str, ...]
    products: tuple[str, ...]
    terms: tuple[str, ...]
    problems: tuple[Problem, ...]
    goals: tuple[str, ...]
    areas: tuple[str, ...]
    affiliations: tuple[str, ...] = ()

    @property
    def primary(self) -> bool:
        """Primary topics seed enterprises; cross topics only add needs to them."""
        return bool(self.cities)


def P(focus: str, clause: str, *keywords: str) -> Problem:
    return Problem(focus, clause, keywords)


def all_topics() -> tuple[Topic, ...]:
    """Every topic, in a fixed order."""
    from matcher.demo import topics_agri_med, topics_industry, topics_materials

    return (
        *topics_industry.TOPICS,
        *topics_materials.TOPICS,
        *topics_agri_med.TOPICS,
    )
