"""Staff dashboard (数据看板): needs by city, industry and month; match coverage; societies'
load and response to leads; disciplines in demand; services completed and their rating.

Each figure is one ``matcher.dashboard.service`` call (SQL aggregates), drawn with altair and
offered for download as shown. Names in the charts are drawn as text, never as Markdown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st
from common import downloads, run, show_error
from paging import ALL
from pydantic import BaseModel

from matcher.api.state import AppState
from matcher.dashboard import service
from matcher.dashboard.schemas import DashboardFilter
from matcher.errors import MatcherError
from matcher.imports.cities import HENAN_CITY_NAMES
from matcher.models import User
from screens.enterprise_needs import NEED_STATUS

CITY, INDUSTRY, NEEDS = "城市 city", "行业 industry", "需求数 needs"
MONTH, STATUS, DISCIPLINE = "月份 month", "状态 status", "学科分类 discipline"
SOCIETY, CAPACITY, ACTIVE = "学会 society", "容量 capacity", "在办 active"
USED, LEADS, ANSWERED = "占用率 used", "线索 leads", "已答复 answered"
RATE, HOURS = "答复率 answer rate", "答复中位时长（小时）median hours"
COMPLETED, RATED, RATING = "完成服务 completed", "已评分 rated", "平均评分 mean rating"
STATED, INFERRED = "需求填报 stated", "按首选学会 from first society"
SHARE, KIND, PART = "数量 needs", "覆盖 coverage", "占比 share"
TOP = 30  # bars drawn in a chart (its table and downloads have all rows)
LABELS = alt.Axis(labelOverlap=False, labelLimit=220)


@dataclass(frozen=True)
class Figure:
    title: str
    stem: str  # file name of the downloads
    load: Callable[..., object]  # service function, called with session, actor, filters
    table: Callable[[object], pd.DataFrame]
    chart: Callable[[pd.DataFrame], alt.Chart]


def _rows(items: list[BaseModel], columns: dict[str, str]) -> pd.DataFrame:
    """The items' fields renamed to bilingual headers, in that order."""
    rows = [item.model_dump(mode="json") for item in items]
    return pd.DataFrame(rows, columns=list(columns)).rename(columns=columns)


def _bars(
    label: str, value: str, *, tooltip: list[str] | None = None, share: bool = False
) -> Callable:
    """Horizontal bars in the table's order (the first ``TOP`` rows), every label shown;
    a ``share`` (0–1) is drawn on a fixed 0–100 % axis, also when every bar is zero."""
    scale = alt.Scale(domain=[0, 1]) if share else alt.Undefined
    axis = alt.Axis(format="%") if share else alt.Undefined

    def chart(df: pd.DataFrame) -> alt.Chart:
        top = df.head(TOP)
        return (
            alt.Chart(top)
            .mark_bar()
            .encode(
                x=alt.X(field=value, type="quantitative", title=value, scale=scale, axis=axis),
                y=alt.Y(field=label, type="nominal", sort=None, title=None, axis=LABELS),
                tooltip=tooltip or [label, value],
            )
            .properties(height=max(160, 22 * len(top)))
        )

    return chart


def _by_month(df: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X(field=MONTH, type="ordinal", title=MONTH),
            y=alt.Y(field=NEEDS, type="quantitative", stack=True, title=NEEDS),
            color=alt.Color(field=STATUS, type="nominal", title=STATUS),
            tooltip=[MONTH, STATUS, NEEDS],
        )
    )


def _load_chart(df: pd.DataFrame) -> alt.Chart:
    top = df.head(TOP)
    base = alt.Chart(top).encode(
        y=alt.Y(field=SOCIETY, type="nominal", sort=None, title=None, axis=LABELS)
    )
    bars = base.mark_bar().encode(
        x=alt.X(field=ACTIVE, type="quantitative", title=f"{ACTIVE} / {CAPACITY}"),
        tooltip=[SOCIETY, ACTIVE, CAPACITY, USED],
    )
    ticks = base.mark_tick(color="red", thickness=2).encode(
        x=alt.X(field=CAPACITY, type="quantitative")
    )
    return (bars + ticks).properties(height=max(160, 22 * len(top)))


def _services_chart(df: pd.DataFrame) -> alt.Chart:
    base = alt.Chart(df).encode(x=alt.X(field=MONTH, type="ordinal", title=MONTH))
    bars = base.mark_bar().encode(
        y=alt.Y(field=COMPLETED, type="quantitative", title=COMPLETED),
        tooltip=[MONTH, COMPLETED, RATED, RATING],
    )
    line = base.mark_line(point=True, color="orange").encode(
        y=alt.Y(field=RATING, type="quantitative", title=RATING, scale=alt.Scale(domain=[1, 5]))
    )
    return alt.layer(bars, line).resolve_scale(y="independent")


