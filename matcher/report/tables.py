"""The report's tables as (title, headers, rows): one source for the .xlsx sheets, the .docx
tables and the staff page."""

from __future__ import annotations

from typing import Any

from matcher.report.figures import Figures, Totals

Table = tuple[str, list[str], list[list[Any]]]
AREA_COLUMNS = [
    "参与学会",
    "结对企业",
    "链主企业",
    "服务活动",
    "志愿服务时长（小时）",
    "解决需求",
    "专家工作站",
    "平台建设",
]
SUMMARY, TYPES, MONTHS, CITIES, INDUSTRIES, PLATFORMS = (
    "总体情况",
    "活动类型",
    "月度活动",
    "按城市",
    "按重点产业",
    "平台建设",
)


def _area_row(t: Totals) -> list[Any]:
    return [
        t.societies_engaged,
        t.enterprises_paired,
        t.chain_leaders_paired,
        t.activities,
        t.volunteer_hours,
        t.needs_solved,
        t.workstations,
        t.platforms,
    ]


def summary_rows(f: Figures) -> list[list[Any]]:
    """(指标, 数值, 目标)."""
    t = f.totals
    return [
        ["参与学会数", t.societies_engaged, f.goal_societies],
        ["结对企业数", t.enterprises_paired, f.goal_enterprises],
        ["其中链主企业", t.chain_leaders_paired, None],
        ["服务活动（次）", t.activities, None],
        ["志愿服务时长（小时）", t.volunteer_hours, None],
        ["解决需求（项）", t.needs_solved, None],
        ["新建学会专家工作站", t.workstations, None],
        ["平台建设活动（企业科协、工作站等）", t.platforms, None],
    ]


def report_tables(f: Figures) -> list[Table]:
    return [
        (SUMMARY, ["指标", "数值", "目标"], summary_rows(f)),
        (TYPES, ["服务类型", "活动次数"], [[k, v] for k, v in f.by_type.items()]),
        (
            MONTHS,
            ["月份", "活动次数", "志愿服务时长（小时）"],
            [[f"{m}月", f.by_month[m], f.hours_by_month[m]] for m in f.by_month],
        ),
        (CITIES, ["城市", *AREA_COLUMNS], [[k, *_area_row(t)] for k, t in f.by_city.items()]),
        (
            INDUSTRIES,
            ["重点产业", *AREA_COLUMNS],
            [[k, *_area_row(t)] for k, t in f.by_industry.items()],
        ),
        (PLATFORMS, ["平台类型", "数量"], [[k, v] for k, v in f.platforms_by_kind.items()]),
    ]
