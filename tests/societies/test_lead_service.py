"""The society services behind the inbox, on both databases: list_leads' filters and order
(answer, score range, posting dates, city, industry), near-duplicate folding, the inbox
visit, workload, and society-scoped expert edits."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from matcher.config import Settings
from matcher.db import Store
from matcher.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from matcher.experts import service as experts
from matcher.experts.schemas import ExpertCreate, ExpertUpdate
from matcher.models import (
    Assignment,
    AssignmentStatus,
    Enterprise,
    Expert,
    LeadResponseStatus,
    Role,
    Society,
    TechNeed,
    User,
)
from matcher.models.base import utcnow
from matcher.societies import service
from matcher.societies.inbox import open_inbox, workload
from matcher.societies.schemas import LeadFilter, LeadResponseIn, LeadSort, ResponseFilter
from matcher.societies.similar import group_similar
from tests.api.conftest import World, build_world, make_match, make_need

NOON = datetime.combine(utcnow().date(), time(12), tzinfo=UTC)


@pytest.fixture
def world(store: Store, settings: Settings) -> World:
    """The API tests' world plus five leads of the own society: P{i} scores 10 + 20i, was
    posted at noon i days ago (UTC), lies in 洛阳市 for odd i."""
    w = build_world(store, settings)
    with store.transaction() as s:
        ent = s.get(Enterprise, w.ids["e_own"])
        soc = s.get(Society, w.ids["s_own"])
        for need in s.scalars(select(TechNeed)):
            need.created_at = utcnow() - timedelta(days=30)
        for i in range(5):
            need = make_need(s, f"P{i}", ent, f"液压泄漏{i}", f"第{i}条 产线{i}", [])
            need.created_at = NOON - timedelta(days=i)
            need.city = "洛阳市" if i % 2 else "郑州市"
            need.industry = "液压" if i < 2 else "装备制造"
            s.flush()
            make_match(s, need, soc, 10.0 + 20 * i)
    return w


def titles(store: Store, world: World, actor: str = "soc", **filters) -> list[str]:
    with store.transaction() as s:
        user = s.scalar(select(User).where(User.username == actor))
        leads, total = service.list_leads(
            session=s,
            actor=user,
            society_id=world.ids["s_own"],
            filters=LeadFilter(**filters),
            limit=50,
        )
        assert total == len(leads)
        return [lead.need.title for lead in leads]


def answer(store: Store, world: World, ext: str, status: LeadResponseStatus) -> None:
    with store.transaction() as s:
        user = s.scalar(select(User).where(User.username == "soc"))
        need_id = s.scalar(select(TechNeed.id).where(TechNeed.external_id == ext))
        service.respond_to_lead(
            session=s,
            actor=user,
            society_id=world.ids["s_own"],
            need_id=need_id,
            data=LeadResponseIn(status=status, reason="不对口"),
        )


def test_order_by_score_or_date(world: World, store: Store) -> None:
    assert titles(store, world)[:5] == [f"液压泄漏{i}" for i in (4, 3, 2, 1, 0)]
    by_date = titles(store, world, sort=LeadSort.date)
    assert by_date[:5] == [f"液压泄漏{i}" for i in range(5)]


def test_filters_by_score_range_dates_city_and_industry(world: World, store: Store) -> None:
    assert titles(store, world, min_score=30, max_score=70) == [
        "液压泄漏3",
        "液压泄漏2",
        "液压泄漏1",
    ]
    today = utcnow().date()
    window = {"posted_from": today - timedelta(days=3), "posted_to": today - timedelta(days=2)}
    assert titles(store, world, **window) == ["液压泄漏3", "液压泄漏2"]
    assert titles(store, world, posted_from=today) == ["液压泄漏0"]
    assert titles(store, world, city="洛阳市") == ["液压泄漏3", "液压泄漏1"]
    assert titles(store, world, industry="液压", city="郑州市") == ["液压泄漏0"]


def test_filters_by_answer(world: World, store: Store) -> None:
    answer(store, world, "P4", LeadResponseStatus.INTERESTED)
    answer(store, world, "P2", LeadResponseStatus.NOT_SUITABLE)
    assert titles(store, world, response=ResponseFilter.answered) == ["液压泄漏4", "液压泄漏2"]
    assert titles(store, world, response=ResponseFilter.interested) == ["液压泄漏4"]
    assert titles(store, world, response=ResponseFilter.not_suitable) == ["液压泄漏2"]
    unanswered = titles(store, world, response=ResponseFilter.none)
    assert "液压泄漏4" not in unanswered and "液压泄漏3" in unanswered and len(unanswered) == 5


def test_another_society_cannot_list_these_leads(world: World, store: Store) -> None:
    with store.transaction() as s:
        other = s.get(Society, world.ids["s_other"])
        s.add(User(username="soc2", password_hash="x", role=Role.SOCIETY, society_id=other.id))
    with pytest.raises(NotFoundError):
        titles(store, world, actor="soc2")


def test_near_duplicates_of_one_enterprise_fold(world: World, store: Store) -> None:
    with store.transaction() as s:
        user = s.scalar(select(User).where(User.username == "soc"))
        own, other = s.get(Enterprise, world.ids["e_own"]), s.get(Enterprise, world.ids["e_other"])
        soc = s.get(Society, world.ids["s_own"])
        text = "大型结构件焊接变形控制与焊缝检测"
        for ext, ent, title in (
            ("D1", own, "焊接机器人焊缝质量检测！"),
            ("D2", other, "焊接机器人焊缝质量检测"),
        ):
            need = make_need(s, ext, ent, title, text, [])
            s.flush()
            make_match(s, need, soc, 0.8)
        leads, _ = service.list_leads(
            session=s, actor=user, society_id=soc.id, filters=LeadFilter(max_score=1)
        )
    groups = group_similar(leads)
    assert [(g.head.need.external_id, [x.need.external_id for x in g.similar]) for g in groups] == [
        ("N1", ["D1"]),
        ("D2", []),
        ("N2", []),
    ]


def test_inbox_visit_returns_the_previous_one(world: World, store: Store) -> None:
    with store.transaction() as s:
        user = s.scalar(select(User).where(User.username == "soc"))
        assert open_inbox(session=s, actor=user) is None
    with store.transaction() as s:
        user = s.scalar(select(User).where(User.username == "soc"))
        first = open_inbox(session=s, actor=user)
        assert first is not None and first.tzinfo is not None
        assert open_inbox(session=s, actor=user) >= first


def test_workload_counts_active_assignments(world: World, store: Store) -> None:
    with store.transaction() as s:
        for status in (AssignmentStatus.CONFIRMED, AssignmentStatus.CANCELLED):
            s.add(
                Assignment(
                    society_id=world.ids["s_own"],
                    enterprise_id=world.ids["e_own"],
                    status=status,
                )
            )
        user = s.scalar(select(User).where(User.username == "soc"))
        load = workload(session=s, actor=user, society_id=world.ids["s_own"])
        assert (load.active, load.capacity) == (1, 5)
        with pytest.raises(NotFoundError):
            workload(session=s, actor=user, society_id=world.ids["s_other"])


def test_a_society_adds_and_removes_only_its_own_experts(world: World, store: Store) -> None:
    with store.transaction() as s:
        user = s.scalar(select(User).where(User.username == "soc"))
        added = experts.create_expert(
            session=s, actor=user, data=ExpertCreate(name="王研", research_areas=["增材制造"])
        )
        assert added.society_ids == [world.ids["s_own"]] and added.contact_visible
        with pytest.raises(NotFoundError):  # not its society
            experts.create_expert(
                session=s,
                actor=user,
                data=ExpertCreate(name="冒名", society_id=world.ids["s_other"]),
            )
        with pytest.raises(NotFoundError):  # another society's expert: not on its roster
            experts.remove_from_society(session=s, actor=user, expert_id=world.ids["x_other"])
        experts.remove_from_society(session=s, actor=user, expert_id=added.id)
        assert s.get(Expert, added.id).societies == []
        with pytest.raises(PermissionDeniedError):  # off the roster: no longer its to edit
            experts.update_expert(
                session=s, actor=user, expert_id=added.id, data=ExpertUpdate(name="改名")
            )
    with store.transaction() as s:
        staff = s.scalar(select(User).where(User.username == "staff"))
        with pytest.raises(InvalidInputError):  # staff name the society
            experts.create_expert(session=s, actor=staff, data=ExpertCreate(name="无主"))
        assert s.scalar(select(Expert.id).where(Expert.name == "冒名")) is None
        ent = s.scalar(select(User).where(User.username == "ent"))
        with pytest.raises(PermissionDeniedError):  # enterprises keep no experts
            experts.create_expert(
                session=s, actor=ent, data=ExpertCreate(name="无主", society_id=world.ids["s_own"])
            )


def test_the_api_takes_the_same_filters(world: World, store: Store, settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from matcher.app import create_app

    answer(store, world, "P3", LeadResponseStatus.INTERESTED)
    app = create_app(settings, store=store, load_runtime=False)
    url = f"/api/v1/societies/{world.ids['s_own']}/leads"
    today = NOON.date()
    with TestClient(app, raise_server_exceptions=False) as api:
        headers = world.headers("society")
        r = api.get(url, params={"response": "answered"}, headers=headers)
        assert [i["need"]["title"] for i in r.json()["items"]] == ["液压泄漏3"]
        params = {"max_score": 60, "posted_from": str(today - timedelta(days=2)), "sort": "date"}
        r = api.get(url, params=params, headers=headers)
        assert [i["need"]["title"] for i in r.json()["items"]] == [
            "液压泄漏0",
            "液压泄漏1",
            "液压泄漏2",
        ]
        assert r.json()["total"] == 3
        assert api.get(url, params={"max_score": 101}, headers=headers).status_code == 422
