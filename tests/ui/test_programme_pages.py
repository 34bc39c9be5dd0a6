"""The programme's pages (AppTest) over the API tests' small world: staff pair a round
(dry run, forbid one pair, commit); a society records an activity for its partner; the
enterprise disputes it with a note."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from matcher.config import Settings
from matcher.db import Store
from matcher.models import (
    AssignmentConstraint,
    ConfirmationStatus,
    ConstraintKind,
    EnterprisePairing,
    PairingStatus,
    ProgrammeRound,
    ServiceActivity,
)
from tests.api.conftest import World, build_world
from tests.ui.test_staff_assign import _edit, _editor, _successes
from tests.ui.test_streamlit_app import logged_in, open_page

pytestmark = pytest.mark.slow
PAIRING, ACTIVITIES = "结对 Pairing", "服务活动 Activities"


@pytest.fixture
def world(store: Store, settings: Settings) -> World:
    return build_world(store, settings)


def _pairs(store: Store, status: PairingStatus) -> set[tuple[int, int]]:
    with store.transaction() as s:
        rows = s.execute(
            select(EnterprisePairing.enterprise_id, EnterprisePairing.society_id).where(
                EnterprisePairing.status == status
            )
        ).all()
    return {tuple(r) for r in rows}


def test_staff_pair_a_round_forbid_one_pair_and_commit(world: World, store: Store) -> None:
    at = open_page(logged_in("staff"), PAIRING)
    assert "还没有结对方案" in "\n".join(i.value for i in at.info)
    at.button(key="FormSubmitter:pairing_params-试运行 Dry run").click().run()
    assert not at.exception, at.exception
    assert "试运行完成" in _successes(at)
    table = _editor(at, "pairing_pairs_").value
    assert len(table) == 2 and set(table["状态 state"]) == {"新 new"}
    assert table["匹配度 fit"].between(0, 100).all()
    row = list(table["企业 enterprise"]).index("郑州重工机械有限公司")
    _edit(at, _editor(at, "pairing_pairs_"), {row: {"操作 action": "禁止 forbid"}})
    at.button(key="pairing_apply").click().run()
    assert not at.exception, at.exception
    assert "已移除 removed" in set(_editor(at, "pairing_pairs_").value["状态 state"])
    at.button(key="pairing_commit").click().run()
    assert not at.exception, at.exception
    active = _pairs(store, PairingStatus.ACTIVE)
    assert len(active) == 1 and world.ids["e_own"] not in {e for e, _s in active}
    with store.transaction() as s:
        forbid = s.scalar(select(AssignmentConstraint))
        assert forbid.kind is ConstraintKind.FORBID
        assert forbid.enterprise_id == world.ids["e_own"]


def _paired_world(store: Store, world: World) -> None:
    with store.transaction() as s:
        rnd = ProgrammeRound(name="2026")
        s.add(rnd)
        s.flush()
        s.add(
            EnterprisePairing(
                round_id=rnd.id,
                enterprise_id=world.ids["e_own"],
                society_id=world.ids["s_own"],
                status=PairingStatus.ACTIVE,
            )
        )


def test_society_records_and_enterprise_disputes(world: World, store: Store) -> None:
    _paired_world(store, world)
    at = open_page(logged_in("soc"), ACTIVITIES)
    at.number_input(key="activity_hours_0").set_value(6.0)
    at.button(key="FormSubmitter:activity_form_0-保存 Save").click().run()
    assert not at.exception, at.exception
    assert "已保存记录" in _successes(at)
    with store.transaction() as s:
        saved = s.scalar(select(ServiceActivity))
        assert (saved.society_id, saved.enterprise_id) == (world.ids["s_own"], world.ids["e_own"])
        assert saved.volunteer_hours == 6.0 and saved.activity_date <= date.today()
    assert "6" in at.metric[0].value

    at = open_page(logged_in("ent"), ACTIVITIES)
    at.radio(key="answer").set_value("disputed")
    at.text_input(key="answer_note").input("时长有误")
    at.button(key="FormSubmitter:activity_answer-提交 Submit").click().run()
    assert not at.exception, at.exception
    with store.transaction() as s:
        saved = s.scalar(select(ServiceActivity))
        assert saved.confirmation is ConfirmationStatus.DISPUTED
        assert saved.confirmation_note == "时长有误"


ACTIVITY_CSV = (
    "记录编号,学会编号,企业编号,服务类型,日期,志愿服务时长,专家编号\n"
    "A1,S1,E1,技术指导,2026-03-01,6,X1\n"
    "A2,S1,E1,技术指导,2026-03-02,4,X2\n"  # X2 belongs to another society
)


def test_staff_import_activities_all_or_nothing(world: World, store: Store) -> None:
    at = open_page(logged_in("staff"), "导入 Import")
    at.selectbox(key="import_kind").select("activities").run()
    bad = ACTIVITY_CSV.encode("gbk")
    at.file_uploader(key="import_file").set_value(("活动.csv", bad, "text/csv")).run()
    at.button(key="run_import").click().run()
    assert not at.exception, at.exception
    errors = next(df.value for df in at.dataframe if "reason" in df.value.columns)
    assert list(zip(errors["row"], errors["field"], strict=True)) == [(3, "expert_external_ids")]
    with store.transaction() as s:
        assert s.scalar(select(ServiceActivity)) is None
    good = ACTIVITY_CSV.splitlines()[:2]
    data = "\n".join(good).encode("gbk")
    at.file_uploader(key="import_file").set_value(("活动.csv", data, "text/csv")).run()
    at.button(key="run_import").click().run()
    assert [s.value for s in at.success] == ["新增 1 · 更新 0 · 未变 0"]
