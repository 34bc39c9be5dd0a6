"""The staff import page (AppTest): a sheet with headers the form does not have is shown as
a mapping table and a preview; staff map the columns, import, save the mapping by name and
reuse it on the next upload. And the staff needs browser's filters, the enterprise's form
fields."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from matcher.config import Settings
from matcher.db import Store
from matcher.models import ImportMapping, TechNeed
from tests.api.conftest import World, build_world
from tests.imports.form_sheets import unfamiliar, write_xlsx
from tests.ui.test_streamlit_app import logged_in, open_page

pytestmark = pytest.mark.slow
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(store: Store, settings: Settings) -> World:
    return build_world(store, settings)


@pytest.fixture
def sheet(tmp_path: Path) -> bytes:
    columns, needs = unfamiliar()
    return write_xlsx(tmp_path / "汇总表.xlsx", needs, columns).read_bytes()


def _upload(at, sheet: bytes):
    if at.sidebar.radio(key="nav").value != "导入 Import":
        open_page(at, "导入 Import")
    at.selectbox(key="import_kind").select("needs")
    at.run()
    at.file_uploader(key="import_file").set_value(("汇总表.xlsx", sheet, XLSX))
    at.run()
    assert not at.exception, at.exception
    return at


def _mapping_rows(at) -> dict[str, object]:
    [editor] = at.data_editor
    table = editor.value
    fields = [None if pd.isna(f) else f for f in table["字段 field"]]  # empty cells read NaN
    return dict(zip(table["列 column"], fields, strict=True))


def _map_unknown_columns(at) -> None:
    """Pick fields in the mapping table as staff would (AppTest seeds the editor's edits)."""
    [editor] = at.data_editor
    labels = list(editor.value["列 column"])
    at.session_state[editor.key] = {
        "edited_rows": {
            labels.index("申报单位名称"): {"字段 field": "enterprise_name"},
            labels.index("需求背景"): {"字段 field": "ignore"},
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()


def _table(at, column: str):
    """The (read-only) table that has ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _plain_texts(at) -> str:
    return "\n".join(str(t.value) for t in at.text)


def test_map_preview_import_save_and_reuse_a_mapping(world, store, sheet) -> None:
    at = _upload(logged_in("staff"), sheet)
    rows = _mapping_rows(at)
    assert rows["申报单位名称"] is None and rows["需求背景"] is None  # unknown: to be mapped
    assert rows["技术需求名称"] == "title" and rows["需求时限 > 开始年限"] == "start_year"
    problems = list(_table(at, "问题 problems")["问题 problems"])
    assert [p.split(": ")[0] for p in problems] == [
        "汇总表.xlsx:3:申报单位名称",
        "汇总表.xlsx:3:需求背景",
    ]

    at.button(key="run_import").click().run()  # importing before mapping is refused
    errors = _table(at, "reason")
    assert list(errors["field"]) == ["申报单位名称", "需求背景"]
    assert "导入失败" in _plain_texts(at)
    with store.transaction() as s:
        assert s.scalar(select(TechNeed.id).where(TechNeed.title == "激光切割精度提升")) is None

    _map_unknown_columns(at)
    assert not at.exception, at.exception
    preview = _table(at, "行 row")
    assert "申报单位名称 → enterprise_name" in preview.columns
    assert list(preview["申报单位名称 → enterprise_name"])[:2] == ["郑州精工有限公司"] * 2
    assert "需求背景 → ignore" in preview.columns
    assert not at.warning  # nothing left to fix

    at.button(key="run_import").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["新增 4 · 更新 0 · 未变 0"]
    at.text_input(key="mapping_name").input("市科协汇总表")
    at.button(key="save_mapping").click().run()
    assert "映射已保存 / mapping saved" in [s.value for s in at.success]
    with store.transaction() as s:
        saved = s.scalar(select(ImportMapping).where(ImportMapping.name == "市科协汇总表"))
        assert saved.mapping == {"申报单位名称": "enterprise_name", "需求背景": "ignore"}
        assert (saved.kind, saved.created_by) == ("needs", "staff")

    # a new session: the saved mapping is offered and applied
    again = open_page(logged_in("staff"), "导入 Import")
    again.selectbox(key="import_kind").select("needs").run()
    again.selectbox(key="saved_mapping").select("市科协汇总表").run()
    _upload(again, sheet)
    rows = _mapping_rows(again)
    assert (rows["申报单位名称"], rows["需求背景"]) == ("enterprise_name", "ignore")
    again.button(key="run_import").click().run()
    assert [s.value for s in again.success] == ["新增 0 · 更新 0 · 未变 4"]


def test_a_bad_mapping_name_is_shown_as_plain_text(world, sheet) -> None:
    at = _upload(logged_in("staff"), sheet)
    at.text_input(key="mapping_name").input("a/b")
    at.button(key="save_mapping").click().run()
    assert not at.exception
    assert "映射名称应为 1–100 个字符" in _plain_texts(at)


def test_staff_filter_needs_by_the_form_fields(world, store, sheet) -> None:
    at = _upload(logged_in("staff"), sheet)
    _map_unknown_columns(at)
    at.button(key="run_import").click().run()
    assert not at.exception, at.exception

    def titles() -> list[str]:
        return sorted(_table(at, "需求 title")["需求 title"])

    open_page(at, "需求 Needs")
    assert "材料科学" in at.selectbox(key="filter_discipline").options
    at.selectbox(key="filter_discipline").select("机械工程").run()
    assert titles() == ["激光切割精度提升"]
    at.selectbox(key="filter_discipline").select("全部 all").run()
    at.selectbox(key="filter_solution_mode").select("合作研发").run()
    assert titles() == ["高强钢焊接工艺优化"]
    at.selectbox(key="filter_solution_mode").select("全部 all").run()
    at.number_input(key="filter_budget_min").set_value(40.0).run()
    at.number_input(key="filter_budget_max").set_value(100.0).run()
    assert titles() == ["高强钢焊接工艺优化"]
    at.selectbox(key="filter_application_industry").select("农业").run()
    assert titles() == []


def test_an_enterprise_posts_a_need_with_form_fields(world, store) -> None:
    at = logged_in("ent")
    at.text_input(key="need_title").input("激光熔覆涂层开裂")
    at.text_area(key="need_description").input("轴类零件激光熔覆后涂层开裂，需要工艺改进")
    at.text_input(key="need_discipline").input("材料科学")
    at.text_input(key="need_industry").input("通用设备制造业")
    at.selectbox(key="need_mode").select("委托研发")
    at.text_input(key="need_budget").input("很多")
    at.button(key="FormSubmitter:post_need-发布并匹配 Post and match").click().run()
    assert not at.exception
    assert "budget: 应为金额（万元）" in _plain_texts(at)
    assert not at.success

    at.text_input(key="need_budget").input("0.5亿")
    at.button(key="FormSubmitter:post_need-发布并匹配 Post and match").click().run()
    assert [s.value for s in at.success] == ["需求已发布 / need posted"]
    with store.transaction() as s:
        need = s.scalar(select(TechNeed).where(TechNeed.title == "激光熔覆涂层开裂"))
        assert (need.discipline, need.application_industry) == ("材料科学", "通用设备制造业")
        assert (need.solution_mode, need.budget) == ("委托研发", 5000.0)
