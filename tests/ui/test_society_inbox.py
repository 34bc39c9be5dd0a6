"""The society workspace (AppTest): every lead paged, sorted and filtered; near-duplicates
folded; leads new since the last visit marked; an answer kept and preselected; assignments
with the enterprise's contact only once assigned; profile and experts; never another
society's leads or experts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from matcher.config import Settings
from matcher.db import Store
from matcher.models import (
    Assignment,
    AssignmentStatus,
    Enterprise,
    Expert,
    InboxVisit,
    LeadResponse,
    LeadResponseStatus,
    Society,
    TechNeed,
)
from matcher.models.base import utcnow
from tests.api.conftest import World, build_world, make_match, make_need
from tests.ui.test_streamlit_app import logged_in, open_page

pytestmark = pytest.mark.slow
NOON = datetime.combine(utcnow().date(), time(12), tzinfo=UTC)
HIDDEN = ("耐高温高分子复合材料", "催化剂寿命", "李化")  # the other society's leads and expert


@pytest.fixture
def world(store: Store, settings: Settings) -> World:
    return build_world(store, settings)


def leads(at) -> dict[str, list]:
    return at.dataframe[0].value.to_dict("list")


def shown(at) -> str:
    """Everything a user reads on the page: texts, tables, captions, option labels."""
    parts = [e.value for e in at.text] + [e.value for e in at.caption]
    parts += (
        [e.value for e in at.info] + [e.value for e in at.success] + [e.value for e in at.error]
    )
    parts += [e.value for e in at.markdown]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [o for box in at.selectbox for o in box.options]
    return "\n".join(str(p) for p in parts)


def add_leads(store: Store, world: World, n: int) -> None:
    """``n`` more leads of the own society: lead i scores 2 + 4i and was posted at noon (UTC)
    i + 1 days ago."""
    with store.transaction() as s:
        ent = s.get(Enterprise, world.ids["e_own"])
        soc = s.get(Society, world.ids["s_own"])
        for i in range(n):
            need = make_need(s, f"P{i}", ent, f"液压系统泄漏诊断{i}", f"第{i}号产线 设备{i}", [])
            need.created_at = NOON - timedelta(days=i + 1)
            s.flush()
            make_match(s, need, soc, 2.0 + 4 * i)


def add_assignment(store: Store, world: World, status: AssignmentStatus) -> int:
    """The own society assigned to the own enterprise's need N1; its id."""
    with store.transaction() as s:
        a = Assignment(
            society_id=world.ids["s_own"],
            enterprise_id=world.ids["e_own"],
            need_id=world.ids["need_own"],
            status=status,
        )
        s.add(a)
        s.flush()
        return a.id


def test_leads_are_paged_sorted_and_filtered(world: World, store: Store) -> None:
    add_leads(store, world, 25)
    at = logged_in("soc")
    assert "共 27 条线索，第 1/2 页" in at.caption[0].value
    first = leads(at)["需求 need"]
    assert len(first) == 20 and first[0] == "液压系统泄漏诊断24"  # best score first
    at.number_input(key="lead_page").set_value(2).run()
    assert len(leads(at)["需求 need"]) == 7
    assert "焊接机器人焊缝质量检测" in leads(at)["需求 need"]  # scores 0.8 and 0.5: last page

    at.number_input(key="lead_page").set_value(1)
    at.slider(key="lead_score").set_range(50, 100).run()
    assert "共 13 条线索" in at.caption[0].value  # 50, 54, …, 98
    assert min(leads(at)["分数 score"]) >= 50

    at.slider(key="lead_score").set_range(0, 100)
    at.radio(key="lead_sort").set_value("按发布时间 newest first").run()
    titles = leads(at)["需求 need"]
    assert set(titles[:2]) == {"焊接机器人焊缝质量检测", "齿轮箱振动噪声分析"}  # posted today
    assert titles[2:5] == ["液压系统泄漏诊断0", "液压系统泄漏诊断1", "液压系统泄漏诊断2"]

    today = NOON.date()
    at.date_input(key="lead_posted").set_value((today - timedelta(days=3), today - timedelta(2)))
    at.run()
    assert sorted(leads(at)["需求 need"]) == ["液压系统泄漏诊断1", "液压系统泄漏诊断2"]

    at.date_input(key="lead_posted").set_value(())
    at.selectbox(key="lead_city").select("洛阳市").run()
    assert "没有符合条件的线索" in shown(at)
    at.selectbox(key="lead_city").select("郑州市")
    at.text_input(key="lead_industry").input("装备制造").run()
    assert "共 27 条线索" in at.caption[0].value


