"""User management for administrators (the admin's user page): the list of log-ins with
their bindings, and create / change role / disable or enable / reset password through the
user services (password policy, audit, token revocation). Staff who are not admin may not:
they could otherwise raise their own role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.auth import service
from matcher.errors import InvalidInputError, PermissionDeniedError
from matcher.models import Enterprise, Role, Society, User


def admin_only(fn):
    """Declare a service entry admin-only: its keyword argument ``actor`` must be admin
    (or a system actor, which acts as admin)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any):
        actor = kwargs.get("actor")
        if actor is None or actor.role is not Role.ADMIN:
            raise PermissionDeniedError("仅管理员可管理用户", "admin only")
        return fn(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: Role
    bound_to: str  # the enterprise or society's name, "" for staff and admin
    active: bool
    api_key: bool
    created_at: datetime


@admin_only
def list_accounts(*, session: Session, actor: User) -> list[Account]:
    """Every log-in, with the name of what it is bound to (never a password or key)."""
    bound = func.coalesce(Enterprise.name, Society.name, "")
    rows = session.execute(
        select(User, bound)
        .outerjoin(Enterprise, Enterprise.id == User.enterprise_id)
        .outerjoin(Society, Society.id == User.society_id)
        .order_by(User.id)
    )
    return [
        Account(
            u.username,
            u.display_name,
            u.role,
            name,
            u.is_active,
            u.api_key_hash is not None,
            u.created_at,
        )
        for u, name in rows
    ]


BOUND = {Role.ENTERPRISE: Enterprise, Role.SOCIETY: Society}


@admin_only
def binding_choices(*, session: Session, actor: User, role: Role) -> dict[str, str]:
    """External id → "name（external id）" of what a log-in of ``role`` is bound to (the
    enterprises, or the societies); none for staff and admin."""
    model = BOUND.get(role)
    if model is None:
        return {}
    rows = session.execute(select(model.external_id, model.name).order_by(model.name))
    return {ext: f"{name}（{ext}）" for ext, name in rows}


def _not_self(actor: User, username: str, zh: str, en: str) -> None:
    if username == actor.username:
        raise InvalidInputError(f"不能{zh}自己的账号", f"you cannot {en} your own account")


@admin_only
def create_account(*, session: Session, actor: User, **kwargs: Any) -> User:
    """``auth.service.create_user`` (role, binding by external id, initial password)."""
    return service.create_user(session=session, actor=actor, **kwargs)[0]


@admin_only
def change_role(*, session: Session, actor: User, username: str, **kwargs: Any) -> User:
    """A new role and binding; not one's own (an admin cannot lock the last admin out)."""
    _not_self(actor, username, "更改", "change the role of")
    return service.set_role(session=session, actor=actor, username=username, **kwargs)


@admin_only
def set_enabled(*, session: Session, actor: User, username: str, active: bool) -> User:
    """Disable or enable a log-in; not one's own."""
    _not_self(actor, username, "停用", "disable")
    return service.set_active(session=session, actor=actor, username=username, active=active)


@admin_only
def reset_password(*, session: Session, actor: User, username: str, password: str) -> User:
    """Set a new password (the policy applies); the user's sessions end."""
    return service.change_password(
        session=session, actor=actor, username=username, password=password
    )
