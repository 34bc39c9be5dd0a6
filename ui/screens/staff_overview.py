"""Staff overview (概览): how many societies, experts, enterprises and needs the store holds."""

from __future__ import annotations

import streamlit as st
from common import run
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.api.state import AppState
from matcher.models import Enterprise, Expert, NeedStatus, Society, TechNeed, User


def _counts(session: Session) -> dict[str, int]:
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    open_needs = session.scalar(
        select(func.count()).select_from(TechNeed).where(TechNeed.status == NeedStatus.OPEN)
    )
    return {
        "学会 societies": count(Society),
        "专家 experts": count(Expert),
        "企业 enterprises": count(Enterprise),
        "需求 needs": count(TechNeed),
        "待匹配 open needs": open_needs,
    }


def page(state: AppState, user: User) -> None:
    for col, (label, value) in zip(st.columns(5), run(state, _counts).items(), strict=True):
        col.metric(label, value)