def _coverage_table(cov) -> pd.DataFrame:
    return pd.DataFrame(
        {
            KIND: [f"≥ {cov.min_score:g} 分 covered", f"< {cov.min_score:g} 分 not covered"],
            SHARE: [cov.covered, cov.open_needs - cov.covered],
            PART: [cov.share, 1 - cov.share if cov.open_needs else 0.0],
        }
    )


def _coverage_chart(df: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(df)
        .mark_arc(innerRadius=50)
        .encode(
            theta=alt.Theta(field=SHARE, type="quantitative"),
            color=alt.Color(field=KIND, type="nominal", title=KIND),
            tooltip=[KIND, SHARE, alt.Tooltip(field=PART, format=".1%")],
        )
    )


def _figures(min_score: float) -> list[Figure]:
    def coverage(**kw):
        return service.match_coverage(min_score=min_score, **kw)

    return [
        Figure(
            "各市需求 Needs by city",
            "needs_by_city",
            service.needs_by_city,
            lambda r: _rows(r, {"label": CITY, "count": NEEDS}),
            _bars(CITY, NEEDS),
        ),
        Figure(
            "各行业需求 Needs by industry",
            "needs_by_industry",
            service.needs_by_industry,
            lambda r: _rows(r, {"label": INDUSTRY, "count": NEEDS}),
            _bars(INDUSTRY, NEEDS),
        ),
        Figure(
            "每月需求及状态 Needs per month by status",
            "needs_by_month",
            service.needs_by_month,
            lambda r: _rows(r, {"month": MONTH, "status": STATUS, "count": NEEDS}).replace(
                {STATUS: NEED_STATUS}
            ),
            _by_month,
        ),
        Figure(
            "匹配覆盖率 Match coverage (needs awaiting a society)",
            "match_coverage",
            coverage,
            _coverage_table,
            _coverage_chart,
        ),
        Figure(
            "学会负荷 Society load against capacity",
            "society_load",
            service.society_load,
            lambda r: _rows(
                r,
                {"name": SOCIETY, "city": CITY, "capacity": CAPACITY, "active": ACTIVE}
                | {"utilisation": USED},
            ),
            _load_chart,
        ),
        Figure(
            "学会线索答复 Societies' answers to leads",
            "lead_response",
            service.lead_response,
            lambda r: _rows(
                r,
                {"name": SOCIETY, "leads": LEADS, "responded": ANSWERED, "rate": RATE}
                | {"median_hours": HOURS},
            ),
            _bars(SOCIETY, RATE, tooltip=[SOCIETY, LEADS, ANSWERED, RATE, HOURS], share=True),
        ),
        Figure(
            "需求学科分类 Disciplines in demand",
            "disciplines",
            service.top_disciplines,
            lambda r: _rows(
                r, {"label": DISCIPLINE, "count": NEEDS, "stated": STATED, "inferred": INFERRED}
            ),
            _bars(DISCIPLINE, NEEDS, tooltip=[DISCIPLINE, NEEDS, STATED, INFERRED]),
        ),
        Figure(
            "服务完成与评分 Services completed and mean rating",
            "services",
            service.services_by_month,
            lambda r: _rows(
                r, {"month": MONTH, "completed": COMPLETED, "rated": RATED, "mean_rating": RATING}
            ),
            _services_chart,
        ),
    ]


def _filters(state: AppState) -> tuple[DashboardFilter, float] | None:
    a, b, c, d = st.columns(4)
    since = a.date_input("起 from", value=None, key="dash_from")
    until = b.date_input("止 to", value=None, key="dash_to")
    city = c.selectbox("城市 city", [ALL, *HENAN_CITY_NAMES], key="dash_city")
    min_score = d.slider(
        "覆盖最低分 coverage minimum score (0–100)",
        0,
        100,
        int(state.settings.dashboard_min_score),
        5,
        key="dash_min_score",
    )
    try:
        chosen = DashboardFilter(since=since, until=until, city=None if city == ALL else city)
    except MatcherError as exc:
        show_error(exc)
        return None
    return chosen, float(min_score)


def _show(state: AppState, user: User, figure: Figure, filters: DashboardFilter) -> None:
    st.subheader(figure.title)
    result = run(state, lambda s: figure.load(session=s, actor=user, filters=filters))
    table = figure.table(result)
    if table.empty or (SHARE in table and not table[SHARE].any()):
        st.caption("所选范围内没有数据 / no data in the chosen range")
    else:
        st.altair_chart(figure.chart(table), width="stretch")
    with st.expander("数据 data"):
        st.dataframe(table, hide_index=True)
        downloads(table, figure.stem, key=f"dash_{figure.stem}")


def page(state: AppState, user: User) -> None:
    chosen = _filters(state)
    if chosen is None:
        return
    filters, min_score = chosen
    figures = _figures(min_score)
    for pair in zip(figures[::2], figures[1::2], strict=True):
        for column, figure in zip(st.columns(2), pair, strict=True):
            with column:
                _show(state, user, figure, filters)
