"""The staff bulk-assignment and services pages (AppTest), over the API tests' small world:
a dry run, a forbidden pair, a re-run and a commit; bulk life-cycle moves per row with each
refusal listed; a cancel without a reason refused; societies and enterprises never see them."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from matcher.assignments.commit import commit_run
from matcher.assignments.run_schemas import RunCreate
from matcher.assignments.runs import create_run
from matcher.auth.actors import SYSTEM_CLI
from matcher.config import Settings
from matcher.db import Store
from matcher.models import Assignment, AssignmentConstraint, AssignmentStatus, ConstraintKind
from tests.api.conftest import World, build_world
from tests.ui.test_streamlit_app import logged_in, open_page, texts

pytestmark = pytest.mark.slow
ASSIGN, SERVICES = "批量分配 Assign", "服务进程 Services"


@pytest.fixture
def world(store: Store, settings: Settings) -> World:
    return build_world(store, settings)


def _editor(at, prefix: str):
    return next(e for e in at.data_editor if str(e.key).startswith(prefix))


def _edit(at, editor, rows: dict[int, dict]) -> None:
    """Edit cells as staff would (AppTest seeds the editor's edits)."""
    at.session_state[editor.key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    at.run()


def _table(at, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _successes(at) -> str:
    return "\n".join(str(s.value) for s in at.success)


def _assignments(store) -> list[Assignment]:
    with store.transaction() as s:
        rows = s.scalars(select(Assignment).order_by(Assignment.id)).all()
        s.expunge_all()
        return rows


def test_dry_run_forbid_rerun_and_commit(world: World, store: Store) -> None:
    ids = world.ids
    at = open_page(logged_in("staff"), ASSIGN)
    assert "还没有分配方案" in "\n".join(i.value for i in at.info)
    at.button(key="FormSubmitter:assign_params-试运行 Dry run").click().run()
    assert "，0 个对接" in _successes(at)  # the page's default minimum (20) is above them all
    at.slider(key="assign_min_score").set_value(0)
    at.button(key="FormSubmitter:assign_params-试运行 Dry run").click().run()
    assert not at.exception, at.exception
    assert "试运行完成" in _successes(at)
    pairs = _editor(at, "assign_pairs_").value
    assert len(pairs) == 4 and set(pairs["状态 state"]) == {"新 new"}
    assert pairs["分数 score"].between(0, 100).all()
    assert "焊接" in pairs["理由 reasons"].iloc[0]  # the stored match's keywords
    welding = list(pairs["需求 need"]).index("N1")
    assert pairs["学会 society"].iloc[welding] == "河南省机械工程学会"

    # staff forbid N1 × 机械工程学会: it leaves this run and, as a standing rule, later ones
    editor = _editor(at, "assign_pairs_")
    _edit(at, editor, {welding: {"操作 action": "禁止 forbid", "说明 note": "企业要求"}})
    at.button(key="assign_apply").click().run()
    assert not at.exception, at.exception
    assert "已保存 1 项修改" in _successes(at)
    unassigned = _table(at, "原因 reason")
    assert list(unassigned["需求 need"]) == ["N1"]
    assert "工作人员移除" in unassigned["原因 reason"].iloc[0]

    at.button(key="assign_rerun").click().run()
    assert not at.exception, at.exception
    pairs = _editor(at, "assign_pairs_").value
    assert "N1" not in set(pairs["需求 need"]) and len(pairs) == 3
    reason = _table(at, "原因 reason").set_index("需求 need")["原因 reason"]["N1"]
    assert "禁止" in reason
    runs = _table(at, "方案 run")
    assert list(runs["状态 status"]) == ["dry_run", "dry_run", "dry_run"]
    choices = at.selectbox(key="assign_run").options

    at.button(key="assign_commit").click().run()
    assert not at.exception, at.exception
    assert "创建 3 个待确认分配" in _successes(at)
    assert list(_table(at, "方案 run")["状态 status"]) == ["committed", "dry_run", "dry_run"]
    # the run chosen keeps its option text (a keyed selectbox in the browser shows the text
    # it had while its value stays valid: a status in it showed "dry_run" for the committed run)
    assert at.selectbox(key="assign_run").options == choices
    made = _assignments(store)
    assert len(made) == 3 and {a.status for a in made} == {AssignmentStatus.PROPOSED}
    assert (ids["need_own"], ids["s_own"]) not in {(a.need_id, a.society_id) for a in made}
    with store.transaction() as s:
        forbid = s.scalar(
            select(AssignmentConstraint).where(AssignmentConstraint.kind == ConstraintKind.FORBID)
        )
        assert (forbid.need_id, forbid.society_id) == (ids["need_own"], ids["s_own"])
    # a committed run can no longer be edited: the table is read-only
    assert not [e for e in at.data_editor if str(e.key).startswith("assign_pairs_")]


def _committed_world(store: Store) -> None:
    with store.transaction() as s:
        run = create_run(session=s, actor=SYSTEM_CLI, params=RunCreate(per_need=1))
        commit_run(session=s, actor=SYSTEM_CLI, run_id=run.id)


def _select_all_and_apply(at, action: str, **fields: str) -> None:
    next(c for c in at.checkbox if str(c.key).startswith("services_all_")).check().run()
    _apply(at, action, **fields)


def _apply(at, action: str, **fields: str) -> None:
    at.selectbox(key="services_action").select(action)
    for key, value in fields.items():
        at.text_input(key=f"services_{key}").input(value)
    at.button(key="FormSubmitter:services_move-执行 Apply to selected").click().run()
    assert not at.exception, at.exception


def test_bulk_confirm_start_complete_and_refusals(world: World, store: Store) -> None:
    _committed_world(store)
    at = open_page(logged_in("staff"), SERVICES)
    rows = _editor(at, "services_rows_").value
    assert len(rows) == 4 and set(rows["状态 status"]) == {"proposed"}
    assert "河南省机械工程学会" in set(rows["学会 society"])

    _select_all_and_apply(at, "确认 confirm")
    assert "4 行已执行" in _successes(at)
    assert {a.status for a in _assignments(store)} == {AssignmentStatus.CONFIRMED}

    # confirm again: every row refused, each listed with its reason (none silently skipped)
    _select_all_and_apply(at, "确认 confirm")
    assert "0 行已执行" in _successes(at) and "4 行未执行" in _successes(at)
    refused = _table(at, "代码 code")
    assert len(refused) == 4 and set(refused["代码 code"]) == {"illegal_transition"}

    # start every row the filter shows, without ticking any
    at.radio(key="services_scope").set_value(at.radio(key="services_scope").options[1])
    _apply(at, "开始服务 start")
    assert "4 行已执行" in _successes(at)
    at.radio(key="services_scope").set_value(at.radio(key="services_scope").options[0])
    _select_all_and_apply(at, "完成 complete", outcome="焊缝合格率提升到 99%")
    assert "4 行已执行" in _successes(at)
    done = _assignments(store)
    assert {a.status for a in done} == {AssignmentStatus.COMPLETED}
    assert {(a.rating, a.rating_comment) for a in done} == {(5, "焊缝合格率提升到 99%")}
    # the open-status filter now shows nothing; choosing completed shows them again
    assert len(_editor(at, "services_rows_").value) == 0
    at.multiselect(key="services_status").set_value([AssignmentStatus.COMPLETED]).run()
    assert len(_editor(at, "services_rows_").value) == 4


def test_cancel_without_reason_is_refused_in_chinese(world: World, store: Store) -> None:
    _committed_world(store)
    at = open_page(logged_in("staff"), SERVICES)
    _select_all_and_apply(at, "取消 cancel")
    assert "请说明原因" in "\n".join(str(t.value) for t in at.text)
    assert {a.status for a in _assignments(store)} == {AssignmentStatus.PROPOSED}
    _select_all_and_apply(at, "取消 cancel", reason="企业撤回需求")
    assert "4 行已执行" in _successes(at)
    assert {a.cancel_reason for a in _assignments(store)} == {"企业撤回需求"}


def test_filters_by_city_and_society_name(world: World, store: Store) -> None:
    _committed_world(store)
    at = open_page(logged_in("staff"), SERVICES)
    at.selectbox(key="services_city").select("洛阳市").run()
    rows = _editor(at, "services_rows_").value
    assert set(rows["企业 enterprise"]) == {"洛阳新材料科技有限公司"}
    at.selectbox(key="services_city").select("全部 all").run()
    at.text_input(key="services_society").input("机械").run()
    assert set(_editor(at, "services_rows_").value["学会 society"]) == {"河南省机械工程学会"}


def test_quotas_and_a_stale_commit_refused(world: World, store: Store) -> None:
    at = open_page(logged_in("staff"), ASSIGN)
    at.slider(key="assign_min_score").set_value(0)
    quotas = _editor(at, "assign_quotas")
    rows = [{"维度 dimension": "city", "分组 group": "洛阳市", "上限 max": -1}]
    at.session_state[quotas.key] = {"edited_rows": {}, "added_rows": rows, "deleted_rows": []}
    at.button(key="FormSubmitter:assign_params-试运行 Dry run").click().run()
    assert "运行参数无效" in "\n".join(str(t.value) for t in at.text)  # max below 0
    assert not [e for e in at.data_editor if str(e.key).startswith("assign_pairs_")]

    rows[0]["上限 max"] = 1
    at.session_state[quotas.key] = {"edited_rows": {}, "added_rows": rows, "deleted_rows": []}
    at.button(key="FormSubmitter:assign_params-试运行 Dry run").click().run()
    assert not at.exception, at.exception
    pairs = _editor(at, "assign_pairs_").value
    assert list(pairs["城市 city"]).count("洛阳市") == 1 and len(pairs) == 3
    assert "限额已用完" in _table(at, "原因 reason")["原因 reason"].iloc[0]

    _committed_world(store)  # another run takes the same needs meanwhile
    at.button(key="assign_commit").click().run()
    assert not at.exception, at.exception
    assert "方案已过时" in "\n".join(str(t.value) for t in at.text)
    assert "need_served" in set(_table(at, "problem")["problem"])
    assert len(_assignments(store)) == 4  # the other run's only


@pytest.mark.parametrize("username", ["soc", "ent"])
def test_societies_and_enterprises_never_see_these_pages(world: World, username: str) -> None:
    at = logged_in(username)
    nav = at.sidebar.radio(key="nav")
    assert ASSIGN not in nav.options and SERVICES not in nav.options
    assert "批量分配" not in texts(at)
