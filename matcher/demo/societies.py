"""Provincial societies (学会): disciplines and the research fields of their members.

The list lives in ``matcher/demo/data/societies.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from matcher.demo.topics import load_tables


@dataclass(frozen=True)
class SocietySpec:
    name: str
    disciplines: tuple[str, ...]
    areas: tuple[str, ...]
    """General research fields of members, beyond the topic-specific ones."""
    group: str
    """工程 / 农业 / 医学 / 理学: selects affiliations of its experts."""
    city: str = "郑州市"


@cache
def provincial_societies() -> tuple[SocietySpec, ...]:
    """Every provincial society, in file order."""
    return tuple(
        SocietySpec(
            name=raw["name"],
            disciplines=tuple(raw["disciplines"]),
            areas=tuple(raw["areas"]),
            group=raw["group"],
            city=raw.get("city", "郑州市"),
        )
        for raw in load_tables("societies.toml", "society")
    )
