"""Browsers' shared controls: page size and number before a query, the total after it,
optional filters whose "all" choice means no filter, and an action's outcome shown after a
rerun (so the table above it is current)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st
from common import show_lines

ALL = "全部 all"
SIZES = (25, 50, 100, 200)


def choice(container: Any, label: str, options: Sequence[Any] | Mapping[Any, str], key: str):
    """A select box of plain labels whose first is "all" (→ ``None``); for a mapping its
    values are shown and the chosen one's key returned."""
    values = options if isinstance(options, Mapping) else {o: str(o) for o in options}
    by_label = {label: value for value, label in values.items()}
    picked = container.selectbox(label, [ALL, *by_label], key=key)
    return None if picked == ALL else by_label[picked]


def paging(key: str) -> tuple[int, int]:
    """Page size and number chosen by the user → (limit, offset)."""
    left, right = st.columns(2)
    size = left.selectbox("每页条数 page size", SIZES, index=1, key=f"{key}_size")
    number = right.number_input("页码 page", min_value=1, value=1, step=1, key=f"{key}_page")
    return size, (int(number) - 1) * size


def total_caption(total: int, limit: int, offset: int) -> None:
    pages = max(1, -(-total // limit))
    st.caption(
        f"共 {total} 条 · 第 {offset // limit + 1}/{pages} 页 / "
        f"{total} rows, page {offset // limit + 1} of {pages}"
    )


def done(key: str, message: str, warnings: Sequence[str] = ()) -> None:
    """Rerun the page and show ``message`` (and warnings) at its top (``show_done``)."""
    st.session_state[f"{key}_done"] = (message, list(warnings))
    st.rerun()


def show_done(key: str) -> None:
    """The outcome ``done`` left, once."""
    if f"{key}_done" in st.session_state:
        message, warnings = st.session_state.pop(f"{key}_done")
        st.success(message)
        show_lines("警告 warnings", warnings)
