"""The staff import page: upload a sheet, see the table the import finds (the import's own
layout detection, ``matcher.imports.preview``), send each column to a field or ignore it in
an editable table, save that mapping by name for the next sheet, and import.

Every read and write goes through the services (``imports.mappings``, ``imports.service``);
file names, headers and cells are shown as plain text or tables, never as Markdown.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st
from common import run, show_error, show_lines

from matcher.api.state import AppState
from matcher.errors import MatcherError
from matcher.imports import mappings
from matcher.imports.columns import KINDS
from matcher.imports.headers import load_mapping
from matcher.imports.preview import (
    ImportPreview,
    field_choices,
    mapping_from_choices,
    preview_file,
)
from matcher.imports.schemas import ImportMappingOut
from matcher.imports.service import import_file
from matcher.models import User

NO_MAPPING = "（不用 none）"
COLUMN, FIELD, SAMPLE = "列 column", "字段 field", "示例 sample"


def page(state: AppState, user: User) -> None:
    kind = st.selectbox("类型 kind", list(KINDS), key="import_kind")
    saved = run(state, lambda s: mappings.list_mappings(session=s, actor=user, kind=kind))
    chosen = st.selectbox(
        "已存列映射 saved mapping", [NO_MAPPING, *(m.name for m in saved)], key="saved_mapping"
    )
    upload = st.file_uploader("文件 file (.csv GBK/UTF-8, .xlsx, .jsonl)", key="import_file")
    mapping_file = st.file_uploader(
        "列映射文件 mapping file (.toml/.json: 列名 = 字段 或 ignore; optional)",
        type=["toml", "json"],
        key="mapping_file",
    )
    saved_one = next((m for m in saved if m.name == chosen), None)
    try:
        base = dict(saved_one.mapping) if saved_one else {}
        if mapping_file is not None:
            base |= load_mapping(mapping_file.name, mapping_file.getvalue())
        if saved_one is not None:
            _delete_button(state, user, saved_one)
        if upload is not None:
            _mapping_and_import(state, user, kind, upload, base, saved_one)
    except MatcherError as exc:  # shown as text and rows, never as a traceback
        show_error(exc)


def _delete_button(state: AppState, user: User, saved: ImportMappingOut) -> None:
    st.caption(f"由 {saved.created_by} 创建 · created by {saved.created_by}")
    if st.button("删除此映射 Delete this mapping", key="delete_mapping"):
        run(state, lambda s: mappings.delete_mapping(session=s, actor=user, name=saved.name))
        st.success("已删除 / deleted")


def _mapping_and_import(
    state: AppState, user: User, kind: str, upload, base: dict, saved: ImportMappingOut | None
) -> None:
    data = upload.getvalue()
    found = preview_file(
        actor=user, kind=kind, filename=upload.name, data=data, mapping=base or None
    )
    st.subheader("列映射 Column mapping")
    digest = hashlib.sha1(
        json.dumps([kind, upload.name, sorted(base.items())]).encode() + data
    ).hexdigest()[:12]
    choices = _mapping_table(kind, found, key=f"mapping_table_{digest}")
    mapping = mapping_from_choices(kind, choices, base)
    if mapping != base:
        found = preview_file(
            actor=user, kind=kind, filename=upload.name, data=data, mapping=mapping or None
        )
    _show_preview(found)

    name = st.text_input(
        "映射名称 mapping name",
        key="mapping_name",
        placeholder=saved.name if saved else "如 2022年市科协汇总表",
        help="保存后，下次导入同样格式的表时在“已存列映射”中选择 / save it to reuse it",
    ).strip() or (saved.name if saved else "")
    left, right = st.columns(2)
    if left.button("保存映射 Save mapping", key="save_mapping"):
        run(
            state,
            lambda s: mappings.save_mapping(
                session=s, actor=user, name=name, kind=kind, mapping=mapping
            ),
        )
        st.success("映射已保存 / mapping saved")
    if right.button("导入 Import", key="run_import"):
        report = run(
            state,
            lambda s: import_file(
                session=s,
                actor=user,
                kind=kind,
                filename=upload.name,
                data=data,
                mapping=mapping or None,
            ),
        )
        state.refresh_indexes()
        st.success(f"新增 {report.created} · 更新 {report.updated} · 未变 {report.unchanged}")
        for other, counts in report.also.items():
            st.info(f"{other}: " + " · ".join(f"{k} {v}" for k, v in counts.items()))
        show_lines("警告 warnings", report.warnings)


def _mapping_table(kind: str, found: ImportPreview, key: str) -> dict[str, str | None]:
    """The columns found, each with the field it feeds, editable; returns label → field."""
    choices = field_choices(kind)
    table = pd.DataFrame(
        {
            COLUMN: [c.label for c in found.columns],
            FIELD: [c.field for c in found.columns],
            SAMPLE: [c.sample for c in found.columns],
        }
    )
    edited = st.data_editor(
        table,
        key=key,
        hide_index=True,
        num_rows="fixed",
        disabled=[COLUMN, SAMPLE],
        column_config={
            FIELD: st.column_config.SelectboxColumn(
                FIELD,
                options=list(choices),
                format_func=lambda name: choices.get(name, name),
                help="本列导入到哪个字段；ignore = 不导入 / the field this column feeds",
            )
        },
    )
    return {
        label: (field if isinstance(field, str) and field else None)
        for label, field in zip(edited[COLUMN], edited[FIELD], strict=True)
    }


def _show_preview(found: ImportPreview) -> None:
    st.subheader("预览 Preview")
    st.caption(
        f"表头在第 {found.header_row} 行，共 {found.total} 行数据"
        + (f"，末尾 {len(found.notes)} 行说明未导入" if found.notes else "")
        + f" / header on row {found.header_row}, {found.total} data rows"
    )
    fields = {c.label: c.field or "?" for c in found.columns}
    rows = pd.DataFrame(
        [{"行 row": number, **cells} for number, cells in found.rows],
        columns=["行 row", *fields],
    ).rename(columns={label: f"{label} → {field}" for label, field in fields.items()})
    st.dataframe(rows, hide_index=True)
    if found.problems:
        st.warning("导入前请先处理下列问题（可在上表中映射各列）/ to fix before importing:")
        show_lines("问题 problems", found.problems)
