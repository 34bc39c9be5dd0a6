"""The staff console's browsing and admin pages (AppTest), driven as staff and admin would:
needs browser (filters, sort, paging, why no matches, match now), matches browser,
conflicts (add, delete, import), audit (filters, targets by name), and the admin's user
management; and who may see these pages at all."""

from __future__ import annotations

import engine
import pandas as pd
import pytest
from filelock import FileLock
from sqlalchemy import select

from matcher.config import Settings
from matcher.db import Store
from matcher.matching.refresher import RERANK_LOCK
from matcher.models import AuditEvent, ConflictOfInterest, Enterprise, NeedStatus, TechNeed, User
from tests.api.conftest import World, build_world, make_need
from tests.matching.factories import edit_profile
from tests.ui.test_streamlit_app import logged_in, open_page, texts

pytestmark = pytest.mark.slow
STAFF_ONLY = ("匹配 Matches", "利益冲突 Conflicts", "审计 Audit", "需求 Needs")
CSV = "text/csv"


@pytest.fixture
def world(store: Store, settings: Settings) -> World:
    return build_world(store, settings)


def _can_log_in(username: str, password: str) -> bool:
    at = logged_in(username, password)
    return "username" not in [t.key for t in at.text_input]


def _table(at, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _column(at, column: str) -> list:
    return list(_table(at, column)[column])


def _plain(at) -> str:
    return "\n".join(str(t.value) for t in at.text)


def _open_need(store: Store, ext: str, title: str, description: str) -> None:
    """An imported need nobody has ranked yet."""
    with store.transaction() as s:
        ent = s.scalar(select(Enterprise).where(Enterprise.external_id == "E1"))
        need = make_need(s, ext, ent, title, description, [])
        need.status = NeedStatus.OPEN


def test_needs_browser_filters_sorts_and_pages(world: World) -> None:
    at = open_page(logged_in("staff"), "需求 Needs")
    assert sorted(_column(at, "编号 id")) == ["N1", "N2", "N3", "N4"]
    assert "共 4 条" in texts(at)
    at.selectbox(key="filter_city").select("洛阳市").run()
    assert sorted(_column(at, "编号 id")) == ["N3", "N4"]
    at.selectbox(key="filter_city").select("全部 all").run()
    at.selectbox(key="filter_society").select("河南省机械工程学会（S1）").run()
    assert sorted(_column(at, "编号 id")) == ["N1", "N2"]
    at.selectbox(key="filter_society").select("全部 all").run()
    at.number_input(key="filter_score_min").set_value(0.65).run()
    assert sorted(_column(at, "编号 id")) == ["N1", "N3"]
    at.number_input(key="filter_score_min").set_value(None).run()
    at.selectbox(key="needs_sort").set_value("score_asc").run()
    assert _column(at, "编号 id") == ["N2", "N4", "N3", "N1"]
    assert _column(at, "最高分 best score") == [0.5, 0.6, 0.7, 0.8]
    at.selectbox(key="needs_size").select(25).run()
    at.number_input(key="needs_page").set_value(2).run()
    assert _column(at, "编号 id") == []
    assert "第 2/1 页" in texts(at)
    at.number_input(key="needs_page").set_value(1).run()
    at.text_input(key="filter_q").input("催化").run()
    assert _column(at, "编号 id") == ["N4"]
    assert len(at.get("download_button")) == 2  # the table as CSV and xlsx


def test_match_now_for_chosen_and_for_every_unmatched_need(world: World, store: Store) -> None:
    _open_need(store, "N5", "焊缝缺陷检测", "机器人焊接焊缝气孔裂纹检测，需要焊接工艺与检测方法")
    _open_need(store, "N6", "高分子复合材料改性", "耐高温高分子复合材料配方改性与催化工艺")
    at = open_page(logged_in("staff"), "需求 Needs")
    at.selectbox(key="filter_status").select("open").run()
    assert sorted(_column(at, "编号 id")) == ["N5", "N6"]
    assert set(_column(at, "未匹配原因 why no matches")) == {
        "尚未匹配：可点「立即匹配」/ not matched yet: use “match now”"
    }
    at.multiselect(key="match_chosen").select("N5 焊缝缺陷检测").run()
    at.button(key="match_selected").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        "已匹配 1 条，需补充信息 0 条 / 1 matched, 0 need more detail"
    ]
    assert _column(at, "编号 id") == ["N6"]  # N5 is no longer open
    at.button(key="match_all").click().run()
    assert not at.exception, at.exception
    assert "已匹配 1 条" in at.success[0].value
    assert _column(at, "编号 id") == []
    with store.transaction() as s:
        statuses = dict(
            s.execute(
                select(TechNeed.external_id, TechNeed.status).where(
                    TechNeed.external_id.in_(["N5", "N6"])
                )
            ).all()
        )
        assert statuses == {"N5": NeedStatus.MATCHED, "N6": NeedStatus.MATCHED}
    at.selectbox(key="filter_status").select("全部 all").run()
    at.selectbox(key="filter_society").select("河南省机械工程学会（S1）").run()
    assert "N5" in _column(at, "编号 id")  # its best society is the welding one


