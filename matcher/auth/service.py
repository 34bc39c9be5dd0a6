"""Users: creation, roles, passwords, disabling, log-in (throttled), tokens, API keys."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.audit.service import record
from matcher.auth import security, throttle
from matcher.auth.actors import Actor
from matcher.auth.passwords import check_password
from matcher.auth.policy import staff_only
from matcher.config import Settings
from matcher.db import Store
from matcher.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
)
from matcher.models import AuditEvent, Enterprise, Role, Society, User

LOGIN_FAILED = "login_failed"


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


@staff_only
def create_user(
    *,
    session: Session,
    actor: Actor,
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
    check_password(password, username=username)
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


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"用户 {username} ", f"user {username}")
    return user


@staff_only
def set_role(
    *,
    session: Session,
    actor: Actor,
    username: str,
    role: Role | str,
    enterprise_external_id: str | None = None,
    society_external_id: str | None = None,
) -> User:
    """Change a user's role (and binding); audited with the old and new role; the user's
    tokens stop working."""
    role = _role(role)
    user = _user(session, username)
    enterprise_id, society_id = _bound_ids(
        session, role, enterprise_external_id, society_external_id
    )
    old = user.role
    user.role, user.enterprise_id, user.society_id = role, enterprise_id, society_id
    user.token_version += 1
    record(
        session=session,
        actor=actor,
        action="role_changed",
        target_type="user",
        target_id=user.id,
        detail={"username": username, "from": old.value, "to": role.value},
    )
    return user


@staff_only
def change_password(*, session: Session, actor: Actor, username: str, password: str) -> User:
    """Set a new password (the policy applies); every token issued before stops working."""
    user = _user(session, username)
    check_password(password, username=user.username)
    user.password_hash = security.hash_password(password)
    user.token_version += 1
    record(
        session=session,
        actor=actor,
        action="password_changed",
        target_type="user",
        target_id=user.id,
        detail={"username": user.username},
    )
    return user


@staff_only
def set_active(*, session: Session, actor: Actor, username: str, active: bool) -> User:
    """Disable (or re-enable) a log-in; a disabled user's tokens and API key stop working."""
    user = _user(session, username)
    if user.is_active != active:
        user.is_active = active
        user.token_version += 1
        record(
            session=session,
            actor=actor,
            action="user_enabled" if active else "user_disabled",
            target_type="user",
            target_id=user.id,
            detail={"username": user.username},
        )
    return user


@staff_only
def new_api_key(*, session: Session, actor: Actor, username: str) -> str:
    """Issue a new API key for ``username`` (the previous one stops working); shown once."""
    user = _user(session, username)
    key = security.new_api_key()
    user.api_key_hash = security.hash_api_key(key)
    record(
        session=session,
        actor=actor,
        action="api_key_issued",
        target_type="user",
        target_id=user.id,
        detail={"username": user.username},
    )
    return key


@staff_only
def revoke_api_key(*, session: Session, actor: Actor, username: str) -> bool:
    """Revoke ``username``'s API key; False when it had none."""
    user = _user(session, username)
    if user.api_key_hash is None:
        return False
    user.api_key_hash = None
    record(
        session=session,
        actor=actor,
        action="api_key_revoked",
        target_type="user",
        target_id=user.id,
        detail={"username": user.username},
    )
    return True


# ---- log-in -------------------------------------------------------------------------------


def log_in(
    *, store: Store, settings: Settings, username: str, password: str, client_ip: str | None
) -> User:
    """The active user with these credentials; ``RateLimitedError`` when throttled,
    ``AuthenticationError`` otherwise.

    Unlike other services this one owns its transactions: the attempt is counted and
    committed before the password is checked (so parallel attempts cannot race past the
    limit, and no write lock is held while hashing), and a failure is audited although the
    log-in is refused.
    """
    limit = settings.login_attempts_per_minute
    with store.transaction() as session:
        throttle.reserve(session=session, username=username, client_ip=client_ip, limit=limit)
        user = session.scalar(select(User).where(User.username == username))
        if user is not None:
            session.expunge(user)
    ok = security.verify_password(user.password_hash if user else None, password)
    with store.transaction() as session:
        if ok and user is not None and user.is_active:
            throttle.release(session=session, username=username, client_ip=client_ip, limit=limit)
            return user
        record_login_failure(session=session, username=username, client_ip=client_ip)
    raise login_failed()


def _ip_label(client_ip: str) -> str:
    return f"ip:{client_ip}"[:100]


def record_login_failure(*, session: Session, username: str, client_ip: str | None) -> None:
    """Audit a refused log-in."""
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
        version=user.token_version or 0,
    )


def _active(user: User | None) -> User:
    if user is None or not user.is_active:
        raise AuthenticationError(
            "账号不存在或已停用", "unknown or inactive user", code="invalid_token"
        )
    return user


def user_from_token(*, session: Session, settings: Settings, token: str) -> User:
    """The user a valid token names; a role or password change since issue (or disabling
    the user) invalidates the token."""
    claims = security.decode_token(token, key=settings.signing_key())
    user = _active(session.get(User, security.user_id_of(claims)))
    if user.role.value != claims["role"] or (user.token_version or 0) != claims["ver"]:
        raise AuthenticationError(
            "登录已失效，请重新登录", "token revoked, log in again", code="invalid_token"
        )
    return user


def user_from_api_key(*, session: Session, key: str) -> User:
    if not key.startswith(security.API_KEY_PREFIX) or len(key) > 200:
        raise AuthenticationError("API 密钥无效", "invalid API key", code="invalid_api_key")
    user = session.scalar(select(User).where(User.api_key_hash == security.hash_api_key(key)))
    if user is None:
        raise AuthenticationError("API 密钥无效", "invalid API key", code="invalid_api_key")
    return _active(user)
