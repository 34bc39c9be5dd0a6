"""Ranked matches as users see them: a 0–100 score, the plain reasons, details on demand."""

from __future__ import annotations

import pandas as pd
import streamlit as st

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
    "capacity": "剩余容量 capacity",
    "fused": "综合 fused",
}


def show_matches(matches: list[MatchOut]) -> None:
    """Ranked matches with the reasons: component scores and matched keywords."""
    if not matches:
        st.info("暂无匹配结果 / no matches yet")
        return
    for m in matches:
        with st.expander(f"#{m.rank} {m.target_name} — {m.score:.0f} 分", expanded=m.rank <= 3):
            if m.matched_keywords:
                st.write("匹配关键词 matched keywords: " + "、".join(m.matched_keywords))
            parts = {
                COMPONENT_LABELS.get(k, k): round(v, 3)
                for k, v in m.components.items()
                if isinstance(v, int | float)
            }
            st.dataframe(pd.DataFrame([parts]), hide_index=True)
            experts = m.components.get("top_experts") or []
            if experts:
                st.caption("相关专家 experts: " + "、".join(str(e.get("name")) for e in experts))
