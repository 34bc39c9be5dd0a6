"""Units behind the need-collection form import: finding the table in a sheet, naming its
columns, the form fields' parsers and the enterprise-name key."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.errors import InvalidInputError
from matcher.imports.columns import KINDS
from matcher.imports.headers import IGNORE, HeaderLookup, load_mapping, resolve_headers
from matcher.imports.layout import column_letter, combine_header_rows, find_layout
from matcher.imports.needsheet import company_key
from matcher.imports.validators import (
    CellInvalid,
    parse_activity_type,
    parse_budget,
    parse_solution_mode,
    parse_time_frame,
    parse_year,
)
from tests.imports.form_sheets import NEEDS, grid

NEEDS_LOOKUP = HeaderLookup(KINDS["needs"])


def _layout(lines):
    return find_layout(lines, NEEDS_LOOKUP.knows)


# ---- the table in a sheet ----------------------------------------------------------------


def test_the_form_sheet_title_two_row_header_and_notes_are_found() -> None:
    layout = _layout(grid(NEEDS))
    assert layout.header_row == 3
    assert [n for n, _ in layout.rows] == [4, 5, 6, 7]
    assert layout.notes == [8, 9]
    labels = [label for label in layout.labels if label]
    assert labels[:3] == ["序号", "机构全称", "统一社会信用代码"]
    assert "需求时限 > 开始年限" in labels and "技术需求概述 > 技术关键" in labels
    assert "关键字 > 关键字5" in labels and "拟投入资金总额（万元）" in labels
    assert all(NEEDS_LOOKUP.knows(label) for label in labels)


def test_a_tidy_file_keeps_its_first_row_as_the_header() -> None:
    lines = [["编号", "需求名称", "关键字"], ["N1", "合计", "焊接"], ["N2", "乙", None]]
    layout = _layout(lines)
    assert (layout.header_row, [n for n, _ in layout.rows], layout.notes) == (1, [2, 3], [])


def test_a_merged_header_cell_over_data_columns_names_each_of_them() -> None:
    lines = [
        ["2023年需求汇总表", None, None, None, None, None],
        ["填报单位：郑州市科协", None, None, "填报日期：2023年3月", None, None],
        [None, None, None, None, None, None],
        ["序号", "单位名称", "需求名称", "关键字", None, None, None],
        [1, "甲公司", "甲", "焊接", "激光", None, "备用"],
        [2, "乙公司", "乙", "涂层", None, None, None],
        ["合计", None, None, None, None, None],
        ["填表说明", None, None, None, None, None],
        ["1. 关键字不超过五个", None, None, None, None, None],
    ]
    layout = _layout(lines)
    assert layout.header_row == 4
    # a column with data right of the merged cell's columns is that cell's; one past an
    # unused column is not
    assert layout.labels == ["序号", "单位名称", "需求名称", "关键字", "关键字(2)", "", "第G列"]
    assert [n for n, _ in layout.rows] == [5, 6]
    assert layout.notes == [7, 8, 9]
    headers = resolve_headers(KINDS["needs"], layout.labels, "f.csv", NEEDS_LOOKUP)
    assert [c.name for c in headers.columns.values()] == [
        *("enterprise_name", "title", "keywords", "keywords")
    ]
    assert (headers.unknown, headers.ignored) == (["第G列"], ["序号"])


def test_a_data_column_without_any_header_is_named_by_its_letter() -> None:
    layout = _layout([[None, "需求名称", "编号"], ["x", "甲", "N1"]])
    assert layout.labels == ["第A列", "需求名称", "编号"]
    assert column_letter(0) == "A" and column_letter(26) == "AA" and column_letter(701) == "ZZ"


def test_a_short_row_before_the_notes_stays_a_data_row() -> None:
    lines = [["编号", "需求名称", "关键字"], ["N1", "甲", "焊接"], ["N2", "乙", None], ["注：无"]]
    layout = _layout(lines)
    assert ([n for n, _ in layout.rows], layout.notes) == ([2, 3], [4])


def test_with_nothing_known_the_first_row_of_two_cells_is_the_header() -> None:
    layout = find_layout([["标题"], ["a", "b"], ["1", "2"]], lambda _label: False)
    assert (layout.header_row, layout.labels) == (2, ["a", "b"])
    assert find_layout([], lambda _label: True).labels == []


def test_two_header_rows_combine_into_group_labels() -> None:
    top = ["序号", "技术需求概述", None, None, "需求时限", None, "备注"]
    bottom = [None, "主要问题", "技术关键", "预期目标", "开始", "结束", None]
    assert combine_header_rows(top, bottom) == [
        "序号",
        "技术需求概述 > 主要问题",
        "技术需求概述 > 技术关键",
        "技术需求概述 > 预期目标",
        "需求时限 > 开始",
        "需求时限 > 结束",
        "备注",
    ]


def test_a_title_row_above_the_header_is_not_taken_as_a_group() -> None:
    lines = [["需求汇总表", None, None], ["编号", "需求名称", "关键字"], ["N1", "甲", "焊接"]]
    layout = _layout(lines)
    assert (layout.header_row, layout.labels) == (2, ["编号", "需求名称", "关键字"])


# ---- header labels → columns -----------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "column"),
    [
        ("机构全称", "enterprise_name"),
        ("单位名称", "enterprise_name"),
        ("所在地域", "city"),
        ("所在地区", "city"),
        ("联系人移动电话", "contact_phone"),
        ("手机", "contact_phone"),
        ("电子信箱", "email"),
        ("技术需求名称", "title"),
        ("技术需求概述 > 主要问题", "problem"),
        ("技术关键", "key_technology"),
        ("预期目标", "expected_goal"),
        ("需求时限", "time_frame"),
        ("需求时限 > 开始", "start_year"),
        ("结束年限", "end_year"),
        ("拟投入资金总额（万元）", "budget"),
        ("技术需求解决方式", "solution_mode"),
        ("合作意向单位", "partner"),
        ("科技活动类型", "activity_type"),
        ("学科分类", "discipline"),
        ("需求技术所属领域", "fields"),
        ("所属领域2", "fields"),
        ("关键字", "keywords"),
        ("关键字3", "keywords"),
        ("关键词（五）", "keywords"),
        ("关键字 > 1", "keywords"),
        ("需求技术应用行业", "application_industry"),
        ("固定电话", "landline"),
        ("序号", "ignore"),
        ("传真", "ignore"),
        ("法人代表", "ignore"),
        ("机构简介", "ignore"),
    ],
)
def test_form_headers_and_their_variants(label: str, column: str) -> None:
    assert NEEDS_LOOKUP.find(label).name == column


def test_numbered_labels_only_extend_list_columns() -> None:
    assert NEEDS_LOOKUP.find("技术需求名称2") is None
    assert NEEDS_LOOKUP.find("学科分类1") is None


def test_a_mapping_comes_before_the_aliases() -> None:
    lookup = HeaderLookup(KINDS["needs"], {"联系人": "ignore", "申报单位": "机构全称"})
    assert lookup.find("联系人") is IGNORE
    assert lookup.find("申报单位").name == "enterprise_name"
    with pytest.raises(InvalidInputError, match="choose one of external_id"):
        HeaderLookup(KINDS["needs"], {"x": "序号"})  # ignored headers are not fields


def test_mapping_files_in_toml_or_json() -> None:
    toml = '[columns]\n"申报单位" = "enterprise_name"\n'.encode()
    assert load_mapping("m.toml", toml) == {"申报单位": "enterprise_name"}
    assert load_mapping("m.json", '{"备注": "ignore"}'.encode()) == {"备注": "ignore"}
    with pytest.raises(InvalidInputError, match="field names"):
        load_mapping("m.json", b"[1, 2]")


def test_resolve_headers_says_which_layout_it_found() -> None:
    tidy = resolve_headers(KINDS["needs"], ["编号", "需求名称", "备注"], "f.csv")
    assert (tidy.form, tidy.one_sheet, tidy.unknown) == (False, False, ["备注"])
    form = resolve_headers(KINDS["needs"], ["序号", "单位名称", "需求名称", "x"], "f.csv")
    assert (form.form, form.one_sheet, form.unknown, form.ignored) == (True, True, ["x"], ["序号"])
    with pytest.raises(InvalidInputError, match="both mean title"):
        resolve_headers(KINDS["needs"], ["单位名称", "需求名称", "技术需求名称"], "f.csv")


# ---- form field parsers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-2024", (2022, 2024)),
        ("2022年-2024年", (2022, 2024)),
        ("2022.03-2024.12", (2022, 2024)),
        ("2022年3月至2024年12月", (2022, 2024)),
        ("2022~2024", (2022, 2024)),
        ("２０２２—２０２４", (2022, 2024)),
        ("2022-24", (2022, 2024)),
        ("2022年3月", (None, 2022)),
        ("2022.03", (None, 2022)),
        ("2022/3", (None, 2022)),
        (2022, (None, 2022)),
        (2022.03, (None, 2022)),
        (44621, (None, 2022)),  # Excel's serial of 2022-03-01
        ("44621", (None, 2022)),
        (datetime(2023, 5, 1, 8, 30), (None, 2023)),
        (date(2024, 1, 31), (None, 2024)),
        ("20220301", (None, 2022)),
        ("待定", None),
        ("长期", None),
        ("—", None),
    ],
)
def test_time_frames(value, expected) -> None:
    assert parse_time_frame(value) == expected


@pytest.mark.parametrize("value", ["三年", "2年", "明年", "2024-2022", "2020-2022-2024", "1900"])
def test_bad_time_frames(value) -> None:
    with pytest.raises(CellInvalid):
        parse_time_frame(value)


def test_a_year_column_holds_one_year() -> None:
    assert parse_year("2022年3月") == parse_year(44621) == parse_year("2022/3/1") == 2022
    assert parse_year("不限") is None
    with pytest.raises(CellInvalid, match="single year"):
        parse_year("2022-2024")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", 50.0),
        ("50万", 50.0),
        ("50万元", 50.0),
        ("５０万元", 50.0),
        ("50 万元", 50.0),
        ("0.5亿", 5000.0),
        ("1.2亿元", 12000.0),
        ("300000元", 30.0),
        ("1,000万", 1000.0),
        ("约100万元", 100.0),
        ("100万元以上", 100.0),
        ("人民币50万元", 50.0),
        ("¥50万", 50.0),
        (50, 50.0),
        (12.5, 12.5),
        (0, 0.0),
        ("面议", None),
        ("待定", None),
        ("暂无", None),
    ],
)
def test_budgets_in_wan_yuan(value, expected) -> None:
    assert parse_budget(value) == expected


@pytest.mark.parametrize("value", ["很多", "50-100万", "-5", -5, True, "50美元", "五十万"])
def test_bad_budgets(value) -> None:
    with pytest.raises(CellInvalid, match="万元"):
        parse_budget(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("独立研发", "独立研发"),
        ("自主研发", "独立研发"),
        (" 委托开发 ", "委托研发"),
        ("联合研发", "合作研发"),
        ("其它", "其他"),
        ("☑合作研发 □委托研发 □独立研发 □其他", "合作研发"),
        ("□独立研发 ■委托研发", "委托研发"),
        ("无", None),
    ],
)
def test_solution_modes(value, expected) -> None:
    assert parse_solution_mode(value) == expected


@pytest.mark.parametrize(
    "value", ["外包", "合作研发、委托研发", "☑合作研发 ☑委托研发", "□合作研发"]
)
def test_bad_solution_modes(value) -> None:
    with pytest.raises(CellInvalid, match="独立研发/委托研发/合作研发/其他"):
        parse_solution_mode(value)


def test_activity_types() -> None:
    assert parse_activity_type("研究与试验发展成果应用") == "研究与试验发展成果应用"
    assert parse_activity_type("R&D成果应用") == "研究与试验发展成果应用"
    assert parse_activity_type("技术推广和科技服务") == "技术推广与科技服务"
    assert parse_activity_type("生产性活动") == "生产性活动"
    with pytest.raises(CellInvalid, match="基础研究/应用研究"):
        parse_activity_type("研究")


@given(st.floats(min_value=0, max_value=1e7, allow_nan=False))
def test_a_number_is_an_amount_in_wan_yuan(amount: float) -> None:
    assert parse_budget(amount) == round(amount, 4)
    assert parse_budget(f"{amount:.2f}万元") == round(float(f"{amount:.2f}"), 4)


# ---- enterprise names ------------------------------------------------------------------


def test_company_key_ignores_width_brackets_and_spaces_but_not_the_legal_form() -> None:
    assert company_key("洛阳新材料（集团）股份有限公司") == company_key(
        "洛阳新材料(集团)股份有限公司"
    )
    assert company_key("洛阳新材料【集团】股份有限公司") == company_key(
        "洛阳 新材料(集团)股份有限公司"
    )
    assert company_key("ＡＢＣ科技有限公司") == company_key("abc科技有限公司")
    assert company_key("郑州精工有限公司") != company_key("郑州精工股份有限公司")
