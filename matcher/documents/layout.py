"""Shared .docx layout for the Chinese documents: A4 page, 宋体 body and 黑体 headings, grid
tables with a bold header row, and text made safe for XML."""

from __future__ import annotations

import re
from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

BODY_FONT, HEADING_FONT = "宋体", "黑体"
EMPTY = "—"
NUMERALS = "一二三四五六七八九十"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters an XML document cannot hold (python-docx refuses them)."""


def xml_safe(value: Any) -> Any:
    """``value`` (text, or lists and dicts of it) without the characters XML cannot hold."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, list):
        return [xml_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: xml_safe(v) for k, v in value.items()}
    return value


def font(style_or_run, name: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a style's or run's font, East Asian glyphs included."""
    font_ = style_or_run.font
    font_.name = name
    rpr = style_or_run.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        font_.size = Pt(size)
    if bold is not None:
        font_.bold = bold


def a4_styles(doc) -> None:
    """A4 with 2.8/2.5 cm margins; 12 pt 宋体 body, black 黑体 headings."""
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.8)
    section.top_margin = section.bottom_margin = Cm(2.5)
    font(doc.styles["Normal"], BODY_FONT, 12)
    doc.styles["Normal"].paragraph_format.space_after = Pt(4)
    doc.styles["Normal"].paragraph_format.line_spacing = 1.3
    for name, size in (("Heading 1", 15), ("Heading 2", 13), ("Title", 20)):
        font(doc.styles[name], HEADING_FONT, size, bold=True)
        doc.styles[name].font.color.rgb = RGBColor(0, 0, 0)


def table(doc, header: list[str], rows: list[list[str]], widths: list[float] | None = None):
    """A centred grid table with a bold header row (empty cells show "—")."""
    grid = doc.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        cell.text = ""
        font(cell.paragraphs[0].add_run(text), HEADING_FONT, 11, bold=True)
    for row in rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text if text else EMPTY
    if widths:
        for row in grid.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
    doc.add_paragraph()
    return grid
