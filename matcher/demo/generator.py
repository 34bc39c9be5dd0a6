"""Deterministic demo import files: societies, experts, enterprises, needs (+ held-out truth)
and the completed, rated services between some of them.

Same seed and sizes give byte-identical files. Everything is derived from the topic table
(:mod:`matcher.demo.topics`) so that needs, experts and societies agree on vocabulary.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from matcher.demo import people, services, texts
from matcher.demo.codes import make_credit_code
from matcher.demo.geography import CITIES, CITY_BY_NAME, short_name
from matcher.demo.societies import SocietySpec, provincial_societies
from matcher.demo.topics import Topic, all_topics
from matcher.demo.variants import lay_problems_for
from matcher.errors import InvalidInputError

LIST_SEP = "；"
DEFAULT_SIZES = {"societies": 120, "experts": 3600, "enterprises": 1200, "needs": 2400}
_SIZES = ("大型", "中型", "小型", "微型")
_SIZE_WEIGHTS = (8, 25, 45, 22)
_BRAND_CHARS = "中华恒宏金鑫瑞博德天泰丰源盛通达诚信安广隆兴昌瑞嘉润新华豫中原宇航"
_FIRST_DEADLINE = date(2026, 12, 31)
LAY_SHARE = 0.12
"""Share of the needs of an enterprise with lay problems (a food factory's wastewater) that
are such a problem: written around its own products, best answered by another field."""


@dataclass
class _Society:
    external_id: str
    name: str
    spec: SocietySpec
    city: str
    topics: list[Topic]


@dataclass
class _Enterprise:
    external_id: str
    name: str
    city: str
    county: str
    industry: str
    size: str
    topic: Topic
    row: list[str] = field(default_factory=list)


def write_demo_files(
    out_dir: Path,
    *,
    seed: int = 2026,
    societies: int = DEFAULT_SIZES["societies"],
    experts: int = DEFAULT_SIZES["experts"],
    enterprises: int = DEFAULT_SIZES["enterprises"],
    needs: int = DEFAULT_SIZES["needs"],
) -> dict[str, Path]:
    """Write the four import CSVs, ``needs_truth.csv`` and ``services.csv`` (completed, rated
    services: :mod:`matcher.demo.services`) into ``out_dir``; return their paths.

    Raises ``InvalidInputError`` for a size below 1 or more societies than can be named.
    """
    sizes = {"societies": societies, "experts": experts, "enterprises": enterprises, "needs": needs}
    for kind, size in sizes.items():
        if size < 1:
            raise InvalidInputError(f"{kind} 数量至少为 1", f"{kind} must be at least 1")
    topics = all_topics()
    rng = random.Random(seed)
    soc = _make_societies(random.Random(rng.random()), societies, topics)
    tables = {
        "societies": _society_rows(random.Random(rng.random()), soc),
        "experts": _expert_rows(random.Random(rng.random()), soc, experts),
    }
    ent = _make_enterprises(random.Random(rng.random()), enterprises, topics)
    tables["enterprises"] = [e.row for e in ent]
    tables["needs"], truth = _need_rows(random.Random(rng.random()), ent, soc, needs, topics)
    tables["needs_truth"] = truth
    tables["services"] = services.service_rows(
        random.Random(rng.random()),
        societies=tables["societies"],
        experts=tables["experts"],
        enterprises=tables["enterprises"],
        needs=tables["needs"],
        truth=truth,
        areas={t.key: t.areas for t in topics},
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    return {name: _write_csv(out_dir / f"{name}.csv", rows) for name, rows in tables.items()}


HEADERS = {
    "societies": [
        "external_id",
        "name",
        "disciplines",
        "description",
        "city",
        "capacity",
        "contact_name",
        "contact_phone",
        "email",
    ],
    "experts": [
        "external_id",
        "name",
        "society_external_id",
        "title",
        "affiliation",
        "city",
        "research_areas",
        "profile",
        "phone",
        "email",
    ],
    "enterprises": [
        "external_id",
        "name",
        "credit_code",
        "city",
        "county",
        "industry",
        "size",
        "is_chain_leader",
        "contact_name",
        "contact_phone",
        "email",
    ],
    "needs": [
        "external_id",
        "enterprise_external_id",
        "title",
        "description",
        "industry",
        "city",
        "keywords",
        "deadline",
    ],
    "needs_truth": ["need_external_id", "topic", "relevant_society_external_ids"],
    "services": services.HEADER,
}


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADERS[path.stem])
        writer.writerows(rows)
    return path


# ---- societies ---------------------------------------------------------------------------


def _make_societies(rng: random.Random, count: int, topics: tuple[Topic, ...]) -> list[_Society]:
    """Topic-linked provincial societies first, then the others, then city-level societies."""
    provincial = provincial_societies()
    by_name = {s.name: [t for t in topics if s.name in t.societies] for s in provincial}
    ordered = sorted(provincial, key=lambda s: not by_name[s.name])
    specs = [(s, s.name, s.city) for s in ordered]
    names = {s.name for s in provincial}
    for base, city in _city_society_seats(rng, ordered, by_name):
        if len(specs) >= count:
            break
        name = base.name.replace("河南省", city, 1)
        if name not in names:
            names.add(name)
            specs.append((base, name, city))
    if len(specs) < count:
        raise InvalidInputError(
            f"学会数量最多为 {len(specs)}", f"at most {len(specs)} societies can be generated"
        )
    return [
        _Society(f"S{i + 1:03d}", name, spec, city, by_name[spec.name])
        for i, (spec, name, city) in enumerate(specs[:count])
    ]


def _city_society_seats(
    rng: random.Random, ordered: list[SocietySpec], by_name: dict[str, list[Topic]]
) -> Iterator[tuple[SocietySpec, str]]:
    """(provincial society, city) for city-level branches: the cities of its industries first."""
    seats = {}
    for base in ordered:
        preferred = [c.split(":")[0] for t in by_name[base.name] for c in t.cities]
        others = [c.name for c in CITIES if c.name not in preferred]
        rng.shuffle(others)
        seats[base.name] = list(dict.fromkeys(preferred + others))
    for rank in range(len(CITIES)):
        for base in ordered:
            yield base, seats[base.name][rank]


def _society_rows(rng: random.Random, socs: list[_Society]) -> list[list[str]]:
    rows = []
    for s in socs:
        contact, pinyin = people.person_name(rng)
        rows.append(
            [
                s.external_id,
                s.name,
                LIST_SEP.join(s.spec.disciplines),
                texts.society_description(
                    rng,
                    name=s.name,
                    disciplines=s.spec.disciplines,
                    areas=s.spec.areas,
                    topics=s.topics,
                ),
                s.city,
                str(rng.randrange(3, 31)),
                contact,
                people.mobile(rng),
                people.email(rng, pinyin),
            ]
        )
    return rows


# ---- experts -----------------------------------------------------------------------------


def _expert_rows(rng: random.Random, socs: list[_Society], count: int) -> list[list[str]]:
    """Every society gets members; ~12% of experts also belong to a related second society."""
    weights = [3 if s.topics else 1 for s in socs]
    rows = []
    for i in range(count):
        home = socs[i] if i < len(socs) else rng.choices(socs, weights=weights)[0]
        members = [home]
        if rng.random() < 0.12:
            related = [s for s in socs if s is not home and _related(s, home)]
            if related:
                members.append(rng.choice(related))
        rows.append(_expert_row(rng, f"X{i + 1:05d}", members))
    return rows


def _related(a: _Society, b: _Society) -> bool:
    return bool(set(a.spec.disciplines) & set(b.spec.disciplines)) or any(
        t in b.topics for t in a.topics
    )


def _expert_row(rng: random.Random, external_id: str, members: list[_Society]) -> list[str]:
    topics = [t for s in members for t in s.topics]
    pool = [a for t in topics for a in t.areas] * 2 + [a for s in members for a in s.spec.areas]
    shuffled = list(dict.fromkeys(rng.sample(pool, k=len(pool))))  # topic areas come first more
    areas = shuffled[: rng.randrange(2, 5)]
    group = members[0].spec.group
    specific = [a for t in topics for a in t.affiliations]
    general = people.GROUP_AFFILIATIONS[group]
    home = members[0]
    local = [a for a in (*specific, *general) if people.AFFILIATIONS[a][0] == home.city]
    if local and not home.name.startswith("河南省"):  # a city society: members work there
        affiliation = rng.choice(local)
    elif specific and rng.random() < 0.55:
        affiliation = rng.choice(specific)
    else:
        affiliation = rng.choice(general)
    city, domain = people.AFFILIATIONS[affiliation]
    name, pinyin = people.person_name(rng)
    title = people.expert_title(rng, group)
    profile = texts.expert_profile(
        rng, name=name, title=title, affiliation=affiliation, areas=areas, topics=topics
    )
    mail = people.email(rng, pinyin, domain if rng.random() < 0.7 else None)
    return [
        external_id,
        name,
        LIST_SEP.join(s.external_id for s in members),
        title,
        affiliation,
        city,
        LIST_SEP.join(areas),
        profile,
        people.mobile(rng),
        mail,
    ]


# ---- enterprises -------------------------------------------------------------------------


def _make_enterprises(
    rng: random.Random, count: int, topics: tuple[Topic, ...]
) -> list[_Enterprise]:
    """The first 18 enterprises cover every city; the rest follow the topic table."""
    primary = [t for t in topics if t.primary]
    names: set[str] = set()
    codes: set[str] = set()
    result = []
    for i in range(count):
        if i < len(CITIES):
            city = CITIES[i].name
            topic = rng.choice(
                [t for t in primary if any(c.split(":")[0] == city for c in t.cities)]
            )
            place = rng.choice([c for c in topic.cities if c.split(":")[0] == city])
        else:
            topic = rng.choices(primary, weights=[t.weight for t in primary])[0]
            place = rng.choice(topic.cities)
        city, _, county = place.partition(":")
        county = county or rng.choice(CITY_BY_NAME[city].counties)
        ent = _enterprise(rng, f"E{i + 1:04d}", topic, city, county, names, codes)
        result.append(ent)
    return result


def _enterprise(
    rng: random.Random,
    external_id: str,
    topic: Topic,
    city: str,
    county: str,
    names: set[str],
    codes: set[str],
) -> _Enterprise:
    size = rng.choices(_SIZES, weights=_SIZE_WEIGHTS)[0]
    name = ""
    while not name or name in names:
        name = _company_name(rng, topic, city, size)
    names.add(name)
    code = ""
    while not code or code in codes:
        code = make_credit_code(rng, CITY_BY_NAME[city].code)
    codes.add(code)
    industry = rng.choice(topic.industries)
    leader = size == "大型" and rng.random() < 0.6
    contact, pinyin = people.person_name(rng)
    ent = _Enterprise(external_id, name, city, county, industry, size, topic)
    ent.row = [
        external_id,
        name,
        code,
        city,
        county,
        industry,
        size,
        "是" if leader else "否",
        contact,
        people.mobile(rng),
        people.email(rng, pinyin),
    ]
    return ent


def _company_name(rng: random.Random, topic: Topic, city: str, size: str) -> str:
    brand = "".join(rng.sample(_BRAND_CHARS, 2))
    word = rng.choice(topic.company_words)
    if word.endswith("合作社"):
        return f"{short_name(city)}{brand}{word}"
    suffix = rng.choice(("集团有限公司", "股份有限公司")) if size == "大型" else "有限公司"
    if size in ("中型", "小型") and rng.random() < 0.2:
        suffix = "股份有限公司"
    return f"{short_name(city)}{brand}{word}{suffix}"


# ---- needs -------------------------------------------------------------------------------


def _need_rows(
    rng: random.Random,
    ents: list[_Enterprise],
    socs: list[_Society],
    count: int,
    topics: tuple[Topic, ...],
) -> tuple[list[list[str]], list[list[str]]]:
    relevant = {t.key: [s.external_id for s in socs if t in s.topics] for t in topics}
    by_key = {t.key: t for t in topics}
    home = {}  # industry → the topic it is the main industry of (its products)
    for t in topics:
        if t.primary:
            home.setdefault(t.industries[0], t)
    rows, truth = [], []
    for i in range(count):
        ent = rng.choice(ents)
        place = ent.county if ent.county.endswith(("区", "县", "市")) else short_name(ent.city)
        lay = lay_problems_for(ent.industry)
        if lay and rng.random() < LAY_SHARE:
            problem = rng.choice(lay)
            topic = by_key[problem.topic]
            own = home.get(ent.industry, ent.topic)
            text = texts.lay_need_text(rng, own, problem, company=ent.name, place=place)
        else:
            topic = _need_topic(rng, ent, topics)
            text = texts.need_text(
                rng, topic, company=ent.name, place=place, industry=ent.industry, size=ent.size
            )
        title, description, keywords = text.title, text.description, text.keywords
        roll = rng.random()
        if roll < 0.03:
            title, description = texts.noisy(rng, title), texts.noisy(rng, description)
        elif roll < 0.05:
            keywords = []
        city = "" if rng.random() < 0.05 else ent.city
        deadline = _FIRST_DEADLINE + timedelta(days=rng.randrange(0, 400))
        external_id = f"N{i + 1:05d}"
        rows.append(
            [
                external_id,
                ent.external_id,
                title,
                description,
                ent.industry,
                city,
                LIST_SEP.join(keywords),
                deadline.isoformat(),
            ]
        )
        truth.append([external_id, topic.key, LIST_SEP.join(relevant[topic.key])])
    return rows, truth


def _need_topic(rng: random.Random, ent: _Enterprise, topics: tuple[Topic, ...]) -> Topic:
    """Mostly the enterprise's own topic; sometimes a cross-discipline topic of its industry."""
    others = [t for t in topics if t is not ent.topic and ent.industry in t.industries]
    if others and rng.random() < 0.2:
        return rng.choice(others)
    return ent.topic
