"""What every workspace page shares: one transaction per service call, and errors shown as
plain text (their messages carry file names and headers users typed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st
from pydantic import ValidationError
from sqlalchemy.orm import Session

from matcher.api.messages import field_name, translate
from matcher.api.state import AppState
from matcher.errors import MatcherError
from matcher.exports.formats import render

T = TypeVar("T")


def run(state: AppState, fn: Callable[[Session], T]) -> T:
    """One transaction: committed if ``fn`` succeeds, rolled back whole if it raises."""
    with state.store.transaction() as session:
        return fn(session)


def show_error(exc: MatcherError) -> None:
    """The error's message as plain text, and its row errors as a table."""
    st.error("未完成，原因如下 / not done, because:")
    st.text(exc.message)
    if isinstance(exc.details, list):
        st.dataframe(pd.DataFrame(exc.details), hide_index=True)


def show_lines(title: str, lines: list[str]) -> None:
    """Messages that quote user text (warnings, problems), one per row of a table."""
    if lines:
        st.dataframe(pd.DataFrame({title: lines}), hide_index=True)


def show_invalid(exc: ValidationError) -> None:
    """A form's invalid fields with the API's bilingual messages, as plain text."""
    st.error("输入无效 / invalid input:")
    for error in exc.errors():
        st.text(f"{field_name(error.get('loc', ()))}: {translate(error)}")


def downloads(table: pd.DataFrame, stem: str, key: str) -> None:
    """CSV (UTF-8 with BOM, for Excel) and .xlsx downloads of a table as shown, with text
    cells that a spreadsheet would run as formulas neutralised."""
    headers = [str(c) for c in table.columns]
    rows = [
        [None if v is pd.NA or v != v else v for v in row] for row in table.itertuples(index=False)
    ]  # NaN != NaN
    left, right = st.columns(2)
    for column, fmt, mime in (
        (left, "csv", "text/csv"),
        (right, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        column.download_button(
            f"下载 {fmt.upper()} download",
            render(headers, rows, fmt, stem),
            file_name=f"{stem}.{fmt}",
            mime=mime,
            key=f"{key}_{fmt}",
        )


def plain(label: str, value: object) -> None:
    """A labelled value that users typed, shown as plain text (never Markdown or HTML)."""
    st.text(f"{label}: {'' if value is None else value}")


DONE = "action_done"


def attempt(state: AppState, fn: Callable[[Session], object], done: str, key: str = DONE) -> None:
    """Run an action (``fn``, one transaction; it may build its input models); on success
    keep ``done`` under ``key`` (``show_done``'s by default) and redraw the page, else show
    why not (invalid input, or a rule that refused)."""
    try:
        run(state, fn)
    except ValidationError as exc:
        show_invalid(exc)
    except MatcherError as exc:
        show_error(exc)
    else:
        st.session_state[key] = done
        st.rerun()


def show_done() -> None:
    """The message of the action that succeeded before the redraw, once."""
    if DONE in st.session_state:
        st.success(st.session_state.pop(DONE))


MARKDOWN_SPECIALS = "\\`*_[]()!|~<>$:"  # inline Markdown, links, colours, LaTeX


def record_label(record_id: int, name: str) -> str:
    """A selectbox option's text for one record: its name and id, nothing that changes with
    its state (a status, a score, a position). A keyed selectbox keeps showing the text it was
    given while its value stays valid, so text that changed would show stale or, for a list
    that moved, name another record than the one opened below it."""
    return f"{name}（#{record_id}）"


def choose_record(title: str, records: dict[int, T], name: Callable[[T], str], key: str) -> T:
    """A selectbox of ``records`` (id → record) by their ``record_label``; the one chosen."""
    chosen = st.selectbox(
        title, list(records), format_func=lambda i: record_label(i, name(records[i])), key=key
    )
    return records[chosen]


def label(text: object) -> str:
    """Text for a widget or expander label, which Streamlit renders as Markdown: every
    Markdown character escaped, so a name with ``[…](…)`` cannot become a link."""
    return "".join("\\" + c if c in MARKDOWN_SPECIALS else c for c in str(text))
