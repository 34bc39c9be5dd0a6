"""The report's charts as PNG bytes (matplotlib, headless).

Labels are Chinese when a font with CJK glyphs is installed (Noto/Source Han/WenQuanYi/
SimHei/…); otherwise they are English and pinyin (``CJK_FONT`` is then ``None``), so a chart
never shows empty boxes.
"""

from __future__ import annotations

import io
from functools import lru_cache

from matcher.imports.cities import HENAN_CITIES
from matcher.report.figures import NO_CITY, OTHER, Figures

CJK_HINTS = ("CJK", "Han Sans", "Han Serif", "WenQuanYi", "SimHei", "SimSun", "YaHei", "PingFang",
             "Heiti", "Droid Sans Fallback", "AR PL", "Noto Sans SC", "Noto Serif SC")  # fmt: skip
SERVICE_EN = {
    "宣讲科技创新政策": "Policy briefings",
    "技术指导": "Technical guidance",
    "解决发展难题": "Problem solving",
    "联合科研团队": "Joint research teams",
    "创新联合体": "Innovation consortia",
    "平台建设": "Platforms",
    "其他": "Other",
}
CITY_EN = {full: pinyin.capitalize() for full, pinyin in HENAN_CITIES.values()} | {
    NO_CITY: "Unknown"
}
PRIORITY_EN = {
    "盾构": "Shield tunnelling",
    "轴承": "Bearings",
    "尼龙": "Nylon",
    "超硬材料": "Superhard materials",
    "新能源客车": "NEV buses",
    "智能传感器": "Smart sensors",
    "铝加工": "Aluminium",
    OTHER: "Other",
}


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of an installed font with CJK glyphs, if any."""
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if any(hint.lower() in entry.name.lower() for hint in CJK_HINTS):
            return entry.name
    return None


def _label(text: str, english: dict[str, str]) -> str:
    return text if cjk_font() else english.get(text, text if text.isascii() else "?")


def _png(draw) -> bytes:
    """Render ``draw(axes)`` on a new figure (no pyplot state) as PNG bytes."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    font = cjk_font()
    style = {"font.family": "sans-serif"}
    if font:
        style["font.sans-serif"] = [font, *mpl.rcParams["font.sans-serif"]]
    with mpl.rc_context(style):
        fig = Figure(figsize=(7.2, 3.6), dpi=130, layout="constrained")
        draw(fig.add_subplot())
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()


def _bars(ax, labels: list[str], values: list[float], title: str, horizontal: bool) -> None:
    if horizontal:
        ax.barh(labels[::-1], values[::-1], color="#3b6ea5")
    else:
        ax.bar(labels, values, color="#3b6ea5")
    ax.set_title(title)
    ax.grid(axis="x" if horizontal else "y", alpha=0.3)


def month_chart(f: Figures) -> bytes:
    zh = cjk_font() is not None
    labels = [f"{m}月" if zh else str(m) for m in f.by_month]
    title = "服务活动（按月）" if zh else "Service activities by month"
    return _png(lambda ax: _bars(ax, labels, list(f.by_month.values()), title, False))


def type_chart(f: Figures) -> bytes:
    labels = [_label(k, SERVICE_EN) for k in f.by_type]
    title = "服务活动（按类型）" if cjk_font() else "Service activities by type"
    return _png(lambda ax: _bars(ax, labels, list(f.by_type.values()), title, True))


def city_chart(f: Figures) -> bytes:
    cities = sorted(f.by_city, key=lambda c: -f.by_city[c].enterprises_paired)[:18]
    labels = [_label(c, CITY_EN) for c in cities]
    values = [f.by_city[c].enterprises_paired for c in cities]
    title = "结对企业（按城市）" if cjk_font() else "Enterprises paired by city"
    return _png(lambda ax: _bars(ax, labels, values, title, True))


def industry_chart(f: Figures) -> bytes:
    names = list(f.by_industry)
    labels = [_label(n, PRIORITY_EN) for n in names]
    values = [f.by_industry[n].activities for n in names]
    title = "服务活动（按重点产业）" if cjk_font() else "Service activities by priority industry"
    return _png(lambda ax: _bars(ax, labels, values, title, True))


def report_charts(f: Figures) -> list[tuple[str, bytes]]:
    """(caption, PNG) of each chart, in the document's order."""
    return [
        ("图1 服务活动按月分布", month_chart(f)),
        ("图2 服务活动按类型分布", type_chart(f)),
        ("图3 结对企业按城市分布", city_chart(f)),
        ("图4 服务活动按重点产业分布", industry_chart(f)),
    ]
