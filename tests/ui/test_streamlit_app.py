"""The Streamlit workspaces, driven as a user would (AppTest), over the API tests' world."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from matcher.config import Settings
from matcher.db import Store
from tests.api.conftest import PASSWORD, World, build_world

APP = str(Path(__file__).resolve().parents[2] / "ui" / "streamlit_app.py")
pytestmark = pytest.mark.slow


@pytest.fixture
def world(store: Store, settings: Settings) -> World:
    return build_world(store, settings)


def logged_in(username: str, password: str = PASSWORD) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input(key="username").input(username)
    at.text_input(key="password").input(password)
    at.button[0].click()
    at.run()
    assert not at.exception
    return at


def open_page(at: AppTest, label: str) -> AppTest:
    """Choose a page in the sidebar, as a user clicks it."""
    at.sidebar.radio(key="nav").set_value(label).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.label for e in at.expander]
    parts += [e.value for e in at.caption] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def test_wrong_password_is_refused(world: World) -> None:
    at = logged_in("ent", "not-the-password")
    assert "用户名或密码错误" in texts(at)
    assert at.text_input(key="username")  # still on the log-in form


def test_enterprise_posts_a_need_and_sees_the_right_society_first(world: World) -> None:
    at = logged_in("ent")
    at.text_input(key="need_title").input("焊接机器人焊缝缺陷在线检测")
    at.text_area(key="need_description").input("大型结构件机器人焊接后焊缝缺陷多，需要在线检测方法")
    at.text_input(key="need_keywords").input("焊接、焊缝检测")
    at.button(key="FormSubmitter:post_need-发布并匹配 Post and match").click()
    at.run()
    assert not at.exception
    assert [s.value for s in at.success] == ["需求已发布 / need posted"]
    labels = [e.label for e in at.expander if e.label.startswith("#")]
    assert labels[0].startswith("#1 河南省机械工程学会"), labels
    # the new need is listed among the enterprise's own (a table), the other enterprise's are not
    body = "\n".join([texts(at), *(df.value.to_csv() for df in at.dataframe)])
    assert "焊接机器人焊缝缺陷在线检测" in body
    assert "耐高温高分子复合材料" not in body


def test_society_sees_its_leads_without_contact_details(world: World) -> None:
    at = logged_in("soc")
    body = "\n".join(
        [texts(at), *(t.value for t in at.text), *(df.value.to_csv() for df in at.dataframe)]
    )  # the leads are a table, the opened lead plain text
    assert "共 2 条线索" in body
    assert "焊接机器人焊缝质量检测" in body
    assert "耐高温高分子复合材料" not in body  # another society's lead
    assert "联系方式" not in body  # not assigned yet


def test_staff_sees_the_overview_and_audit(world: World) -> None:
    at = logged_in("staff")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["学会 societies"] == "2"
    assert metrics["需求 needs"] == "4"
    assert open_page(at, "审计 Audit").dataframe  # the audit table renders
