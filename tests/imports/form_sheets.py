"""Need-collection summary sheets (企业技术需求征集表 merged into one sheet) built the way
staff receive them: a title row, a two-row header with merged cells (技术需求概述 over
主要问题 / 技术关键 / 预期目标, 需求时限 over 开始年限 / 结束年限, 关键字 over five columns),
a 序号 column, the enterprise's details repeated on every need, and a notes row at the end.
Written as .xlsx (openpyxl, merged cells) or as the GBK CSV that WPS saves from it."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

TITLE = "2022年河南省企业技术需求汇总表"
NOTES = ["注：1. 本表由各省辖市科协汇总报送；", "2. 拟投入资金以万元为单位。"]

# (top row, second row): a top label over several second-row labels is a merged group; a
# top label with no second-row label is merged down over both rows
COLUMNS: list[tuple[str | None, str | None]] = [
    ("序号", None),
    ("机构全称", None),
    ("统一社会信用代码", None),
    ("归口管理部门", None),
    ("通讯地址", None),
    ("所在地域", None),
    ("网址", None),
    ("电子信箱", None),
    ("法人代表", None),
    ("邮政编码", None),
    ("联系人", None),
    ("联系人移动电话", None),
    ("固定电话", None),
    ("传真", None),
    ("机构属性", None),
    ("机构简介", None),
    ("技术需求名称", None),
    ("需求时限", "开始年限"),
    (None, "结束年限"),
    ("技术需求概述", "主要问题"),
    (None, "技术关键"),
    (None, "预期目标"),
    ("拟投入资金总额（万元）", None),
    ("技术需求解决方式", None),
    ("合作意向单位", None),
    ("科技活动类型", None),
    ("学科分类", None),
    ("需求技术所属领域", None),
    ("关键字", "关键字1"),
    (None, "关键字2"),
    (None, "关键字3"),
    (None, "关键字4"),
    (None, "关键字5"),
    ("需求技术应用行业", None),
]

JINGGONG = {
    "机构全称": "郑州精工有限公司",
    "统一社会信用代码": "91350100M000100Y43",
    "归口管理部门": "郑州市科学技术协会",
    "通讯地址": "郑州市金水区花园路 1 号",
    "所在地域": "河南省郑州市",
    "网址": "www.jinggong.example.cn",
    "电子信箱": "jg@jinggong.example.cn",
    "法人代表": "赵一",
    "邮政编码": "450000",
    "联系人": "王工",
    "联系人移动电话": 13800138000,
    "固定电话": "0371-66668888",
    "传真": "0371-66668889",
    "机构属性": "企业",
    "机构简介": "专业从事高端装备制造。",
}
XINCAILIAO = {
    "机构全称": "洛阳新材料（集团）股份有限公司",
    "统一社会信用代码": "91110000802100433B",
    "所在地域": "洛阳",
    "联系人": "李工",
    "固定电话": "0379-12345678",  # no mobile: the landline is the contact phone
    "机构属性": "企业",
}
NONGJI = {  # no credit code: found and created by its name
    "机构全称": "南阳市农机服务中心有限公司",
    "所在地域": "南阳市",
    "联系人": "周工",
    "联系人移动电话": "139 0000 0000",
}

NEEDS: list[dict[str, Any]] = [
    JINGGONG
    | {
        "技术需求名称": "高强钢焊接工艺优化",
        "开始年限": 2022,
        "结束年限": "2024年",
        "主要问题": "高强钢焊缝易开裂",
        "技术关键": "焊接热输入控制",
        "预期目标": "焊缝无裂纹，强度达母材 90%",
        "拟投入资金总额（万元）": "50万元",
        "技术需求解决方式": "合作研发",
        "合作意向单位": "郑州大学",
        "科技活动类型": "应用研究",
        "学科分类": "材料科学",
        "需求技术所属领域": "先进制造、新材料",
        "关键字1": "焊接",
        "关键字2": "高强钢",
        "关键字3": "焊缝",
        "需求技术应用行业": "通用设备制造业",
    },
    JINGGONG
    | {
        "技术需求名称": "激光切割精度提升",
        "开始年限": datetime(2022, 3, 1),  # a date cell
        "结束年限": "2023.12",
        "主要问题": "厚板切口挂渣",
        "预期目标": "切口粗糙度 Ra ≤ 6.3",
        "拟投入资金总额（万元）": "0.5亿",
        "技术需求解决方式": "委托研发",
        "科技活动类型": "试验发展",
        "学科分类": "机械工程",
        "需求技术所属领域": "先进制造",
        "关键字1": "激光切割",
        "关键字2": "厚板",
        "关键字3": "挂渣",
        "关键字4": "精度",
        "关键字5": "光束质量",
        "需求技术应用行业": "金属制品业",
    },
    XINCAILIAO
    | {
        "技术需求名称": "稀土永磁材料耐腐蚀涂层",
        "开始年限": "2022年3月",
        "结束年限": "2022/12",
        "主要问题": "磁体在湿热环境下腐蚀",
        "技术关键": "涂层致密性",
        "拟投入资金总额（万元）": "面议",
        "技术需求解决方式": "其他",
        "学科分类": "化学工程",
        "需求技术所属领域": "新材料；表面工程",
        "关键字1": "稀土永磁",
        "关键字2": "涂层",
        "需求技术应用行业": "电气机械和器材制造业",
    },
    NONGJI
    | {
        "技术需求名称": "丘陵地区小麦收获机改进",
        "开始年限": 2023,
        "结束年限": 2025,
        "主要问题": "坡地收获损失率高",
        "拟投入资金总额（万元）": 30,
        "技术需求解决方式": "独立研发",
        "科技活动类型": "技术推广与科技服务",
        "学科分类": "农业工程",
        "需求技术所属领域": "智能农机",
        "关键字1": "小麦收获",
        "关键字2": "丘陵",
        "需求技术应用行业": "农业",
    },
]


def unfamiliar() -> tuple[list[tuple[str | None, str | None]], list[dict[str, Any]]]:
    """(columns, needs) of the summary in another province's wording: 申报单位名称 for
    机构全称, and a 需求背景 column the form does not have (both unrecognised)."""
    columns = [("申报单位名称", None) if c == ("机构全称", None) else c for c in COLUMNS]
    columns.insert(17, ("需求背景", None))
    needs = [
        {("申报单位名称" if k == "机构全称" else k): v for k, v in n.items()} | {"需求背景": "…"}
        for n in NEEDS
    ]
    return columns, needs


def label(col: tuple[str | None, str | None]) -> str:
    """The key a need's dict uses for a column: its second-row label, else its top label."""
    top, sub = col
    return sub or top or ""


