"""Reading a generated .docx back with python-docx, as a reviewer would."""

from __future__ import annotations

import io
import zipfile

from docx import Document


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def headings(doc, level: int = 1) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def tables(doc) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def all_text(data: bytes) -> str:
    """Every character of every part (body, tables, headers, footers, properties)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(
            z.read(name).decode("utf-8", "replace")
            for name in z.namelist()
            if name.endswith(".xml")
        )