def test_near_duplicates_are_folded_into_one_row(world: World, store: Store) -> None:
    with store.transaction() as s:
        own, other = s.get(Enterprise, world.ids["e_own"]), s.get(Enterprise, world.ids["e_other"])
        soc = s.get(Society, world.ids["s_own"])
        text = "大型结构件焊接变形控制与焊缝检测"
        for ext, ent, title in (
            ("D1", own, "焊接机器人焊缝质量检测。"),  # punctuation only
            ("D2", own, "焊接机器人 焊缝质量检测"),  # a space
            ("D3", other, "焊接机器人焊缝质量检测"),  # same text, another enterprise
        ):
            need = make_need(s, ext, ent, title, text, ["焊接"])
            s.flush()
            make_match(s, need, soc, 0.8)
    at = logged_in("soc")
    rows = leads(at)
    assert len(rows["需求 need"]) == 3  # N1 with D1 and D2 folded; D3; N2
    assert "另有 2 条相似需求" in rows["相似 similar"]
    assert rows["相似 similar"].count("") == 2
    assert "共 5 条线索" in at.caption[0].value

    n1 = world.ids["need_own"]  # one answer for the need and its two repeats
    at.radio(key=f"answer_{n1}").set_value(LeadResponseStatus.INTERESTED)
    at.checkbox(key=f"also_{n1}").check()
    at.button(key=f"FormSubmitter:respond_{n1}-提交 Submit").click().run()
    assert "已提交 3 条 / 3 saved: 感兴趣 interested" in shown(at)
    with store.transaction() as s:
        answered = s.scalars(select(LeadResponse.need_id)).all()
        d3 = s.scalar(select(TechNeed.id).where(TechNeed.external_id == "D3"))
    assert len(answered) == 3 and d3 not in answered  # not the other enterprise's


def test_new_leads_since_the_last_visit_are_marked(world: World, store: Store) -> None:
    with store.transaction() as s:
        for need in s.scalars(select(TechNeed)):
            need.created_at = utcnow() - timedelta(days=2)
        s.add(InboxVisit(user_id=world.ids["user_society"], seen_at=utcnow() - timedelta(days=1)))
    add_leads(store, world, 1)  # posted a day ago …
    with store.transaction() as s:  # … no: just now
        s.scalar(select(TechNeed).where(TechNeed.external_id == "P0")).created_at = utcnow()
    at = logged_in("soc")
    rows = leads(at)
    marked = {t for t, new in zip(rows["需求 need"], rows["新 new"], strict=True) if new}
    assert marked == {"液压系统泄漏诊断0"}
    assert "本页新线索 1 条" in at.caption[0].value
    at.radio(key="lead_sort").set_value("按发布时间 newest first").run()  # a rerun: still new
    assert leads(at)["新 new"][0] == "● 新"
    with store.transaction() as s:
        seen = s.get(InboxVisit, world.ids["user_society"]).seen_at
        assert seen.replace(tzinfo=None) > (utcnow() - timedelta(hours=1)).replace(tzinfo=None)
    again = logged_in("soc")  # the next session: nothing new since this one
    assert not any(leads(again)["新 new"])


def test_an_answer_is_kept_and_preselected(world: World, store: Store) -> None:
    at = logged_in("soc")
    assert at.selectbox(key="lead_open").value == world.ids["need_own"]  # the best lead: N1
    radio = at.radio(key=f"answer_{world.ids['need_own']}")
    radio.set_value(LeadResponseStatus.NOT_SUITABLE)
    at.button(key=f"FormSubmitter:respond_{world.ids['need_own']}-提交 Submit").click().run()
    assert "请说明不合适的原因" in shown(at)  # the reason is required
    at.text_input(key=f"reason_{world.ids['need_own']}").input("本会无相关方向")
    at.button(key=f"FormSubmitter:respond_{world.ids['need_own']}-提交 Submit").click().run()
    assert not at.exception
    assert "已提交 / saved: 不合适 not suitable" in shown(at)
    assert leads(at)["回复 answer"][0] == "不合适 not suitable"
    assert "当前回复 current answer: 不合适 not suitable" in shown(at)

    later = logged_in("soc")  # another session: the stored answer is preselected
    assert later.radio(key=f"answer_{world.ids['need_own']}").value is (
        LeadResponseStatus.NOT_SUITABLE
    )
    assert later.text_input(key=f"reason_{world.ids['need_own']}").value == "本会无相关方向"
    later.selectbox(key="lead_response").select("未回复 unanswered").run()
    assert leads(later)["需求 need"] == ["齿轮箱振动噪声分析"]
    later.selectbox(key="lead_response").select("已回复 answered").run()
    assert leads(later)["需求 need"] == ["焊接机器人焊缝质量检测"]


