"""Ranked matches as users see them: a 0–100 score, the plain reasons, details on demand."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st
from common import label, plain

from matcher.needs.schemas import MatchOut

COMPONENT_LABELS = {
    "char_doc": "字面相似 text (char)",
    "char_centroid": "成员字面均值 members (char)",
    "word_doc": "词语相似 text (words)",
    "char_experts": "专家字面 experts (char)",
    "dense_doc": "语义相似 semantic",
    "dense_experts": "专家语义 experts (semantic)",
    "dense": "语义相似 semantic",
    "bm25": "关键词 BM25",
    "city": "同城 city",
    "industry_fit": "行业契合 industry",
    "discipline_fit": "学科契合 discipline",
    "served": "曾服务相似需求 served similar needs",
    "declined": "曾谢绝相似需求 declined similar needs",
    "capacity": "剩余容量 capacity",
    "fused": "综合 fused",
    "probability": "概率 probability",
}
FIT = 0.3
"""From this industry fit (bigram overlap 0–1) on, the industry counts as a reason."""
SERVED = 0.5
"""From this similarity to a need the society served well on, it counts as a reason."""


def plain_reasons(components: Mapping[str, Any], matched_keywords: list[str]) -> list[str]:
    """Why a target matched, in words (no numbers): listed-first reasons, keywords, the
    experts who fit, same city, industry and discipline fit, history."""
    out = []
    if components.get("listed_first"):
        out.append(f"优先列出 listed first: {components['listed_first']}")
    if components.get("not_listed_first"):
        out.append(
            "曾谢绝相似需求，未优先列出 declined a similar need, not listed first:"
            f" {components['not_listed_first']}"
        )
    if matched_keywords:
        out.append("匹配关键词 matched keywords: " + "、".join(matched_keywords))
    names = [str(e.get("name")) for e in components.get("top_experts") or [] if e.get("name")]
    if names:
        out.append("相关专家 experts who fit: " + "、".join(names))
    if components.get("city"):
        out.append("同城 same city")
    if float(components.get("industry_fit") or 0) >= FIT:
        out.append("行业契合 industry fits")
    if components.get("discipline_fit"):
        out.append("学科契合 discipline fits")
    if float(components.get("served") or 0) >= SERVED:
        out.append("曾成功服务相似需求 served a similar need well")
    return out or ["文本相似 similar text"]


def channel_table(components: Mapping[str, Any]) -> pd.DataFrame:
    """The numeric parts of a score, one row each (long, so nothing is cut off)."""
    rows = [
        (COMPONENT_LABELS.get(k, k), round(float(v), 3))
        for k, v in components.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    return pd.DataFrame(rows, columns=["通道 channel", "值 value"])


def show_reasons(components: Mapping[str, Any], matched_keywords: list[str]) -> None:
    """The plain reasons as text lines, then the channel scores in an expandable details."""
    for line in plain_reasons(components, matched_keywords):
        st.text(f"· {line}")
    with st.expander("详情 details"):
        st.dataframe(channel_table(components), hide_index=True)


def show_matches(matches: list[MatchOut]) -> None:
    """Ranked matches, each with its 0–100 score and plain reasons (details on demand)."""
    if not matches:
        st.info("暂无匹配结果 / no matches yet")
        return
    for m in matches:
        with st.expander(
            label(f"#{m.rank} {m.target_name} — {m.score:.0f} 分"), expanded=m.rank <= 3
        ):
            show_reasons(m.components, m.matched_keywords)


CONTACT_LABELS = {
    "contact_name": "联系人 name",
    "contact_phone": "电话 phone",
    "email": "邮箱 e-mail",
    "credit_code": "统一社会信用代码 credit code",
}


def show_contact(title: str, **fields: str | None) -> None:
    """Contact details as labelled plain-text lines (never a Python repr)."""
    st.text(title)
    for key, value in fields.items():
        if value:
            plain(f"  {CONTACT_LABELS.get(key, key)}", value)
