"""The enterprise workspace (AppTest): the post form's checks (a past deadline refused in
Chinese, success only once posted), industry and city stored, matches as 0–100 scores with
plain reasons and the channel table under details; my needs with the society's contact only
once assigned and the rating of a completed service; never another enterprise's needs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from matcher.api.fields import today
from matcher.config import Settings
from matcher.db import Store
from matcher.models import Assignment, AssignmentStatus, NeedStatus, TechNeed
from tests.api.conftest import World, build_world
from tests.ui.test_society_inbox import add_assignment
from tests.ui.test_streamlit_app import logged_in

pytestmark = pytest.mark.slow
POST = "FormSubmitter:post_need-发布并匹配 Post and match"
OTHERS = ("耐高温高分子复合材料", "催化剂寿命")  # the other enterprise's needs


@pytest.fixture
def world(store: Store, settings: Settings) -> World:
    return build_world(store, settings)


def shown(at) -> str:
    parts = [e.value for e in (*at.text, *at.caption, *at.info, *at.success, *at.error)]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [o for box in at.selectbox for o in box.options]
    parts += [e.label for e in at.expander]
    return "\n".join(str(p) for p in parts)


def open_need(at, title: str):
    """Open one of my needs by its title, as a user picks it."""
    box = at.selectbox(key="my_need_open")
    text = next(o for o in box.options if o.startswith(f"{title}（#"))
    return box.set_value(int(text.rsplit("#", 1)[1].rstrip("）"))).run()


def need_count(store: Store) -> int:
    with store.transaction() as s:
        return s.scalar(select(func.count()).select_from(TechNeed))


def fill(at, title: str = "液压系统内泄漏诊断") -> None:
    at.text_input(key="need_title").input(title)
    at.text_area(key="need_description").input("液压缸内泄漏导致保压失效，需要诊断方法")
    at.text_input(key="need_keywords").input("液压，泄漏、诊断")


def test_a_past_deadline_or_no_title_is_refused_in_chinese(world: World, store: Store) -> None:
    at = logged_in("ent")
    before = need_count(store)
    fill(at)
    at.date_input(key="need_deadline").set_value(today() - timedelta(days=1))
    at.button(key=POST).click().run()
    assert not at.exception
    assert "已过，不能早于今天" in shown(at)
    assert not at.success and need_count(store) == before  # nothing posted, nothing claimed

    at.text_input(key="need_title").input("  ")
    at.date_input(key="need_deadline").set_value(today())
    at.button(key=POST).click().run()
    assert "输入无效" in shown(at) and not at.success
    assert need_count(store) == before


def test_a_posted_need_keeps_industry_city_deadline_and_shows_plain_reasons(
    world: World, store: Store
) -> None:
    at = logged_in("ent")
    assert at.selectbox(key="need_sector").options[1:-1] == ["装备制造"]  # industries in use
    fill(at)
    at.selectbox(key="need_sector").select("其他（下方填写）other (type below)")
    at.text_input(key="need_sector_other").input("液压件制造")
    at.selectbox(key="need_city").select("洛阳市")
    at.date_input(key="need_deadline").set_value(today() + timedelta(days=30))
    at.button(key=POST).click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["需求已发布 / need posted"]
    with store.transaction() as s:
        need = s.scalar(select(TechNeed).where(TechNeed.title == "液压系统内泄漏诊断"))
        assert (need.industry, need.city) == ("液压件制造", "洛阳市")
        assert need.deadline == today() + timedelta(days=30)
        assert need.keywords == ["液压", "泄漏", "诊断"]
    labels = [e.label for e in at.expander if e.label.startswith("#")]
    assert labels and all(0 <= float(x.split("— ")[1].removesuffix(" 分")) <= 100 for x in labels)
    reasons = [t.value for t in at.text if t.value.startswith("· ")]
    assert reasons  # plain reasons first, no numbers needed
    details = [e for e in at.expander if e.label == "详情 details"]
    assert details and "综合 fused" in details[0].dataframe[0].value.to_csv()
    # the My needs tab opens the need just posted (not the one open before the post)
    assert at.selectbox(key="my_need_open").value == need.id
    assert "需求 need: 液压系统内泄漏诊断" in [t.value for t in at.text]


def test_my_needs_show_the_society_contact_only_once_assigned(world: World, store: Store) -> None:
    at = logged_in("ent")
    body = shown(at)
    assert "焊接机器人焊缝质量检测" in body and not any(o in body for o in OTHERS)
    assert "学会联系方式" not in body
    aid = add_assignment(store, world, AssignmentStatus.PROPOSED)
    at = open_need(logged_in("ent"), "焊接机器人焊缝质量检测")
    assert "分配学会 assigned society: 河南省机械工程学会（待确认 proposed）" in shown(at)
    assert "学会联系方式" not in shown(at)  # not before the society accepts

    with store.transaction() as s:
        s.scalar(select(Assignment)).status = AssignmentStatus.IN_SERVICE
    at = open_need(logged_in("ent"), "焊接机器人焊缝质量检测")
    body = shown(at)
    assert "联系人 name: 秘书S1" in body and "电话 phone: 0371-0000000" in body
    assert "contact_name=" not in body
    at.select_slider(key=f"rating_{aid}").set_value(4)
    at.text_area(key=f"outcome_{aid}").input("泄漏率下降一半")
    at.button(key=f"FormSubmitter:rate_{aid}-完成并评价 complete and rate").click()
    at.run()
    assert not at.exception
    assert "服务已完成并评价 / service completed and rated" in shown(at)
    body = shown(at)
    assert "服务评分 rating (1–5): 4" in body and "服务成效 outcome: 泄漏率下降一半" in body
    with store.transaction() as s:
        done = s.scalar(select(Assignment))
        assert (done.status, done.rating) == (AssignmentStatus.COMPLETED, 4)


def test_an_enterprise_edits_and_closes_its_need(world: World, store: Store) -> None:
    at = open_need(logged_in("ent"), "焊接机器人焊缝质量检测")
    nid = world.ids["need_own"]
    at.date_input(key=f"edit_deadline_{nid}").set_value(today() - timedelta(days=3))
    at.button(key=f"FormSubmitter:edit_need_{nid}-保存 Save").click().run()
    assert "已过，不能早于今天" in shown(at)
    at.date_input(key=f"edit_deadline_{nid}").set_value(today() + timedelta(days=3))
    at.button(key=f"FormSubmitter:edit_need_{nid}-保存 Save").click().run()
    assert "需求已保存 / need saved" in shown(at)
    at.button(key=f"FormSubmitter:edit_need_{nid}-关闭需求 close the need").click().run()
    assert "需求已关闭 / need closed" in shown(at)
    with store.transaction() as s:
        need = s.get(TechNeed, nid)
        assert (need.status, need.deadline) == (NeedStatus.CLOSED, today() + timedelta(days=3))
