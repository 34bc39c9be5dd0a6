"""Society profile (学会资料): its description, disciplines, city, contact and capacity (the
name is fixed), and its experts — list, add, edit, take off the roster. Only its own."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import attempt, downloads, label, plain, run, show_done

from matcher.api.state import AppState
from matcher.experts import service as experts
from matcher.experts.schemas import ExpertCreate, ExpertOut, ExpertUpdate
from matcher.imports.cities import HENAN_CITY_NAMES
from matcher.imports.validators import parse_list
from matcher.models import User
from matcher.societies import service as societies
from matcher.societies.schemas import SocietyUpdate

NEW = -1


def city_choice(label: str, current: str | None, key: str) -> str:
    """A select of Henan's cities (keeping a stored city outside the list)."""
    options = ["", *HENAN_CITY_NAMES]
    if current and current not in options:
        options.append(current)
    return st.selectbox(label, options, index=options.index(current or ""), key=key)


def page(state: AppState, user: User) -> None:
    if user.society_id is None:
        st.warning("账号未绑定学会 / this log-in is not bound to a society")
        return
    show_done()
    profile_form(state, user)
    experts_section(state, user)


def profile_form(state: AppState, user: User) -> None:
    soc = run(state, lambda s: societies.get_society(session=s, society_id=user.society_id))
    plain("学会名称 name（不可修改 fixed）", soc.name)
    with st.form("society_profile"):
        description = st.text_area("简介 description", soc.description, key="soc_description")
        disciplines = st.text_input(
            "学科（用、分隔）disciplines", "、".join(soc.disciplines), key="soc_disciplines"
        )
        left, right = st.columns(2)
        with left:
            city = city_choice("城市 city", soc.city, "soc_city")
        capacity = right.number_input(
            "服务容量 capacity", 0, 100_000, soc.capacity, key="soc_capacity"
        )
        contact_name = left.text_input("联系人 contact", soc.contact_name or "", key="soc_contact")
        phone = right.text_input("电话 phone", soc.contact_phone or "", key="soc_phone")
        email = left.text_input("邮箱 e-mail", soc.email or "", key="soc_email")
        if not st.form_submit_button("保存 Save"):
            return

    attempt(
        state,
        lambda s: societies.update_society(
            session=s,
            actor=user,
            society_id=user.society_id,
            data=SocietyUpdate(
                description=description,
                disciplines=parse_list(disciplines),
                city=city,
                capacity=int(capacity),
                contact_name=contact_name,
                contact_phone=phone,
                email=email,
            ),
        ),
        "资料已保存 / profile saved",
    )


def experts_section(state: AppState, user: User) -> None:
    st.subheader("本会专家 Our experts")
    rows, total = run(
        state,
        lambda s: experts.list_experts(
            session=s, actor=user, society_id=user.society_id, limit=200
        ),
    )
    st.caption(f"共 {total} 位 / {total} experts")
    table = pd.DataFrame(
        {
            "姓名 name": [e.name for e in rows],
            "职称 title": [e.title or "" for e in rows],
            "单位 affiliation": [e.affiliation or "" for e in rows],
            "城市 city": [e.city or "" for e in rows],
            "研究领域 fields": ["、".join(e.research_areas) for e in rows],
            "电话 phone": [e.phone or "" for e in rows],
            "邮箱 e-mail": [e.email or "" for e in rows],
        }
    )
    st.dataframe(table, hide_index=True)
    downloads(table, "experts", key="experts_download")
    by_id = {e.id: e for e in rows}
    chosen = st.selectbox(
        "编辑或添加 edit or add",
        [NEW, *by_id],
        format_func=lambda i: "＋ 添加专家 add an expert" if i == NEW else by_id[i].name,
        key="expert_open",
    )
    expert_form(state, user, by_id.get(chosen))


def expert_form(state: AppState, user: User, expert: ExpertOut | None) -> None:
    """Add an expert (``expert`` None) or edit one; an edited one may leave the roster."""
    key = "new" if expert is None else str(expert.id)

    def shown(attr: str) -> str:
        value = getattr(expert, attr) if expert else None
        return "、".join(value) if isinstance(value, list) else value or ""

    with st.form(f"expert_{key}"):
        name = st.text_input("姓名 name", shown("name"), key=f"x_name_{key}")
        left, right = st.columns(2)
        title = left.text_input("职称 title", shown("title"), key=f"x_title_{key}")
        affiliation = right.text_input("单位 affiliation", shown("affiliation"), key=f"x_aff_{key}")
        with left:
            city = city_choice("城市 city", shown("city"), f"x_city_{key}")
        areas = right.text_input(
            "研究领域（用、分隔）fields", shown("research_areas"), key=f"x_areas_{key}"
        )
        profile = st.text_area("简介 profile", shown("profile"), key=f"x_prof_{key}")
        phone = left.text_input("电话 phone", shown("phone"), key=f"x_phone_{key}")
        email = right.text_input("邮箱 e-mail", shown("email"), key=f"x_mail_{key}")
        submitted = st.form_submit_button("保存专家 Save expert")
        removed = expert is not None and st.form_submit_button("移出本会 deactivate (remove)")
    fields = {
        "name": name.strip(),
        "title": title,
        "affiliation": affiliation,
        "city": city,
        "research_areas": parse_list(areas),
        "profile": profile,
        "phone": phone,
        "email": email,
    }
    if not (submitted or removed):
        return
    if expert is None:
        attempt(
            state,
            lambda s: experts.create_expert(session=s, actor=user, data=ExpertCreate(**fields)),
            f"已添加专家 / expert added: {label(fields['name'])}",
        )
    elif removed:
        attempt(
            state,
            lambda s: experts.remove_from_society(session=s, actor=user, expert_id=expert.id),
            f"已移出本会 / removed from the roster: {label(expert.name)}",
        )
    else:
        attempt(
            state,
            lambda s: experts.update_expert(
                session=s, actor=user, expert_id=expert.id, data=ExpertUpdate(**fields)
            ),
            f"已保存专家 / expert saved: {label(fields['name'])}",
        )
