"""Bulk assignment (批量分配): the parameters of a run, solved as a dry run; review of its
pairs and unassigned needs; pin / forbid / remove pairs; re-run; commit or discard.

The same service calls as ``matcher assign`` and ``/api/v1/assignment-runs``: ``create_run``,
``edit_pair``, ``commit_run``, ``discard_run``, read back through ``run_views``.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st
from common import downloads, record_label, run, show_error
from paging import done, show_done

from matcher.api.state import AppState
from matcher.assignments import commit, run_views, runs
from matcher.assignments.pair_reasons import pair_reasons
from matcher.assignments.run_schemas import PairEdit, RunCreate, RunDetailOut, RunPairOut
from matcher.errors import MatcherError
from matcher.models import RunStatus, User

NO_FAIR = "不启用 off"
MIN_SCORE = 20  # on the demo data a third of the pairs a 0 minimum makes score under 10
FAIR_HELP = (
    "覆盖公平：每个城市（或企业）先得到一个对接，任何一个才能得到第二个；代价在结果中给出 / "
    "every city (or enterprise) gets one pair before any gets a second; its cost is reported"
)
QUOTA_COLUMNS = {"维度 dimension": "str", "分组 group": "str", "上限 max": "Int64"}
DIMENSION, _GROUP, MOST = QUOTA_COLUMNS
ACTIONS = {
    "": "",
    "固定 pin": "pin",
    "禁止 forbid": "forbid",
    "移除 remove": "remove",
    "恢复 restore": "restore",
}
ACTION_HELP = (
    "固定：本次及以后的运行都保留；禁止：本次移除且以后不再推荐；"
    "移除：仅本次移除；恢复：撤销移除 / "
    "pin: kept in this and later runs; forbid: out of this and later runs; "
    "remove: out of this run only; restore: undo a removal"
)
ACTION_COLUMN, NOTE_COLUMN = "操作 action", "说明 note"


def page(state: AppState, user: User) -> None:
    show_done("assign")
    params = _parameters()
    if params is not None:
        _dry_run(state, user, params)
    run_id = _choose_run(state, user)
    if run_id is not None:
        _review(state, user, run_id)


def _parameters() -> RunCreate | None:
    """The run's parameters (the API's and the CLI's, with their defaults), once submitted."""
    defaults = RunCreate()
    with st.form("assign_params"):
        a, b, c, d = st.columns(4)
        per_need = a.number_input(
            "每个需求的学会数 per need",
            1,
            20,
            defaults.per_need,
            key="assign_per_need",
            help="每个需求分配几个学会 / societies per need",
        )
        min_score = b.slider(
            "最低分 minimum score",
            0,
            100,
            MIN_SCORE,
            5,
            key="assign_min_score",
            help=(
                "低于此分（0–100）的候选不分配；这里默认 20（接口和命令行默认 0，"
                "会把几乎不相关的学会也分配出去）/ candidates below this 0–100 score are left "
                "out; 20 here (the API's and CLI's default 0 also assigns societies that "
                "hardly fit)"
            ),
        )
        top_k = c.number_input(
            "候选学会数 candidates per need",
            1,
            100,
            defaults.top_k,
            key="assign_top_k",
            help="每个需求考虑得分最高的前 K 个学会 / the top K societies of each need",
        )
        expert_capacity = d.number_input(
            "专家容量 expert capacity",
            0,
            1000,
            defaults.expert_capacity,
            key="assign_expert_capacity",
            help="每位牵头专家同时进行的服务上限 / open services per lead expert",
        )
        fair = st.selectbox(
            "覆盖公平 fairness", [NO_FAIR, "city", "enterprise"], key="assign_fair", help=FAIR_HELP
        )
        st.caption(
            "限额（可选）：每个城市或行业最多分配几个对接 / quotas (optional): most pairs per "
            "city or industry"
        )
        quotas = st.data_editor(
            pd.DataFrame({c: pd.Series(dtype=t) for c, t in QUOTA_COLUMNS.items()}),
            num_rows="dynamic",
            hide_index=True,
            key="assign_quotas",
            column_config={
                DIMENSION: st.column_config.SelectboxColumn(options=["city", "industry"]),
                MOST: st.column_config.NumberColumn(min_value=0, step=1),
            },
        )
        submitted = st.form_submit_button("试运行 Dry run", type="primary")
    if not submitted:
        return None
    try:
        return RunCreate.checked(
            per_need=per_need,
            min_score=min_score,
            top_k=top_k,
            expert_capacity=expert_capacity,
            fair=None if fair == NO_FAIR else fair,
            quotas=_quotas(quotas),
        )
    except MatcherError as exc:
        show_error(exc)
        return None


