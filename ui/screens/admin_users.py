"""User management (用户管理, admin only): the log-ins and what each is bound to; create one
(role, bound society or enterprise, initial password), change a role, disable or enable,
reset a password — through ``auth.user_admin`` (password policy, audit, sessions ended).
Passwords are typed, never shown."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import downloads, run, show_error
from paging import done, show_done

from matcher.api.state import AppState
from matcher.auth import user_admin
from matcher.errors import MatcherError
from matcher.models import Role, User

COLUMNS = [
    *("用户名 username", "显示名 name", "角色 role", "绑定 bound to", "启用 active"),
    *("API 密钥 API key", "创建 created"),
]


def page(state: AppState, user: User) -> None:
    show_done("users")
    accounts = run(state, lambda s: user_admin.list_accounts(session=s, actor=user))
    table = pd.DataFrame(
        [
            (
                a.username,
                a.display_name,
                a.role.value,
                a.bound_to,
                "是 yes" if a.active else "否 no",
                "有 yes" if a.api_key else "",
                a.created_at.strftime("%Y-%m-%d %H:%M"),
            )
            for a in accounts
        ],
        columns=COLUMNS,
    )
    st.dataframe(table, hide_index=True)
    downloads(table, "users", "users")
    usernames = [a.username for a in accounts]
    for section in (_create, _change_role, _enable, _reset):
        try:
            section(state, user, usernames)
        except MatcherError as exc:  # shown under its own form, the others stay
            show_error(exc)


def _binding(state: AppState, user: User, role: Role, key: str) -> dict[str, str | None]:
    """The enterprise or society a role needs, chosen by name → its external id argument."""
    names = run(state, lambda s: user_admin.binding_choices(session=s, actor=user, role=role))
    if role not in user_admin.BOUND:
        return {}
    picked = st.selectbox(
        "绑定 bound to", list(names), format_func=names.__getitem__, key=f"{key}_bound"
    )
    return {f"{role.value}_external_id": picked}


def _role(key: str) -> Role:
    return st.selectbox("角色 role", list(Role), format_func=lambda r: r.value, key=key)


def _create(state: AppState, user: User, _usernames: list[str]) -> None:
    st.subheader("新建用户 Create a user")
    role = _role("new_user_role")
    bound = _binding(state, user, role, "new_user")
    with st.form("create_user", clear_on_submit=True):
        username = st.text_input("用户名 username", key="new_user_name")
        display = st.text_input("显示名 display name", key="new_user_display")
        password = st.text_input("初始密码 initial password", type="password", key="new_user_pw")
        if not st.form_submit_button("创建 Create"):
            return
    run(
        state,
        lambda s: user_admin.create_account(
            session=s,
            actor=user,
            username=username,
            password=password,
            role=role,
            display_name=display,
            **bound,
        ),
    )
    done("users", f"已创建 created: {username.strip()}")


def _change_role(state: AppState, user: User, usernames: list[str]) -> None:
    st.subheader("更改角色 Change a role")
    target = st.selectbox("用户 user", usernames, key="role_user")
    role = _role("role_new")
    bound = _binding(state, user, role, "role")
    if st.button("更改角色 Change role", key="role_change"):
        run(
            state,
            lambda s: user_admin.change_role(
                session=s, actor=user, username=target, role=role, **bound
            ),
        )
        done("users", f"已更改 changed: {target} → {role.value}")


def _enable(state: AppState, user: User, usernames: list[str]) -> None:
    st.subheader("停用或启用 Disable or enable")
    target = st.selectbox("用户 user", usernames, key="active_user")
    left, right = st.columns(2)
    for column, active, label in ((left, False, "停用 Disable"), (right, True, "启用 Enable")):
        if column.button(label, key=f"active_{active}"):
            run(
                state,
                lambda s, a=active: user_admin.set_enabled(
                    session=s, actor=user, username=target, active=a
                ),
            )
            done("users", f"{label}: {target}")


def _reset(state: AppState, user: User, usernames: list[str]) -> None:
    st.subheader("重置密码 Reset a password")
    target = st.selectbox("用户 user", usernames, key="reset_user")
    with st.form("reset_password", clear_on_submit=True):
        password = st.text_input("新密码 new password", type="password", key="reset_pw")
        if not st.form_submit_button("重置 Reset"):
            return
    run(
        state,
        lambda s: user_admin.reset_password(
            session=s, actor=user, username=target, password=password
        ),
    )
    done("users", f"密码已重置 password reset: {target}")
