"""The 服务团 Teams page, driven as staff use it (AppTest), over the bearing world."""

from __future__ import annotations

import pytest

from tests.ui.test_streamlit_app import logged_in, open_page

pytestmark = pytest.mark.slow
PAGE = "服务团 Teams"


def _table(at, column: str) -> list:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return list(frame.value[column])
    raise AssertionError(f"no table with {column}")


def test_staff_propose_edit_and_save_a_team(bearing) -> None:
    at = open_page(logged_in("staff"), PAGE)
    at.number_input(key="team_size").set_value(3)
    at.number_input(key="team_per").set_value(1)
    at.button(key="FormSubmitter:team_propose-推荐服务团 Propose").click().run()
    assert not at.exception, at.exception
    assert "最优 optimal" in at.success[0].value
    members = _table(at, "专家")
    assert 1 <= len(members) <= 3
    assert len(_table(at, "需求")) == 5  # the resolved and the Zhengzhou needs are left out
    team_id = at.selectbox(key="team_pick").value
    at.selectbox(key=f"team_remove_{team_id}").select_index(1).run()
    at.button(key=f"team_rm_btn_{team_id}").click().run()
    assert not at.exception, at.exception
    assert len(_table(at, "专家")) == len(members) - 1
    at.text_input(key=f"team_name_{team_id}").input("洛阳轴承服务团").run()
    at.button(key=f"team_save_btn_{team_id}").click().run()
    assert not at.exception, at.exception
    assert "saved" in at.selectbox(key="team_pick").options[0]
