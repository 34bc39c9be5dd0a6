"""Typed errors users can meet, each with a stable code and a Chinese/English message.

The CLI and the API translate these; nothing else should reach a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class MatcherError(Exception):
    """Base of every user-facing error."""

    code: str = "error"
    status: int = 400

    def __init__(
        self,
        message_zh: str,
        message_en: str = "",
        *,
        code: str | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(f"{message_zh} / {message_en}" if message_en else message_zh)
        self.message_zh = message_zh
        self.message_en = message_en or message_zh
        if code:
            self.code = code
        self.details = details

    @property
    def message(self) -> str:
        return str(self)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class NotFoundError(MatcherError):
    """Missing, or not visible to this actor (the two are indistinguishable on purpose)."""

    code = "not_found"
    status = 404

    def __init__(self, what: str = "对象", what_en: str = "object") -> None:
        super().__init__(f"{what}不存在", f"{what_en} not found")


class InvalidInputError(MatcherError):
    code = "invalid_input"
    status = 422


class ConflictError(MatcherError):
    code = "conflict"
    status = 409


class AuthenticationError(MatcherError):
    code = "unauthenticated"
    status = 401


class PermissionDeniedError(MatcherError):
    """For actions (not reads) an actor may see but not do; reads use NotFoundError."""

    code = "forbidden"
    status = 403


class RateLimitedError(MatcherError):
    code = "rate_limited"
    status = 429


class ServiceBusyError(MatcherError):
    """The store is busy (a write lock held too long, no free connection); retry shortly.
    ``details["retry_after"]`` (seconds) becomes the HTTP ``Retry-After`` header."""

    code = "busy"
    status = 503

    def __init__(
        self,
        message_zh: str = "系统繁忙，请稍后重试",
        message_en: str = "the service is busy, please retry shortly",
        *,
        retry_after: int = 2,
        code: str | None = None,
    ) -> None:
        super().__init__(message_zh, message_en, code=code, details={"retry_after": retry_after})


class ConfigurationError(MatcherError):
    """A setting that cannot be used (e.g. a weak signing key); the process refuses to start."""

    code = "bad_configuration"
    status = 500


@dataclass(frozen=True)
class RowError:
    """One problem in one cell of an input file."""

    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.field}: {self.reason}"


class ImportRejectedError(MatcherError):
    """A file with at least one bad row; nothing was written."""

    code = "import_rejected"
    status = 422

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(
            f"导入失败：{len(errors)} 处错误，未写入任何数据",
            f"import rejected: {len(errors)} error(s), nothing was written",
            details=[
                {"file": e.file, "row": e.row, "field": e.field, "reason": e.reason} for e in errors
            ],
        )