def _quotas(table: pd.DataFrame) -> dict[str, dict[str, object]]:
    """The quota table's filled rows as ``{dimension: {group: max}}`` (validated by RunCreate)."""
    out: dict[str, dict[str, object]] = {}
    for dim, group, most in table.itertuples(index=False):
        if pd.isna(dim) and pd.isna(group) and pd.isna(most):
            continue
        key = "" if pd.isna(dim) else str(dim)
        out.setdefault(key, {})["" if pd.isna(group) else str(group).strip()] = (
            None if pd.isna(most) else int(most)
        )
    return out


def _dry_run(state: AppState, user: User, params: RunCreate) -> None:
    bar = st.progress(0, text="收集候选并求解 gathering candidates and solving …")
    try:
        with st.spinner("求解中 solving …"):
            created = run(
                state,
                lambda s: run_views.run_out(
                    runs.create_run(
                        session=s, actor=user, params=params, runtime=lambda: state.runtime
                    )
                ),
            )
    except MatcherError as exc:
        bar.empty()
        show_error(exc)
        return
    bar.progress(100, text="完成 done")
    st.session_state["assign_pending"] = created.id
    done(
        "assign",
        f"试运行完成：方案 {created.id}，{created.summary['pairs']} 个对接，"
        f"{created.summary['unassigned']} 个需求未分配 / dry run {created.id} stored",
    )


def _choose_run(state: AppState, user: User) -> int | None:
    """The list of runs with their status; the one chosen (the newest at first) to review."""
    listed, total = run(state, lambda s: run_views.list_runs(session=s, actor=user, limit=50))
    st.subheader("分配方案 Runs")
    if not listed:
        st.info("还没有分配方案，请先试运行 / no runs yet: start with a dry run")
        return None
    table = pd.DataFrame(
        [
            {
                "方案 run": r.id,
                "状态 status": r.status.value,
                "对接 pairs": r.summary.get("pairs"),
                "未分配 unassigned": r.summary.get("unassigned"),
                "总分 objective": round(r.objective, 1),
                "创建人 by": r.created_by,
                "创建时间 created": r.created_at.strftime("%Y-%m-%d %H:%M"),
            }
            for r in listed
        ]
    )
    st.caption(f"共 {total} 个方案（显示最近 {len(listed)} 个）/ {total} runs")
    st.dataframe(table, hide_index=True)
    ids = [r.id for r in listed]
    pending = st.session_state.pop("assign_pending", None)
    if pending in ids:
        st.session_state["assign_run"] = pending
    if st.session_state.get("assign_run") not in ids:
        st.session_state["assign_run"] = ids[0]
    return st.selectbox(
        "查看方案 review run",
        ids,
        key="assign_run",
        format_func=lambda i: record_label(i, "方案 run"),
    )


def _review(state: AppState, user: User, run_id: int) -> None:
    detail, reasons = run(state, lambda s: _detail(s, user, run_id))
    editable = detail.status is RunStatus.DRY_RUN
    m = st.columns(5)
    m[0].metric("对接 pairs", detail.summary.get("pairs", len(detail.pairs)))
    m[1].metric("未分配需求 unassigned", len(detail.unassigned))
    m[2].metric("总分 objective", f"{detail.objective:.1f}")
    m[3].metric("贪心总分 greedy", f"{detail.greedy_objective:.1f}")
    m[4].metric("求解 solve (s)", f"{detail.solve_seconds:.2f}")
    if detail.fairness_cost is not None:
        st.caption(f"公平代价（总分减少）fairness cost: {detail.fairness_cost:.1f}")
    pairs = _pairs_table(detail.pairs, reasons)
    st.subheader("对接 Pairs")
    if editable:
        st.caption(ACTION_HELP)
        edited = st.data_editor(
            pairs,
            hide_index=True,
            key=f"assign_pairs_{run_id}_{st.session_state.get('assign_edits', 0)}",
            disabled=[c for c in pairs.columns if c not in (ACTION_COLUMN, NOTE_COLUMN)],
            column_config={
                ACTION_COLUMN: st.column_config.SelectboxColumn(options=list(ACTIONS)),
                "分数 score": st.column_config.NumberColumn(format="%.1f"),
            },
        )
    else:
        edited = None
        st.dataframe(pairs.drop(columns=[ACTION_COLUMN, NOTE_COLUMN]), hide_index=True)
    downloads(
        pairs.drop(columns=[ACTION_COLUMN, NOTE_COLUMN]), f"run_{run_id}_pairs", "assign_pairs"
    )
    st.subheader("未分配需求 Unassigned needs")
    counts = Counter(u.reason_text for u in detail.unassigned)
    st.caption("；".join(f"{text}: {n}" for text, n in counts.most_common()))
    unassigned = pd.DataFrame(
        [
            {
                "需求 need": u.need_external_id,
                "标题 title": u.need_title,
                "企业 enterprise": u.enterprise_name,
                "城市 city": u.city,
                "原因 reason": u.reason_text,
            }
            for u in detail.unassigned
        ],
        columns=["需求 need", "标题 title", "企业 enterprise", "城市 city", "原因 reason"],
    )
    st.dataframe(unassigned, hide_index=True)
    downloads(unassigned, f"run_{run_id}_unassigned", "assign_unassigned")
    if detail.removed:
        with st.expander(f"被约束移除的候选 candidates removed ({len(detail.removed)})"):
            removed = pd.DataFrame(
                [
                    {
                        "需求 need": r.need_external_id,
                        "学会 society": r.society_name,
                        "专家 expert": r.expert_name,
                        "原因 reason": r.reason,
                        "说明 detail": r.detail,
                    }
                    for r in detail.removed
                ]
            )
            st.dataframe(removed, hide_index=True)
            downloads(removed, f"run_{run_id}_removed", "assign_removed")
    if editable:
        _actions(state, user, detail, edited)


