"""The yearly report as a short Chinese .docx (百会链千企年度工作报告·数据摘要).

Sections: 一、总体情况 · 二、服务活动 · 三、分地区情况 · 四、重点产业链 · 五、平台建设 ·
六、说明. Key figures are stated against the goals; the charts (PNG, ``charts``) follow
their tables.
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from matcher.documents.layout import NUMERALS, a4_styles, table, xml_safe
from matcher.report import tables
from matcher.report.charts import cjk_font, report_charts
from matcher.report.service import ProgrammeReport

SECTIONS = ("总体情况", "服务活动", "分地区情况", "重点产业链", "平台建设", "说明")


def title_of(report: ProgrammeReport) -> str:
    return f"“百会链千企”{report.round_name}年度工作报告（数据摘要）"


def _cells(rows: list[list]) -> list[list[str]]:
    return [["" if v is None else xml_safe(_number(v)) for v in row] for row in rows]


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else f"{value:.1f}"
    return str(value)


def _section(doc, index: int) -> None:
    doc.add_heading(f"{NUMERALS[index]}、{SECTIONS[index]}", level=1)


def _chart(doc, caption: str, png: bytes) -> None:
    doc.add_picture(io.BytesIO(png), width=Cm(15.0))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(caption).alignment = WD_ALIGN_PARAGRAPH.CENTER


def _percent(value: int, goal: int) -> str:
    return f"{100 * value / goal:.0f}%" if goal else "—"


def overview(report: ProgrammeReport) -> str:
    """The key figures in one paragraph."""
    f = report.figures
    t = f.totals
    return (
        f"{report.round_name}年度，共有{t.societies_engaged}个学会参与“百会链千企”行动"
        f"（目标约{f.goal_societies}个，完成{_percent(t.societies_engaged, f.goal_societies)}），"
        f"结对服务企业{t.enterprises_paired}家（目标约{f.goal_enterprises}家，完成"
        f"{_percent(t.enterprises_paired, f.goal_enterprises)}），其中链主企业"
        f"{t.chain_leaders_paired}家；开展服务活动{t.activities}次，志愿服务时长"
        f"{_number(t.volunteer_hours)}小时；解决企业技术需求{t.needs_solved}项；新建学会专家"
        f"工作站{t.workstations}个，记录平台建设活动{t.platforms}次。"
    )


def render_report(report: ProgrammeReport, generated_on: date) -> bytes:
    """The .docx bytes of the yearly report."""
    f = report.figures
    named = {title: (headers, rows) for title, headers, rows in tables.report_tables(f)}
    charts = report_charts(f)
    doc = Document()
    a4_styles(doc)
    doc.core_properties.title = title_of(report)
    doc.core_properties.author = "百会链千企"
    doc.core_properties.language = "zh-CN"
    doc.add_paragraph(title_of(report), style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    line = doc.add_paragraph(f"统计年度：{report.year}　　生成日期：{generated_on.isoformat()}")
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER

    _section(doc, 0)
    doc.add_paragraph(overview(report))
    table(doc, *_with_cells(named[tables.SUMMARY]), [7.0, 4.0, 4.4])
    _section(doc, 1)
    table(doc, *_with_cells(named[tables.TYPES]), [9.0, 6.4])
    _chart(doc, *charts[0])
    _chart(doc, *charts[1])
    _section(doc, 2)
    table(doc, *_with_cells(named[tables.CITIES]))
    _chart(doc, *charts[2])
    _section(doc, 3)
    table(doc, *_with_cells(named[tables.INDUSTRIES]))
    _chart(doc, *charts[3])
    _section(doc, 4)
    doc.add_paragraph(
        f"本年度新建学会专家工作站{f.totals.workstations}个；"
        "以“平台建设”类型记录的服务活动按平台类型统计如下："
    )
    table(doc, *_with_cells(named[tables.PLATFORMS]), [9.0, 6.4])
    _section(doc, 5)
    doc.add_paragraph(
        "结对企业和参与学会按本轮次生效（含已结束）的结对统计，参与学会另含有服务活动记录"
        "的学会；服务活动不含企业提出异议的记录；解决需求按当年完成的服务统计；"
        "城市和重点产业按服务企业所在城市及其所属重点产业链归类。"
    )
    if cjk_font() is None:
        doc.add_paragraph("注：生成本报告的服务器未安装中文字体，图中标签以英文和拼音标注。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _with_cells(entry: tuple[list[str], list[list]]) -> tuple[list[str], list[list[str]]]:
    headers, rows = entry
    return headers, _cells(rows)
