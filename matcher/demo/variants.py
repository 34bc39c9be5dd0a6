"""What makes real need texts harder than clean templates: misspelt characters, brands and
model numbers, and problems written outside the enterprise's own field (whose best society is
not the one its products point to). The tables live in ``matcher/demo/data``."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache

from matcher.demo.topics import load_tables


@dataclass(frozen=True)
class LayProblem:
    """A problem an enterprise has outside its field, in its own words."""

    topic: str
    """Key of the topic whose societies can answer it (the truth)."""
    industries: tuple[str, ...]
    focus: str
    clause: str
    keywords: tuple[str, ...]


@cache
def lay_problems() -> tuple[LayProblem, ...]:
    return tuple(
        LayProblem(
            topic=raw["topic"],
            industries=tuple(raw["industries"]),
            focus=raw["focus"],
            clause=raw["clause"],
            keywords=tuple(raw["keywords"]),
        )
        for raw in load_tables("lay_problems.toml", "problem")
    )


def lay_problems_for(industry: str) -> list[LayProblem]:
    return [p for p in lay_problems() if industry in p.industries]


@cache
def _equipment() -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in load_tables("equipment.toml", "models").items()}


def equipment_for(topic_key: str) -> tuple[str, ...]:
    """Brands and model numbers an enterprise of this topic may name (none if unlisted)."""
    return _equipment().get(topic_key, ())


@cache
def _typos() -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in load_tables("typos.toml", "typos").items()}


@cache
def _typo_pattern() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(_typos(), key=len, reverse=True)))


def misspell(rng: random.Random, text: str, most: int = 2, keep: str = "") -> str:
    """``text`` with one to ``most`` words typed as a common wrong character (unchanged when it
    holds none of the table's words); ``keep`` (a name) is never changed."""
    kept = [range(m.start(), m.end()) for m in re.finditer(re.escape(keep), text)] if keep else []
    spots = [m for m in _typo_pattern().finditer(text) if not any(m.start() in r for r in kept)]
    if not spots:
        return text
    chosen = sorted(
        rng.sample(spots, k=min(len(spots), rng.randint(1, most))), key=lambda m: m.start()
    )
    out, last = [], 0
    for m in chosen:
        out += [text[last : m.start()], rng.choice(_typos()[m.group(0)])]
        last = m.end()
    return "".join([*out, text[last:]])
