"""结对 Pairing (百会链千企): pair every enterprise with K societies for a round (a dry run,
chain leaders first), review its pairs (pin / forbid / remove / restore), commit or discard;
the round's active pairs, ending a round; every society's activity records and volunteer
hours. The same service calls as ``matcher assign --level enterprise`` and
``/api/v1/programme``."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import downloads, run, show_error
from paging import done, show_done

from matcher.api.state import AppState
from matcher.assignments.run_schemas import PairEdit
from matcher.errors import MatcherError
from matcher.models import RunStatus, User
from matcher.programme import activities, pairing, rounds
from matcher.programme.schemas import PairingCreate, PairOut
from screens.society_activities import activity_frame, hours_frame
from screens.staff_assign import ACTION_COLUMN, ACTION_HELP, ACTIONS, NOTE_COLUMN

STATUS = {
    "proposed": "新 new",
    "active": "已生效 active",
    "ended": "已结束 ended",
    "removed": "已移除 removed",
}


def page(state: AppState, user: User) -> None:
    show_done("pairing")
    _parameters(state, user)
    run_id = _choose_run(state, user)
    if run_id is not None:
        _review(state, user, run_id)
    _rounds(state, user)
    _activities(state, user)


def _parameters(state: AppState, user: User) -> None:
    defaults = PairingCreate(round="2026")
    with st.form("pairing_params"):
        a, b, c, d = st.columns(4)
        name = a.text_input("轮次 round", "2026", max_chars=50)
        per = b.number_input("每企业学会数 per enterprise", 1, 10, defaults.per_enterprise)
        cap = c.number_input("学会容量 enterprises per society", 0, 1000, defaults.society_capacity)
        low = d.slider("最低分 minimum score", 0, 100, 0, 5)
        st.caption(
            "链主企业优先：在可行时每家链主企业至少结对一个学会，再使总匹配度最高 / chain "
            "leaders first: every chain leader gets a society whenever feasible, then the "
            "highest total fit"
        )
        submitted = st.form_submit_button("试运行 Dry run", type="primary")
    if not submitted:
        return
    try:
        params = PairingCreate.checked(
            round=name, per_enterprise=per, society_capacity=cap, min_score=low
        )
        with st.spinner("求解中 solving …"):
            made = run(
                state,
                lambda s: pairing.run_out(
                    s,
                    pairing.create_pairing_run(
                        session=s, actor=user, params=params, runtime=lambda: state.runtime
                    ),
                ),
            )
    except MatcherError as exc:
        show_error(exc)
        return
    st.session_state["pairing_pending"] = made.id
    done(
        "pairing",
        f"试运行完成：方案 {made.id}，{made.summary['pairs']} 对结对 / dry run {made.id} stored",
    )


def _choose_run(state: AppState, user: User) -> int | None:
    listed = run(state, lambda s: pairing.list_pairing_runs(session=s, actor=user))
    st.subheader("结对方案 Pairing runs")
    if not listed:
        st.info("还没有结对方案，请先试运行 / no pairing runs yet: start with a dry run")
        return None
    table = pd.DataFrame(
        [
            {
                "方案 run": r.id,
                "轮次 round": r.round,
                "状态 status": r.status.value,
                "结对 pairs": r.summary.get("pairs"),
                "链主 chain leaders": f"{r.summary.get('chain_leaders_paired')}/"
                f"{r.summary.get('chain_leaders')}",
                "未结对 unassigned": r.summary.get("unassigned"),
                "总分 objective": round(r.objective, 1),
                "求解 solve (s)": round(r.solve_seconds, 3),
            }
            for r in listed
        ]
    )
    st.dataframe(table, hide_index=True)
    ids = [r.id for r in listed]
    pending = st.session_state.pop("pairing_pending", None)
    if pending in ids:
        st.session_state["pairing_run"] = pending
    if st.session_state.get("pairing_run") not in ids:
        st.session_state["pairing_run"] = ids[0]
    return st.selectbox("查看方案 review run", ids, key="pairing_run")


def pairs_frame(pairs: list[PairOut]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "结对 pair": p.id,
                "企业 enterprise": p.enterprise_name,
                "城市 city": p.city,
                "产业 industry": p.industry,
                "链主 chain leader": "是" if p.is_chain_leader else "",
                "学会 society": p.society_name,
                "匹配度 fit": round(p.score, 1),
                "来源 reason": p.reason,
                "状态 state": STATUS[p.status.value],
            }
            for p in pairs
        ],
        columns=[
            *("结对 pair", "企业 enterprise", "城市 city", "产业 industry", "链主 chain leader"),
            *("学会 society", "匹配度 fit", "来源 reason", "状态 state"),
        ],
    )


def _review(state: AppState, user: User, run_id: int) -> None:
    detail = run(state, lambda s: pairing.get_pairing_run(session=s, actor=user, run_id=run_id))
    s = detail.summary
    m = st.columns(5)
    m[0].metric("结对 pairs", s["pairs"])
    m[1].metric("已结对企业 enterprises paired", f"{s['enterprises_paired']}/{s['enterprises']}")
    m[2].metric("链主 chain leaders", f"{s['chain_leaders_paired']}/{s['chain_leaders']}")
    m[3].metric("总分 objective", f"{detail.objective:.1f}")
    m[4].metric("求解 solve (s)", f"{detail.solve_seconds:.3f}")
    table = pairs_frame(detail.pairs)
    if detail.status is not RunStatus.DRY_RUN:
        st.dataframe(table, hide_index=True)
        downloads(table, f"pairing_{run_id}", "pairing_pairs")
        return
    st.caption(ACTION_HELP)
    table[ACTION_COLUMN], table[NOTE_COLUMN] = "", ""
    edited = st.data_editor(
        table,
        hide_index=True,
        key=f"pairing_pairs_{run_id}_{st.session_state.get('pairing_edits', 0)}",
        disabled=[c for c in table.columns if c not in (ACTION_COLUMN, NOTE_COLUMN)],
        column_config={ACTION_COLUMN: st.column_config.SelectboxColumn(options=list(ACTIONS))},
    )
    downloads(table.drop(columns=[ACTION_COLUMN, NOTE_COLUMN]), f"pairing_{run_id}", "pairing_dl")
    a, b, c = st.columns(3)
    if a.button("应用修改 Apply edits", key="pairing_apply"):
        _apply(state, user, run_id, edited)
    if b.button("提交 Commit", key="pairing_commit", type="primary"):
        _act(state, lambda ss: pairing.commit_pairing_run(session=ss, actor=user, run_id=run_id))
    if c.button("放弃 Discard", key="pairing_discard"):
        _act(state, lambda ss: pairing.discard_pairing_run(session=ss, actor=user, run_id=run_id))


def _apply(state: AppState, user: User, run_id: int, edited: pd.DataFrame) -> None:
    edits = [
        (
            int(row["结对 pair"]),
            PairEdit(action=ACTIONS[row[ACTION_COLUMN]], reason=row[NOTE_COLUMN]),
        )
        for _i, row in edited.iterrows()
        if ACTIONS.get(row[ACTION_COLUMN])
    ]

    def apply_all(session) -> None:
        for pair_id, edit in edits:
            pairing.edit_pairing_pair(
                session=session, actor=user, run_id=run_id, pair_id=pair_id, edit=edit
            )

    _act(state, apply_all)
    st.session_state["pairing_edits"] = st.session_state.get("pairing_edits", 0) + 1


def _act(state: AppState, fn) -> None:
    try:
        run(state, fn)
    except MatcherError as exc:
        show_error(exc)
        return
    st.rerun()


def _rounds(state: AppState, user: User) -> None:
    st.subheader("轮次与生效结对 Rounds and active pairs")
    listed = run(state, lambda s: rounds.list_rounds(session=s, actor=user))
    if not listed:
        st.info("尚无轮次 / no rounds yet")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "轮次 round": r.name,
                    "状态 status": r.status.value,
                    "生效结对 active": r.active_pairs,
                }
                for r in listed
            ]
        ),
        hide_index=True,
    )
    name = st.selectbox("轮次 round", [r.name for r in listed], key="pairing_round")
    pairs = run(state, lambda s: rounds.list_pairs(session=s, actor=user, round_name=name))
    table = pairs_frame(pairs)
    st.dataframe(table, hide_index=True)
    downloads(table, f"round_{name}_pairs", "pairing_round_pairs")
    if st.button("结束该轮次 End this round", key="pairing_end_round"):
        _act(state, lambda s: rounds.end_round(session=s, actor=user, round_name=name))


def _activities(state: AppState, user: User) -> None:
    st.subheader("服务活动 Activities (all societies)")
    rows, total = run(state, lambda s: activities.list_activities(session=s, actor=user))
    st.caption(f"共 {total} 条（显示最近 {len(rows)} 条）/ {total} records")
    table = activity_frame(rows)
    st.dataframe(table, hide_index=True)
    downloads(table, "activities", "staff_activities")
    left, right = st.columns(2)
    with left:
        st.caption("学会志愿时长 Hours per society")
        hours = hours_frame(
            run(state, lambda s: activities.hours_by_society(session=s, actor=user)), "学会 society"
        )
        st.dataframe(hours, hide_index=True)
    with right:
        st.caption("专家志愿时长 Hours per expert")
        experts = hours_frame(
            run(state, lambda s: activities.hours_by_expert(session=s, actor=user)), "专家 expert"
        )
        st.dataframe(experts, hide_index=True)
