"""The staff dashboard (数据看板) as staff use it (AppTest), over the API tests' world; absent
for societies and enterprises."""

from __future__ import annotations

import pytest

from matcher.config import Settings
from matcher.db import Store
from tests.api.conftest import World, build_world
from tests.ui.test_streamlit_app import logged_in, open_page

pytestmark = pytest.mark.slow
DASHBOARD = "数据看板 Dashboard"
FIGURES = 8


@pytest.fixture
def world(store: Store, settings: Settings) -> World:
    return build_world(store, settings)


def _table(at, header: str):
    """The first data table (in an expander) with this column."""
    return next(df.value for df in at.dataframe if header in df.value.columns)


def test_staff_see_every_figure_with_its_downloads(world: World) -> None:
    at = open_page(logged_in("staff"), DASHBOARD)
    titles = [h.value for h in at.subheader]
    assert len(titles) == FIGURES, titles
    assert len(at.get("vega_lite_chart")) >= FIGURES - 2  # empty figures say so instead
    assert len(at.get("download_button")) == 2 * FIGURES  # CSV and xlsx of each
    cities = _table(at, "城市 city")
    assert len(cities) == 18 and cities["需求数 needs"].sum() == 4
    assert cities["需求数 needs"].tolist() == sorted(cities["需求数 needs"], reverse=True)
    assert set(_table(at, "状态 status")["状态 status"]) == {"已匹配 matched"}  # bilingual


def test_filters_change_the_figures(world: World) -> None:
    at = open_page(logged_in("staff"), DASHBOARD)
    # the world's hand-made scores are below 1: none covered at 50, all four at 0
    assert _table(at, "覆盖 coverage")["数量 needs"].tolist() == [0, 4]
    at.slider(key="dash_min_score").set_value(0).run()
    assert _table(at, "覆盖 coverage")["数量 needs"].tolist() == [4, 0]
    at.selectbox(key="dash_city").set_value("洛阳市").run()
    assert not at.exception
    assert _table(at, "行业 industry")["需求数 needs"].sum() == 2  # the 洛阳 enterprise's


def test_a_period_ending_before_it_starts_is_explained(world: World) -> None:
    from datetime import date

    at = open_page(logged_in("staff"), DASHBOARD)
    at.date_input(key="dash_from").set_value(date(2026, 11, 2))
    at.date_input(key="dash_to").set_value(date(2026, 11, 1)).run()
    assert not at.exception
    assert "晚于" in "\n".join(t.value for t in at.text)
    assert not at.subheader  # no figure drawn


@pytest.mark.parametrize("username", ["soc", "ent"])
def test_societies_and_enterprises_have_no_dashboard(world: World, username: str) -> None:
    at = logged_in(username)
    assert DASHBOARD not in at.sidebar.radio(key="nav").options


def test_answer_rates_are_drawn_on_a_0_to_100_percent_axis_even_when_all_are_zero() -> None:
    import pandas as pd

    from ui.screens import dashboard

    rates = pd.DataFrame({dashboard.SOCIETY: ["甲学会", "乙学会"], dashboard.RATE: [0.0, 0.0]})
    x = dashboard._bars(dashboard.SOCIETY, dashboard.RATE, share=True)(rates).to_dict()
    x = x["encoding"]["x"]
    assert x["scale"]["domain"] == [0, 1] and x["axis"]["format"] == "%"
    counts = dashboard._bars(dashboard.SOCIETY, dashboard.RATE)(rates).to_dict()
    assert "scale" not in counts["encoding"]["x"]  # counts keep their own range
