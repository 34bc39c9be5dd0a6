"""The topic table: the shared source of needs, experts, societies and the dictionary.

A topic is one real industrial field of Henan (盾构装备, 轴承, 超硬材料 …) with the societies
that can answer its problems, the industries and cities of the enterprises that have them,
technical terms, problems (each with its own keywords) and expert research-area phrases.
The table itself lives in ``matcher/demo/data/topics_*.toml`` so domain staff can edit it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
TOPIC_FILES = (
    "topics_equipment.toml",
    "topics_electronics.toml",
    "topics_materials.toml",
    "topics_chemicals_energy.toml",
    "topics_agriculture.toml",
    "topics_health_culture.toml",
)


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
    weight: float = 1.0
    """Relative share of the province's enterprises in this field."""

    @property
    def primary(self) -> bool:
        """Primary topics seed enterprises; cross topics only add needs to them."""
        return bool(self.cities)


def load_tables(filename: str, table: str) -> Any:
    """The ``table`` of one TOML file in the data directory."""
    with (DATA_DIR / filename).open("rb") as fh:
        return tomllib.load(fh)[table]


@cache
def aliases() -> dict[str, tuple[str, ...]]:
    """Colloquial ways enterprises write some technical terms (term → variants)."""
    return {k: tuple(v) for k, v in load_tables("aliases.toml", "aliases").items()}


def _topic(raw: dict) -> Topic:
    problems = tuple(
        Problem(p["focus"], p["clause"], tuple(p["keywords"])) for p in raw.pop("problems")
    )
    lists = {k: tuple(v) for k, v in raw.items() if isinstance(v, list)}
    return Topic(**{**raw, **lists}, problems=problems)


@cache
def all_topics() -> tuple[Topic, ...]:
    """Every topic, in a fixed order (file order, then order within the file)."""
    return tuple(_topic(raw) for name in TOPIC_FILES for raw in load_tables(name, "topic"))
