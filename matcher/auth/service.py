"""Users: creation, roles, log-in (rate-limited through the audit trail), tokens, API keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from matcher.audit.service import record
from matcher.auth import security
from matcher.config import Settings
from matcher.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
)
from matcher.models import AuditEvent, Enterprise, Role, Society, User

LOGIN_FAILED = "login_failed"
LOGIN_WINDOW = timedelta(minutes=1)
IP_LIMIT_FACTOR = 5
"""One client address may fail this many times more often than one username."""


def _bound_ids(
    session: Session, role: Role, enterprise_ext: str | None, society_ext: str | None
) -> tuple[int | None, int | None]:
    if role is Role.ENTERPRISE:
        if not enterprise_ext or society_ext:
            raise InvalidInputError(
                "企业账号必须且只能绑定一个企业", "an enterprise user needs --enterprise only"
            )
        ent = session.scalar(select(Enterprise).where(Enterprise.external_id == enterprise_ext))
        if ent is None:
            raise NotFoundError(f"企业 {enterprise_ext} ", f"enterprise {enterprise_ext}")
        return ent.id, None
    if role is Role.SOCIETY:
        if not society_ext or enterprise_ext:
            raise InvalidInputError(
                "学会账号必须且只能绑定一个学会", "a society user needs --society only"
            )
        soc = session.scalar(select(Society).where(Society.external_id == society_ext))
        if soc is None:
            raise NotFoundError(f"学会 {society_ext} ", f"society {society_ext}")
        return None, soc.id
    if enterprise_ext or society_ext:
        raise InvalidInputError(
            "工作人员和管理员账号不绑定企业或学会", "staff and admin users are not bound"
        )
    return None, None


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInputError(
            f"未知角色 {value}（可选 {allowed}）", f"unknown role {value}"
        ) from None


def create_user(
    *,
    session: Session,
    actor: User | None,
    username: str,
    password: str,
    role: Role | str,
    enterprise_external_id: str | None = None,
    society_external_id: str | None = None,
    display_name: str = "",
    with_api_key: bool = False,
) -> tuple[User, str | None]:
    """Create a log-in; returns the user and, if asked, its API key (shown only once)."""
    role = _role(role)
    username = username.strip()
    if not username or len(username) > 64:
        raise InvalidInputError("用户名须为 1–64 个字符", "username must be 1-64 characters")
    if len(password) < 8:
        raise InvalidInputError("密码至少 8 个字符", "password must have at least 8 characters")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(f"用户名 {username} 已存在", f"username {username} already exists")
    enterprise_id, society_id = _bound_ids(
        session, role, enterprise_external_id, society_external_id
    )
    key = security.new_api_key() if with_api_key else None
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=security.hash_password(password),
        role=role,
        enterprise_id=enterprise_id,
        society_id=society_id,
        api_key_hash=security.hash_api_key(key) if key else None,
    )
    session.add(user)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="user_created",
        target_type="user",
        target_id=user.id,
        detail={"username": username, "role": role.value, "api_key": bool(key)},
    )
    return user, key


def list_users(*, session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def set_role(
    *,
    session: Session,
    actor: User | None,
    username: str,
    role: Role | str,
    enterprise_external_id: str | None = None,
    society_external_id: str | None = None,
) -> User:
    """Change a user's role (and binding); audited with the old and new role."""
    role = _role(role)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"用户 {username} ", f"user {username}")
    enterprise_id, society_id = _bound_ids(
        session, role, enterprise_external_id, society_external_id
    )
    old = user.role
    user.role, user.enterprise_id, user.society_id = role, enterprise_id, society_id
    record(
        session=session,
        actor=actor,
        action="role_changed",
        target_type="user",
        target_id=user.id,
        detail={"username": username, "from": old.value, "to": role.value},
    )
    return user


def _failures_since(session: Session, since: datetime, *conditions) -> tuple[int, datetime | None]:
    count, oldest = session.execute(
        select(func.count(), func.min(AuditEvent.at)).where(
            AuditEvent.action == LOGIN_FAILED, AuditEvent.at >= since, or_(*conditions)
        )
    ).one()
    return count, oldest


