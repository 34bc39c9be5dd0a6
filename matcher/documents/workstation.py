"""The workstation proposal as a Chinese .docx (学会专家工作站建站建议书).

Sections: 一、基本情况 · 二、前期服务情况 · 三、拟进站专家 · 四、合作方向与年度计划 ·
五、保障措施 · 六、签字盖章. Every table has a header row; the renderer reads nothing but its
arguments, so a document can never show another enterprise's data.
"""

from __future__ import annotations

import io
from dataclasses import asdict
from datetime import UTC, datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from matcher.documents.content import Heading, ProposalContent
from matcher.documents.layout import (
    EMPTY,
    HEADING_FONT,
    NUMERALS,
    a4_styles,
)
from matcher.documents.layout import font as _font
from matcher.documents.layout import table as _table
from matcher.documents.layout import xml_safe as _xml_safe
from matcher.documents.plan import directions, safeguards, yearly_plan

TITLE = "学会专家工作站建站建议书"
SECTIONS = ("基本情况", "前期服务情况", "拟进站专家", "合作方向与年度计划", "保障措施", "签字盖章")
NO_HISTORY = (
    "双方此前无已完成的服务记录。本建议由工作人员手工发起，未经前期服务检验，"
    "审核时请重点了解双方的合作基础。"
)


def render_proposal(content: ProposalContent, heading: Heading) -> bytes:
    """The .docx bytes of one proposal."""
    content = ProposalContent.from_dict(_xml_safe(content.to_dict()))
    heading = Heading(**_xml_safe(asdict(heading)))
    doc = Document()
    _page_and_styles(doc, heading)
    _title(doc, heading)
    _basics(doc, content)
    _history(doc, content)
    _experts(doc, content)
    _plan(doc, content)
    _safeguards(doc, content)
    _signatures(doc, content)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---- layout --------------------------------------------------------------------------------


def _page_and_styles(doc, heading: Heading) -> None:
    a4_styles(doc)
    footer = doc.sections[0].footer.paragraphs[0]
    footer.text = f"百会链千企 · {TITLE} · {heading.number}"
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    props = doc.core_properties
    props.title, props.author, props.language = TITLE, "百会链千企", "zh-CN"
    props.identifier = heading.number
    drafted = datetime.fromisoformat(heading.drafted_on).replace(tzinfo=UTC)
    props.created = props.modified = drafted
    props.last_modified_by = "百会链千企"


def _title(doc, heading: Heading) -> None:
    title = doc.add_paragraph(TITLE, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line = doc.add_paragraph(
        f"编号：{heading.number}　　状态：{heading.status}　　生成日期：{heading.drafted_on}"
    )
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if heading.note:
        doc.add_paragraph(f"审核意见：{heading.note}")


def _section(doc, index: int) -> None:
    doc.add_heading(f"{NUMERALS[index]}、{SECTIONS[index]}", level=1)


def _text(value: object) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or EMPTY
    return str(value)


# ---- sections ------------------------------------------------------------------------------


def _basics(doc, content: ProposalContent) -> None:
    _section(doc, 0)
    ent, soc = content.enterprise, content.society
    place = "".join(p for p in (ent.city, ent.county) if p) or None
    doc.add_heading("（一）建站企业", level=2)
    _table(
        doc,
        ["项目", "内容"],
        [
            ["企业名称", ent.name],
            ["统一社会信用代码", _text(ent.credit_code)],
            ["所在地区", _text(place)],
            ["所属行业", _text(ent.industry)],
            ["企业规模", _text(ent.size)],
            ["链主企业", "是" if ent.is_chain_leader else "否"],
        ],
        [4.5, 10.9],
    )
    doc.add_heading("（二）依托学会", level=2)
    _table(
        doc,
        ["项目", "内容"],
        [
            ["学会名称", soc.name],
            ["学科领域", _text(soc.disciplines)],
            ["所在地", _text(soc.city)],
        ],
        [4.5, 10.9],
    )
    doc.add_heading("（三）推荐依据", level=2)
    doc.add_paragraph(content.basis)


def _history(doc, content: ProposalContent) -> None:
    _section(doc, 1)
    if not content.has_history:
        doc.add_paragraph(NO_HISTORY)
        return
    ratings = [s.rating for s in content.services if s.rating is not None]
    summary = (
        f"{content.society.name}已为{content.enterprise.name}完成服务{len(content.services)}项"
    )
    if ratings:
        summary += f"，企业评分平均{sum(ratings) / len(ratings):.1f}分（满分5分）"
    doc.add_paragraph(summary + "。具体如下：")
    rows = [
        [
            str(i),
            s.need_title,
            f"{s.started or EMPTY} 至 {s.completed or EMPTY}",
            _text(s.experts),
            EMPTY if s.rating is None else f"{s.rating}分",
            s.outcome,
        ]
        for i, s in enumerate(content.services, start=1)
    ]
    _table(
        doc,
        ["序号", "服务需求", "服务时间", "参与专家", "企业评分", "服务成效"],
        rows,
        [1.1, 3.4, 2.6, 1.8, 1.5, 5.0],
    )


def _experts(doc, content: ProposalContent) -> None:
    _section(doc, 2)
    experts = content.experts
    if experts:
        doc.add_paragraph(
            f"根据专家研究方向与企业技术需求的匹配程度，推荐以下{len(experts)}名专家"
            f"作为工作站进站专家："
        )
        rows = [
            [
                str(i),
                e.name,
                _text(e.title),
                _text(e.affiliation),
                _text(e.research_areas),
                e.reason,
            ]
            for i, e in enumerate(experts, start=1)
        ]
        _table(
            doc,
            ["序号", "姓名", "职称", "工作单位", "研究方向", "推荐理由"],
            rows,
            [1.1, 1.6, 1.8, 3.0, 3.0, 4.9],
        )
    else:
        doc.add_paragraph("目前库中暂无与企业技术需求匹配的本学会专家。")
    if len(experts) < content.min_experts:
        doc.add_paragraph(
            f"注：符合条件的拟进站专家不足{content.min_experts}名，请{content.society.name}"
            "补充推荐后再提交审核。"
        )


def _plan(doc, content: ProposalContent) -> None:
    _section(doc, 3)
    doc.add_heading("（一）合作方向", level=2)
    for i, topic in enumerate(directions(content), start=1):
        doc.add_paragraph(f"{i}. {topic}")
    doc.add_heading("（二）年度工作计划（建站第一年，草案）", level=2)
    _table(doc, ["时间", "工作内容"], [list(row) for row in yearly_plan(content)], [2.6, 12.8])


def _safeguards(doc, content: ProposalContent) -> None:
    _section(doc, 4)
    for i, (head, text) in enumerate(safeguards(content), start=1):
        paragraph = doc.add_paragraph()
        _font(paragraph.add_run(f"{i}. {head}："), HEADING_FONT, bold=True)
        paragraph.add_run(text)


def _signatures(doc, content: ProposalContent) -> None:
    _section(doc, 5)
    table = _table(
        doc,
        ["建站企业（盖章）", "依托学会（盖章）", "省科协审核意见"],
        [
            [content.enterprise.name, content.society.name, ""],
            ["负责人（签字）：", "负责人（签字）：", "（盖章）"],
            ["年　　月　　日", "年　　月　　日", "年　　月　　日"],
        ],
        [5.1, 5.1, 5.2],
    )
    table.rows[3].height = Cm(1.2)
    table.cell(1, 2).text = ""
