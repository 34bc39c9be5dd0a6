"""The 年度数据 Programme page, as staff use it (AppTest), over the report year (conftest)."""

from __future__ import annotations

import pytest

from tests.ui.test_streamlit_app import logged_in, open_page

from .test_report import expected

pytestmark = pytest.mark.slow


def test_staff_see_the_figures_and_build_the_report(year) -> None:
    at = open_page(logged_in("staff"), "年度数据 Programme")
    at.selectbox(key="programme_round").set_value("2026").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    want = expected()
    assert metrics["参与学会 societies"] == str(want["societies_engaged"])
    assert metrics["结对企业 enterprises"] == str(want["enterprises_paired"])
    assert metrics["志愿服务时长 hours"] == f"{want['volunteer_hours']:g}"
    months = next(f.value for f in at.dataframe if "月份" in f.value.columns)
    assert list(months["活动次数"]) == [want["by_month"].get(m, 0) for m in range(1, 13)]
    at.button(key="programme_build").click().run()
    assert not at.exception, at.exception
