"""Industry service teams (一业一团): choose an industry (and city), the team size and the
experts per society; propose; see, for each need, the members who fit it and which needs are
left uncovered; remove or add members; save; export.

The same service calls as ``matcher teams`` and ``/api/v1/teams``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import downloads, plain, run, show_error, show_invalid
from pydantic import ValidationError

from matcher.api.state import AppState
from matcher.errors import MatcherError
from matcher.models import User
from matcher.teams import export, service
from matcher.teams.schemas import (
    DEFAULT_PER_SOCIETY,
    DEFAULT_SIZE,
    DEFAULT_THRESHOLD,
    MemberIn,
    TeamOut,
    TeamProposeIn,
)

CHOSEN = "teams_chosen"
"""``st.session_state`` key: the id of the team shown."""


def page(state: AppState, user: User) -> None:
    st.caption(
        "一业一团：为一个产业（可限定城市）推荐跨学会专家团，覆盖该产业未解决的技术需求 / "
        "one industry, one team: experts of several societies covering the industry's needs"
    )
    _propose(state, user)
    team_id = _choose(state, user)
    if team_id is not None:
        _show(state, user, team_id)


def _propose(state: AppState, user: User) -> None:
    with st.form("team_propose"):
        a, b = st.columns(2)
        industry = a.text_input("产业 industry", "轴承", key="team_industry")
        city = b.text_input("城市 city (可空 optional)", "洛阳", key="team_city")
        c, d, e = st.columns(3)
        size = c.number_input("团队人数上限 team size", 1, 50, DEFAULT_SIZE, key="team_size")
        per = d.number_input(
            "每学会人数上限 per society", 1, 20, DEFAULT_PER_SOCIETY, key="team_per"
        )
        threshold = e.slider(
            "适配分 fit score", 0, 100, int(DEFAULT_THRESHOLD), 5, key="team_threshold"
        )
        submitted = st.form_submit_button("推荐服务团 Propose")
    if not submitted:
        return
    try:
        data = TeamProposeIn(
            industry=industry, city=city or None, size=size, per_society=per, threshold=threshold
        )
        team = run(state, lambda s: service.propose(session=s, actor=user, data=data))
    except ValidationError as exc:
        show_invalid(exc)
        return
    except MatcherError as exc:
        show_error(exc)
        return
    st.session_state[CHOSEN] = team.id
    solve = team.solve
    st.success(
        f"已推荐 proposed: {len(team.team_members)} 人 members；"
        f"{'最优 optimal' if solve.get('optimal') else '时限内最好 best found'}，"
        f"gap {100 * solve.get('gap', 0):.2f}%，{solve.get('seconds', 0):.2f} s"
    )


def _choose(state: AppState, user: User) -> int | None:
    teams = run(state, lambda s: service.list_teams(session=s, actor=user))
    if not teams:
        st.info("暂无服务团 / no team yet")
        return None
    ids = [t.id for t in teams]
    labels = {t.id: f"#{t.id} {t.name}（{t.status.value}，{t.members} 人）" for t in teams}
    chosen = st.session_state.get(CHOSEN)
    index = ids.index(chosen) if chosen in ids else 0
    return st.selectbox(
        "服务团 team", ids, index=index, format_func=labels.__getitem__, key="team_pick"
    )


def _show(state: AppState, user: User, team_id: int) -> None:
    try:
        team = run(state, lambda s: service.get_team(session=s, actor=user, team_id=team_id))
    except MatcherError as exc:
        show_error(exc)
        return
    plain("名称 name", team.name)
    plain("产业 industry", f"{team.industry} {team.city or ''}")
    st.text(
        f"状态 status: {team.status.value}；需求 needs {len(team.needs)}，"
        f"已覆盖 covered {team.covered}，未覆盖 uncovered {team.uncovered}；"
        f"覆盖值 value {team.value:.2f}"
    )
    st.subheader("成员 Members")
    members = pd.DataFrame(export.member_rows(team), columns=export.MEMBER_HEADERS)
    st.dataframe(members, hide_index=True)
    downloads(members, f"{team.name}-成员", key=f"team_members_{team.id}")
    st.subheader("需求覆盖 Needs and the members who fit them")
    needs = pd.DataFrame(export.need_rows(team), columns=export.NEED_HEADERS)
    shown = needs.map(lambda v: "、".join(v) if isinstance(v, list) else v)  # not a list repr
    st.dataframe(shown, hide_index=True)
    downloads(needs, f"{team.name}-需求覆盖", key=f"team_needs_{team.id}")
    _edit(state, user, team)


def _edit(state: AppState, user: User, team: TeamOut) -> None:
    st.subheader("编辑 Edit")
    names = {m.expert_id: f"{m.name}（{m.society_name}）" for m in team.team_members}
    left, right = st.columns(2)
    removed = left.selectbox(
        "移除成员 remove",
        [None, *names],
        format_func=lambda i: "—" if i is None else names[i],
        key=f"team_remove_{team.id}",
    )
    addable = run(state, lambda s: service.addable_experts(session=s, actor=user, team_id=team.id))
    labels = {i: f"{label} 适配 {n} 项" for i, label, n in addable}
    added = right.selectbox(
        "添加专家 add expert",
        [None, *labels],
        format_func=lambda i: "—" if i is None else labels[i],
        key=f"team_add_{team.id}",
    )
    name = st.text_input("保存名称 name", team.name, key=f"team_name_{team.id}")
    a, b, c = st.columns(3)
    actions = {
        "remove": a.button("移除 Remove", key=f"team_rm_btn_{team.id}", disabled=removed is None),
        "add": b.button("添加 Add", key=f"team_add_btn_{team.id}", disabled=added is None),
        "save": c.button("保存 Save", key=f"team_save_btn_{team.id}"),
    }
    try:
        if actions["remove"]:
            run(state, lambda s: service.remove_member(
                session=s, actor=user, team_id=team.id, expert_id=removed))  # fmt: skip
        elif actions["add"]:
            data = MemberIn(expert_id=added)
            run(state, lambda s: service.add_member(
                session=s, actor=user, team_id=team.id, data=data))  # fmt: skip
        elif actions["save"]:
            run(state, lambda s: service.save_team(
                session=s, actor=user, team_id=team.id, name=name or None))  # fmt: skip
        else:
            return
    except ValidationError as exc:
        show_invalid(exc)
        return
    except MatcherError as exc:
        show_error(exc)
        return
    st.rerun()