def check_login_rate(
    *, session: Session, settings: Settings, username: str, client_ip: str | None
) -> None:
    """Raise ``RateLimitedError`` when this username (or address) failed too often lately.

    Counted from the audit trail, so every API replica on the same database agrees.
    """
    now = datetime.now(UTC)
    since = now - LOGIN_WINDOW
    limit = settings.login_attempts_per_minute
    checks = [(AuditEvent.target_id == username[:64], limit)]
    if client_ip:
        checks.append((AuditEvent.actor_label == _ip_label(client_ip), limit * IP_LIMIT_FACTOR))
    for condition, allowed in checks:
        count, oldest = _failures_since(session, since, condition)
        if count >= allowed:
            if oldest.tzinfo is None:  # SQLite returns naive UTC
                oldest = oldest.replace(tzinfo=UTC)
            retry = max(1, int((oldest + LOGIN_WINDOW - now).total_seconds()) + 1)
            raise RateLimitedError(
                f"登录失败次数过多，请 {retry} 秒后再试",
                f"too many failed log-ins, retry in {retry} s",
                details={"retry_after": retry},
            )


def _ip_label(client_ip: str) -> str:
    return f"ip:{client_ip}"[:100]


def authenticate(
    *,
    session: Session,
    settings: Settings,
    username: str,
    password: str,
    client_ip: str | None = None,
) -> User | None:
    """The active user with these credentials, or ``None`` after auditing the failure.

    The caller must commit even on ``None`` (so the failure counts towards the rate limit)
    and then refuse the log-in; ``RateLimitedError`` is raised before any check.
    """
    check_login_rate(session=session, settings=settings, username=username, client_ip=client_ip)
    user = session.scalar(select(User).where(User.username == username))
    ok = security.verify_password(user.password_hash if user else None, password)
    if ok and user is not None and user.is_active:
        return user
    record_login_failure(session=session, username=username, client_ip=client_ip)
    return None


def record_login_failure(*, session: Session, username: str, client_ip: str | None) -> None:
    """Audit a refused log-in; these events are what the rate limit counts."""
    session.add(
        AuditEvent(
            actor_id=None,
            actor_label=_ip_label(client_ip) if client_ip else "anonymous",
            action=LOGIN_FAILED,
            target_type="user",
            target_id=username[:64],
            detail={"client_ip": client_ip},
        )
    )


def login_failed() -> AuthenticationError:
    return AuthenticationError(
        "用户名或密码错误", "wrong username or password", code="bad_credentials"
    )


def issue_token(*, settings: Settings, user: User) -> tuple[str, int]:
    """A signed access token for ``user`` and its lifetime in seconds."""
    return security.issue_token(
        user_id=user.id,
        role=user.role.value,
        key=settings.signing_key(),
        ttl_minutes=settings.token_ttl_minutes,
    )


def _active(user: User | None) -> User:
    if user is None or not user.is_active:
        raise AuthenticationError(
            "账号不存在或已停用", "unknown or inactive user", code="invalid_token"
        )
    return user


def user_from_token(*, session: Session, settings: Settings, token: str) -> User:
    """The user a valid token names; a role change since issue invalidates the token."""
    claims = security.decode_token(token, key=settings.signing_key())
    user = _active(session.get(User, int(claims["sub"])))
    if user.role.value != claims["role"]:
        raise AuthenticationError("角色已变更，请重新登录", "role changed", code="invalid_token")
    return user


def user_from_api_key(*, session: Session, key: str) -> User:
    if not key.startswith(security.API_KEY_PREFIX):
        raise AuthenticationError("API 密钥无效", "invalid API key", code="invalid_api_key")
    user = session.scalar(select(User).where(User.api_key_hash == security.hash_api_key(key)))
    if user is None:
        raise AuthenticationError("API 密钥无效", "invalid API key", code="invalid_api_key")
    return _active(user)