def grid(
    needs: Sequence[dict[str, Any]], columns: Sequence[tuple[str | None, str | None]] = COLUMNS
) -> list[list[Any]]:
    """The sheet's cells row by row: title, the two header rows, the needs, the notes."""
    width = len(columns)
    rows: list[list[Any]] = [[TITLE] + [None] * (width - 1)]
    rows.append([top for top, _ in columns])
    rows.append([sub for _, sub in columns])
    for number, need in enumerate(needs, start=1):
        rows.append([number if label(c) == "序号" else need.get(label(c)) for c in columns])
    rows += [[note] + [None] * (width - 1) for note in NOTES]
    return rows


def write_xlsx(
    path: Path,
    needs: Sequence[dict[str, Any]] = NEEDS,
    columns: Sequence[tuple[str | None, str | None]] = COLUMNS,
) -> Path:
    """The summary as Excel saves it: the title, groups, single headers and notes merged."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    cells = grid(needs, columns)
    for row in cells:
        sheet.append(row)
    width = len(columns)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    col = 0
    while col < width:
        sub = columns[col][1]
        if sub is None:  # one header over both rows
            sheet.merge_cells(start_row=2, start_column=col + 1, end_row=3, end_column=col + 1)
            col += 1
            continue
        end = col + 1
        while end < width and columns[end][0] is None:
            end += 1
        if end - col > 1:  # a group over several columns
            sheet.merge_cells(start_row=2, start_column=col + 1, end_row=2, end_column=end)
        col = end
    for number in range(len(cells) - len(NOTES) + 1, len(cells) + 1):
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    workbook.save(path)
    return path


def _wps_text(value: Any) -> str:
    """A cell as WPS writes it to CSV: what the cell shows."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value.year}/{value.month}/{value.day}"
    return str(value)


def write_wps_csv(
    path: Path,
    needs: Sequence[dict[str, Any]] = NEEDS,
    columns: Sequence[tuple[str | None, str | None]] = COLUMNS,
) -> Path:
    """The same sheet saved by WPS as CSV: GBK, CRLF, merged cells as their first cell and
    blanks, multi-line cells quoted."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows([_wps_text(v) for v in row] for row in grid(needs, columns))
    path.write_bytes(buf.getvalue().encode("gbk"))
    return path
