"""The pages each role sees, in sidebar order: (label, module in ``screens``).

Each module has ``page(state, user)``; only the chosen page runs, so a page's queries cost
nothing while another is open. Add a page by adding a line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from matcher.api.state import AppState
from matcher.models import Role, User

Page = Callable[[AppState, User], None]

ENTERPRISE_PAGES: list[tuple[str, str]] = [
    ("企业工作台 My needs", "enterprise"),
    ("工作站 Workstations", "party_proposals"),
    ("服务活动 Activities", "enterprise_activities"),
]
SOCIETY_PAGES: list[tuple[str, str]] = [
    ("线索 Leads", "society"),
    ("服务 Assignments", "society_assignments"),
    ("学会资料 Profile", "society_profile"),
    ("工作站 Workstations", "party_proposals"),
    ("服务活动 Activities", "society_activities"),
]
STAFF_PAGES: list[tuple[str, str]] = [
    ("概览 Overview", "staff_overview"),
    ("数据看板 Dashboard", "dashboard"),
    ("需求 Needs", "staff_needs"),
    ("匹配 Matches", "staff_matches"),
    ("批量分配 Assign", "staff_assign"),
    ("结对 Pairing", "staff_pairing"),
    ("服务进程 Services", "staff_services"),
    ("导入 Import", "staff_import"),
    ("服务团 Teams", "staff_teams"),
    ("年度数据 Programme", "programme"),
    ("利益冲突 Conflicts", "staff_conflicts"),
    ("工作站 Workstations", "staff_proposals"),
    ("审计 Audit", "staff_audit"),
]
ADMIN_PAGES: list[tuple[str, str]] = [  # admin sees the staff pages and these
    ("用户管理 Users", "admin_users"),
]


def pages_for(user: User) -> list[tuple[str, str]]:
    if user.role is Role.ENTERPRISE:
        return ENTERPRISE_PAGES
    if user.role is Role.SOCIETY:
        return SOCIETY_PAGES
    if user.role is Role.ADMIN:
        return STAFF_PAGES + ADMIN_PAGES
    return STAFF_PAGES


def load(module: str) -> Page:
    return importlib.import_module(f"screens.{module}").page