def test_a_lead_shows_plain_reasons_and_the_fitting_experts(world: World, store: Store) -> None:
    with store.transaction() as s:
        need = s.get(TechNeed, world.ids["need_own"])
        need.description = "详见 [点击这里](http://phish.example) 的说明"
        from matcher.models import MatchResult

        match = s.scalar(select(MatchResult).where(MatchResult.need_id == need.id))
        match.components = {
            "fused": 1.2,
            "city": 1.0,
            "industry_fit": 0.6,
            "top_experts": [{"id": world.ids["x_own"], "name": "张工", "score": 0.9}],
        }
    at = logged_in("soc")
    body = shown(at)
    assert "详见 [点击这里](http://phish.example) 的说明" in [t.value for t in at.text]
    assert "· 匹配关键词 matched keywords: 焊接" in body
    assert "· 同城 same city" in body and "· 行业契合 industry fits" in body
    assert "张工" in body and "焊接工艺、机器人焊接" in body  # the expert with the fields
    assert [e.label for e in at.expander] == ["详情 details"]  # channel scores on demand
    assert "综合 fused" in at.expander[0].dataframe[0].value.to_csv()
    assert not any(h in body for h in HIDDEN)


def test_contact_only_once_assigned_and_the_life_cycle(world: World, store: Store) -> None:
    at = logged_in("soc")
    assert "企业联系方式" not in shown(at) and "联系人E1" not in shown(at)
    aid = add_assignment(store, world, AssignmentStatus.PROPOSED)
    at = open_page(logged_in("soc"), "服务 Assignments")
    assert at.metric[0].value == "1 / 5"
    body = shown(at)
    assert "联系人 name: 联系人E1" in body and "电话 phone: 13800000000" in body
    assert "统一社会信用代码 credit code: 91410100MA00000001" in body  # every line labelled
    assert "contact_name=" not in body and "Contact(" not in body and "credit_code" not in body
    at.button(key=f"move_decline_{aid}").click().run()
    assert "请说明原因" in shown(at)  # a reason is required to decline
    at.button(key=f"move_confirm_{aid}").click().run()
    assert not at.exception
    assert "已确认 confirmed" in leads(at)["状态 status"]
    assert [b.label for b in at.button if b.key and b.key.startswith("move_")] == [
        "开始服务 start",
        "取消 cancel",
    ]
    leads_page = open_page(at, "线索 Leads")
    assert "企业联系方式 enterprise contact:" in shown(leads_page)


def test_profile_and_own_experts_only(world: World, store: Store) -> None:
    at = open_page(logged_in("soc"), "学会资料 Profile")
    body = shown(at)
    assert "张工" in body and not any(h in body for h in HIDDEN)
    at.text_area(key="soc_description").input("机械制造、焊接工艺、增材制造")
    at.number_input(key="soc_capacity").set_value(8)
    at.text_input(key="soc_phone").input("abc")
    at.button(key="FormSubmitter:society_profile-保存 Save").click().run()
    assert "输入无效" in shown(at)  # the phone, in Chinese
    at.text_input(key="soc_phone").input("0371 1234 5678")
    at.button(key="FormSubmitter:society_profile-保存 Save").click().run()
    assert "资料已保存 / profile saved" in shown(at)
    with store.transaction() as s:
        soc = s.get(Society, world.ids["s_own"])
        assert (soc.description, soc.capacity) == ("机械制造、焊接工艺、增材制造", 8)
        assert (soc.name, soc.contact_phone) == ("河南省机械工程学会", "0371-12345678")

    at.text_input(key="x_name_new").input("王研")
    at.text_input(key="x_areas_new").input("激光熔覆、增材制造")
    at.button(key="FormSubmitter:expert_new-保存专家 Save expert").click().run()
    assert "已添加专家 / expert added: 王研" in shown(at)
    assert "王研" in at.dataframe[0].value["姓名 name"].tolist()
    with store.transaction() as s:
        added = s.scalar(select(Expert).where(Expert.name == "王研"))
        assert [x.id for x in added.societies] == [world.ids["s_own"]]
        assert added.research_areas == ["激光熔覆", "增材制造"]

    x_own = world.ids["x_own"]
    at.selectbox(key="expert_open").select(x_own).run()
    at.button(key=f"FormSubmitter:expert_{x_own}-移出本会 deactivate (remove)").click().run()
    assert "张工" not in at.dataframe[0].value["姓名 name"].tolist()
    with store.transaction() as s:
        assert s.get(Expert, x_own).societies == []  # off the roster, the record kept