def test_a_vague_need_says_what_to_add(world: World, store: Store) -> None:
    _open_need(store, "N7", "求助", "有问题")
    at = open_page(logged_in("staff"), "需求 Needs")
    at.button(key="match_all").click().run()
    assert "需补充信息 1 条" in at.success[0].value
    at.text_input(key="filter_q").input("求助").run()
    assert _column(at, "状态 status") == ["needs_detail"]
    assert _column(at, "未匹配原因 why no matches")[0].startswith("需求描述过于简略")


def test_matches_browser_filters(world: World) -> None:
    at = open_page(logged_in("staff"), "匹配 Matches")
    assert _column(at, "需求编号 need id") == ["N1", "N3", "N4", "N2"]  # best score first
    assert _column(at, "学会或专家 society or expert")[0] == "河南省机械工程学会"
    assert _column(at, "匹配关键词 matched keywords")[0] == "焊接"
    at.selectbox(key="matches_society").select("河南省化学会（S2）").run()
    assert _column(at, "需求编号 need id") == ["N3", "N4"]
    at.number_input(key="matches_score_min").set_value(0.65).run()
    assert _column(at, "需求编号 need id") == ["N3"]
    at.selectbox(key="matches_kind").select("专家 expert").run()
    assert _column(at, "需求编号 need id") == []
    assert "共 0 条" in texts(at)


def _conflicts_file(rows: str) -> tuple[str, bytes, str]:
    return ("冲突.csv", ("企业编号,专家编号,学会编号,原因\n" + rows).encode("utf-8-sig"), CSV)


def test_conflicts_add_delete_import(world: World, store: Store) -> None:
    at = open_page(logged_in("staff"), "利益冲突 Conflicts")
    at.selectbox(key="conflict_enterprise").select(
        next(o for o in at.selectbox(key="conflict_enterprise").options if "（E1）" in o)
    )
    at.text_input(key="conflict_reason").input("张工曾任该企业顾问")
    at.button(key="FormSubmitter:add_conflict-登记 Add").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已登记 / added"]
    assert _column(at, "专家或学会 expert or society") == ["张工（X1）"]
    assert _column(at, "企业 enterprise") == ["郑州重工机械有限公司（E1）"]

    at.button(key="conflict_delete").click().run()
    assert [s.value for s in at.success] == ["已删除 / deleted"]
    assert _column(at, "编号 id") == []

    bad = _conflicts_file("E1,X1,,顾问\nE9,X1,,不存在的企业\n")
    at.file_uploader(key="conflict_file").set_value(bad).run()
    at.button(key="conflict_import").click().run()
    assert not at.exception, at.exception
    assert "导入失败" in _plain(at)
    assert "E9" in _table(at, "reason").to_string()
    with store.transaction() as s:
        assert s.scalar(select(ConflictOfInterest.id)) is None  # all or nothing

    at.file_uploader(key="conflict_file").set_value(_conflicts_file("E2,,S1,学会曾参股\n")).run()
    at.button(key="conflict_import").click().run()
    assert [s.value for s in at.success] == ["新增 1 · 更新 0 · 未变 0"]
    assert _column(at, "专家或学会 expert or society") == ["河南省机械工程学会（S1）"]


def test_audit_shows_targets_by_name_and_filters(world: World, store: Store) -> None:
    _open_need(store, "N8", "焊缝检测", "焊接机器人焊缝在线检测方法")
    at = open_page(logged_in("staff"), "需求 Needs")
    at.button(key="match_all").click().run()
    open_page(at, "利益冲突 Conflicts")
    at.file_uploader(key="conflict_file").set_value(_conflicts_file("E2,,S1,学会曾参股\n")).run()
    at.button(key="conflict_import").click().run()
    open_page(at, "审计 Audit")
    labels = dict(zip(_column(at, "操作 action"), _column(at, "对象 target"), strict=True))
    assert labels["import"] == "1 × 利益冲突 conflicts（冲突.csv）"
    assert labels["match"] == "N8 · 焊缝检测"  # one need: by its id and title
    assert "None" not in "".join(_column(at, "对象 target"))
    at.selectbox(key="audit_action").select("import").run()
    assert _column(at, "操作 action") == ["import"]
    assert _column(at, "操作者 actor") == ["staff"]