def _detail(session, user: User, run_id: int) -> tuple[RunDetailOut, dict]:
    detail = run_views.get_run(session=session, actor=user, run_id=run_id)
    return detail, pair_reasons(session, ((p.need_id, p.society_id) for p in detail.pairs))


def _state_of(p: RunPairOut) -> str:
    if p.fixed:
        return "已生效 active"
    if p.removed:
        return f"已移除 removed: {p.removed_reason or ''}".rstrip(": ")
    return "固定 pinned" if p.pinned else "新 new"


def _pairs_table(pairs: list[RunPairOut], reasons: dict) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "对接 pair": p.id,
                "需求 need": p.need_external_id,
                "标题 title": p.need_title,
                "企业 enterprise": p.enterprise_name,
                "城市 city": p.city,
                "学会 society": p.society_name,
                "专家 expert": p.expert_name,
                "分数 score": round(p.score, 1),
                "理由 reasons": reasons.get((p.need_id, p.society_id), ""),
                "状态 state": _state_of(p),
                ACTION_COLUMN: "",
                NOTE_COLUMN: "",
            }
            for p in pairs
        ],
        columns=[
            *("对接 pair", "需求 need", "标题 title", "企业 enterprise", "城市 city"),
            *("学会 society", "专家 expert", "分数 score", "理由 reasons", "状态 state"),
            ACTION_COLUMN,
            NOTE_COLUMN,
        ],
    )


def _actions(state: AppState, user: User, detail: RunDetailOut, edited: pd.DataFrame) -> None:
    """Apply the table's edits (all or none), re-run with the same parameters, commit, discard."""
    a, b, c, d = st.columns(4)
    if a.button("应用修改 Apply edits", key="assign_apply"):
        _apply_edits(state, user, detail.id, edited)
    if b.button(
        "重新运行 Re-run",
        key="assign_rerun",
        help="同样的参数，保留固定与禁止 / same parameters; pins and forbids are kept",
    ):
        params = {k: v for k, v in detail.parameters.items() if k != "quota_file"}
        _dry_run(state, user, RunCreate.checked(**params))
    if c.button("提交 Commit", key="assign_commit", type="primary"):
        try:
            committed, created = run(
                state, lambda s: commit.commit_run(session=s, actor=user, run_id=detail.id)
            )
        except MatcherError as exc:
            show_error(exc)
        else:
            done(
                "assign",
                f"已提交方案 {committed.id}：创建 {created} 个待确认分配 / "
                f"run {committed.id} committed: {created} proposed assignments created",
            )
    if d.button("放弃 Discard", key="assign_discard"):
        try:
            run(state, lambda s: commit.discard_run(session=s, actor=user, run_id=detail.id))
        except MatcherError as exc:
            show_error(exc)
        else:
            st.rerun()


def _apply_edits(state: AppState, user: User, run_id: int, edited: pd.DataFrame) -> None:
    """Every row with an action, through ``edit_pair`` in one transaction: all or none."""
    chosen = [
        (int(row["对接 pair"]), ACTIONS[row[ACTION_COLUMN]], str(row[NOTE_COLUMN] or "").strip())
        for _, row in edited.iterrows()
        if isinstance(row[ACTION_COLUMN], str) and ACTIONS.get(row[ACTION_COLUMN])
    ]
    if not chosen:
        st.warning("没有选择任何操作 / no action chosen in the table")
        return
    current: list[int] = []

    def apply(session) -> None:
        for pair_id, action, note in chosen:
            current[:] = [pair_id]
            edit = PairEdit(action=action, reason=note)
            runs.edit_pair(session=session, actor=user, run_id=run_id, pair_id=pair_id, edit=edit)

    try:
        run(state, apply)
    except MatcherError as exc:
        st.error(
            f"对接 {current[0]} 的操作未完成，本次修改均未保存 / pair {current[0]}: not done, "
            "none of the edits were saved"
        )
        show_error(exc)
        return
    st.session_state["assign_edits"] = st.session_state.get("assign_edits", 0) + 1
    done(
        "assign",
        f"已保存 {len(chosen)} 项修改，可重新运行以填补空缺 / {len(chosen)} edits saved: "
        "re-run to fill what they opened",
    )
