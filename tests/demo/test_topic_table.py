"""The topic and society tables agree with each other, with geography and with affiliations."""

from __future__ import annotations

import random

from matcher.demo.geography import CITIES, CITY_BY_NAME
from matcher.demo.people import AFFILIATIONS, GROUP_AFFILIATIONS
from matcher.demo.societies import provincial_societies
from matcher.demo.texts import colloquial
from matcher.demo.topics import aliases, all_topics


def test_topics_name_existing_societies_cities_and_affiliations() -> None:
    societies = {s.name for s in provincial_societies()}
    keys = [t.key for t in all_topics()]
    assert len(keys) == len(set(keys)) >= 35
    for topic in all_topics():
        assert topic.societies and set(topic.societies) <= societies, topic.key
        assert set(topic.affiliations) <= set(AFFILIATIONS), topic.key
        for place in topic.cities:
            city, _, county = place.partition(":")
            assert city in CITY_BY_NAME, place
            assert not county or county in CITY_BY_NAME[city].counties, place
        assert len(topic.problems) >= 3 and topic.goals and len(topic.areas) >= 3, topic.key
        for problem in topic.problems:
            assert 2 <= len(problem.keywords) <= 5, problem.focus
            assert not problem.clause.endswith(("。", "，")), problem.focus
        if topic.primary:
            assert topic.company_words and topic.products and topic.industries, topic.key


def test_every_city_hosts_an_industry_and_the_table_is_cross_disciplinary() -> None:
    hosted = {place.partition(":")[0] for t in all_topics() for place in t.cities}
    assert hosted == {c.name for c in CITIES}
    assert any(not t.primary for t in all_topics())  # cross-discipline topics exist
    by_industry = {i for t in all_topics() if t.primary for i in t.industries}
    for topic in all_topics():
        if not topic.primary:
            assert set(topic.industries) & by_industry, topic.key


def test_societies_are_provincial_and_well_formed() -> None:
    specs = provincial_societies()
    assert len(specs) >= 100 and len({s.name for s in specs}) == len(specs)
    assert {s.group for s in specs} == set(GROUP_AFFILIATIONS)
    for spec in specs:
        assert spec.name.startswith("河南省") and 1 <= len(spec.disciplines) <= 3
        assert spec.city in CITY_BY_NAME and spec.areas
    assert set(AFFILIATIONS) >= {a for group in GROUP_AFFILIATIONS.values() for a in group}


def test_colloquial_wording_replaces_terms_with_their_aliases() -> None:
    assert "大轴承" in aliases()["主轴承"]
    text = colloquial(random.Random(1), "主轴承密封失效，冷柜制冷剂泄漏")
    assert "主轴承" not in text and "制冷剂" not in text and "冷柜" not in text
    assert any(v in text for v in aliases()["主轴承"])
    assert any(v in text for v in aliases()["制冷剂"])
    assert colloquial(random.Random(1), "没有可替换的词") == "没有可替换的词"