def test_admin_manages_users(world: World, store: Store) -> None:
    at = open_page(logged_in("admin"), "用户管理 Users")
    assert "soc" in _column(at, "用户名 username")
    at.selectbox(key="new_user_role").select("society").run()
    at.selectbox(key="new_user_bound").select("河南省化学会（S2）").run()
    at.text_input(key="new_user_name").input("chem-lead")
    at.text_input(key="new_user_pw").input("Hx-2026-secret!")
    at.button(key="FormSubmitter:create_user-创建 Create").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已创建 created: chem-lead"]
    table = _table(at, "用户名 username")
    row = table[table["用户名 username"] == "chem-lead"].iloc[0]
    assert (row["角色 role"], row["绑定 bound to"]) == ("society", "河南省化学会")
    assert "Hx-2026-secret!" not in _plain(at) + texts(at) + table.to_string()
    assert _can_log_in("chem-lead", "Hx-2026-secret!")

    at.text_input(key="new_user_name").input("weak")
    at.text_input(key="new_user_pw").input("123")
    at.button(key="FormSubmitter:create_user-创建 Create").click().run()
    assert "密码不符合要求" in _plain(at)

    at.selectbox(key="active_user").select("chem-lead").run()
    at.button(key="active_False").click().run()
    assert "停用 Disable: chem-lead" in at.success[0].value
    assert not _can_log_in("chem-lead", "Hx-2026-secret!")

    at.selectbox(key="active_user").select("chem-lead").run()
    at.button(key="active_True").click().run()
    at.selectbox(key="reset_user").select("chem-lead").run()
    at.text_input(key="reset_pw").input("New-pass-2026#")
    at.button(key="FormSubmitter:reset_password-重置 Reset").click().run()
    assert "密码已重置 password reset: chem-lead" in at.success[0].value
    assert _can_log_in("chem-lead", "New-pass-2026#")

    at.selectbox(key="role_user").select("admin").run()
    at.button(key="role_change").click().run()
    assert "不能更改自己的账号" in _plain(at)  # no admin demotes themselves
    with store.transaction() as s:
        events = s.scalars(select(AuditEvent.action).where(AuditEvent.actor_label == "admin"))
        assert {"user_created", "user_disabled", "user_enabled", "password_changed"} <= set(events)
        assert s.scalar(select(User.is_active).where(User.username == "chem-lead"))


@pytest.mark.parametrize("username", ["ent", "soc", "staff"])
def test_who_sees_the_console_pages(world: World, username: str) -> None:
    at = logged_in(username)
    pages = at.sidebar.radio(key="nav").options
    assert "用户管理 Users" not in pages
    if username == "staff":
        assert set(STAFF_ONLY) <= set(pages)
    else:
        assert not set(STAFF_ONLY) & set(pages)


def test_overview_says_whether_matches_are_current(
    world: World, store: Store, settings: Settings
) -> None:
    """Staff see the index the matches are ranked on: stored matches to update while some
    need's results come from another version (the world's are made by hand), current once
    they re-ranked them from the page, then pending after a profile edit the refresher has
    seen but not built, then current again on a new version."""
    at = logged_in("staff")
    state = engine.app_state(settings)
    refresher = state.refresher
    refresher.stop()  # this test takes the refresher's steps itself
    refresher.check()
    at.run()
    assert "4 needs left ranked on an older version" in "\n".join(i.value for i in at.info)
    assert not at.success
    with FileLock(str(settings.index_dir / RERANK_LOCK)):  # another process re-ranks them
        at.run()
        offered = [b for b in at.button if b.key == "rerank_stale"]
        assert bool(offered) == (store.engine.dialect.name != "sqlite")  # (PG: shared out)
    at.run()
    at.button(key="rerank_stale").click().run()  # staff re-rank them now
    successes = "\n".join(s.value for s in at.success)
    assert "4 needs re-ranked" in successes and "最新" in successes
    assert not [b for b in at.button if b.key == "rerank_stale"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已索引专家 experts indexed"] == "2"
    before = state.index_status.name
    assert before in texts(at)

    edit_profile(store, "长期从事焊接机器人、激光焊接与焊缝视觉检测研究", external_id="X1")
    refresher.build = False  # it sees the edit, builds nothing
    refresher.check()
    at.run()
    assert "等待刷新" in "\n".join(w.value for w in at.warning)
    assert not at.success

    refresher.build = True
    assert refresher.check()
    at.run()
    assert "最新" in "\n".join(s.value for s in at.success)
    assert state.index_status.name != before and state.index_status.name in texts(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["建成用时 build took"].endswith(" s")


def test_overview_counts_the_needs_still_to_re_rank(
    world: World, store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the refresher re-ranks stored matches on a new version, staff see how many
    needs are left; the caption says new rankings and stored matches apart."""
    from matcher.matching import results

    at = logged_in("staff")
    refresher = engine.app_state(settings).refresher
    refresher.stop()
    refresher.check()
    refresher.rerank()  # (the world's stored matches are made by hand)
    edit_profile(store, "长期从事焊接机器人、激光焊接与焊缝视觉检测研究", external_id="X1")
    shown: list[str] = []
    match_many = results._match_many

    def looked_at_meanwhile(*args):  # staff open the overview while a batch is re-ranked
        at.run()
        shown.extend(i.value for i in at.info)
        return match_many(*args)

    monkeypatch.setattr(results, "_match_many", looked_at_meanwhile)
    assert refresher.check()
    assert any("needs left ranked on an older version" in t for t in shown), shown
    monkeypatch.undo()
    at.run()
    assert "最新" in "\n".join(s.value for s in at.success)
    captions = "\n".join(c.value for c in at.caption)
    assert "stored matches such as societies' leads follow" in captions
