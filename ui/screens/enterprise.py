"""Enterprise workspace (企业): post a need (industry, city, deadline, keywords and the
collection form's fields, checked with Chinese messages) and see its matched societies as
0–100 scores with plain reasons; my needs."""

from __future__ import annotations

import streamlit as st
from common import run, show_error, show_invalid
from match_view import show_matches
from pydantic import ValidationError
from sqlalchemy.orm import Session

from matcher.api.state import AppState
from matcher.enterprises.industries import industries_in_use
from matcher.errors import MatcherError
from matcher.imports.cities import HENAN_CITY_NAMES
from matcher.imports.validators import parse_list
from matcher.models import User
from matcher.models.enterprise import SOLUTION_MODES
from matcher.needs import service as needs
from matcher.needs.schemas import MatchOut, NeedCreate
from screens.enterprise_needs import OPEN_NEED, my_needs

OTHER = "其他（下方填写）other (type below)"
OWN_CITY = "本企业所在地 our city"
POSTED = "need_posted"


def page(state: AppState, user: User) -> None:
    """Post a need and see its matched societies at once; list own needs."""
    post, mine = st.tabs(["发布需求 Post a need", "我的需求 My needs"])
    with post:
        post_form(state, user)
    with mine:
        my_needs(state, user)


def post_form(state: AppState, user: User) -> None:
    industries = run(state, lambda s: industries_in_use(session=s))
    with st.form("post_need"):
        title = st.text_input("需求标题 Title", key="need_title")
        description = st.text_area("需求描述 Description", height=150, key="need_description")
        keywords = st.text_input("关键词（用、分隔）Keywords", key="need_keywords")
        left, right = st.columns(2)
        sector = left.selectbox("行业 industry", ["", *industries, OTHER], key="need_sector")
        sector_other = right.text_input("其他行业 other industry", key="need_sector_other")
        city = left.selectbox("城市 city", [OWN_CITY, *HENAN_CITY_NAMES], key="need_city")
        deadline = right.date_input(
            "截止日期 deadline（可不填 optional）", None, key="need_deadline"
        )
        # the collection form's fields, all optional
        discipline = left.text_input("学科分类 discipline", key="need_discipline")
        industry = right.text_input("应用行业 application industry", key="need_industry")
        mode = left.selectbox("解决方式 solution mode", ["", *SOLUTION_MODES], key="need_mode")
        budget = right.text_input(
            "拟投入资金（万元）budget", placeholder="如 50、50万、0.5亿、面议", key="need_budget"
        )
        if not st.form_submit_button("发布并匹配 Post and match"):
            return
    try:
        data = NeedCreate(
            title=title.strip(),
            description=description,
            keywords=parse_list(keywords),
            industry=(sector_other.strip() if sector == OTHER else sector) or None,
            city=None if city == OWN_CITY else city,
            deadline=deadline,
            discipline=discipline or None,
            application_industry=industry or None,
            solution_mode=mode or None,
            budget=budget or None,
        )
    except ValidationError as exc:  # the API's rules and messages
        show_invalid(exc)
        return

    def _post(session: Session) -> tuple[int, list[MatchOut]]:
        need, matches = needs.post_need(
            session=session, runtime=state.runtime, actor=user, data=data
        )
        return need.id, matches

    try:
        with st.spinner("正在匹配 … / matching …"):
            need_id, matches = run(state, _post)
    except MatcherError as exc:
        show_error(exc)
        return
    st.session_state[OPEN_NEED] = need_id  # the My needs tab opens the need just posted
    st.success("需求已发布 / need posted")
    show_matches(matches)
