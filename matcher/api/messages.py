"""Bilingual messages for request validation errors: pydantic's English never reaches users.

Each pydantic error type maps to a Chinese and an English template filled from the error's
``ctx``; a ``value_error`` raised by our validators (``CellInvalid`` and the checks in
``matcher.api.types``) already carries a bilingual reason and is passed on as it is.
"""

from __future__ import annotations

from typing import Any

_TEXT = ("应为文本", "must be text")
_INT = ("应为整数", "must be a whole number")
_NUMBER = ("应为数字", "must be a number")
_BOOL = ("应为 true 或 false", "must be true or false")
_DATE = ("日期格式应为 2026-12-31", "date must look like 2026-12-31")
_DATETIME = (
    "时间格式应为 ISO 8601，如 2026-01-31T08:00:00+08:00",
    "expected an ISO 8601 date-time, e.g. 2026-01-31T08:00:00+08:00",
)
_OBJECT = ("应为 JSON 对象", "must be a JSON object")

MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("必填项缺失", "a value is required"),
    "string_too_short": ("至少 {min_length} 个字符", "at least {min_length} character(s)"),
    "string_too_long": ("最多 {max_length} 个字符", "at most {max_length} characters"),
    "string_pattern_mismatch": (
        "不能为空白，也不能含 NUL 字符",
        "must not be blank or contain NUL characters",
    ),
    "string_type": _TEXT,
    "string_unicode": ("应为有效的 Unicode 文本", "must be valid Unicode text"),
    "int_parsing": _INT,
    "int_type": _INT,
    "int_from_float": _INT,
    "int_parsing_size": ("数值超出范围", "number out of range"),
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "finite_number": ("应为有限数字", "must be a finite number"),
    "bool_parsing": _BOOL,
    "bool_type": _BOOL,
    "greater_than": ("应大于 {gt}", "must be greater than {gt}"),
    "greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "less_than": ("应小于 {lt}", "must be less than {lt}"),
    "less_than_equal": ("不能大于 {le}", "must be at most {le}"),
    "enum": ("取值无效，可选：{expected}", "must be one of {expected}"),
    "literal_error": ("取值无效，可选：{expected}", "must be one of {expected}"),
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_type": _DATE,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_type": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "timezone_aware": ("时间须带时区", "the time must state its time zone"),
    "json_invalid": ("请求体不是有效的 JSON", "the body is not valid JSON"),
    "json_type": ("请求体不是有效的 JSON", "the body is not valid JSON"),
    "model_attributes_type": _OBJECT,
    "model_type": _OBJECT,
    "dict_type": _OBJECT,
    "list_type": ("应为列表", "must be a list"),
    "too_long": ("最多 {max_length} 项", "at most {max_length} items"),
    "too_short": ("至少 {min_length} 项", "at least {min_length} item(s)"),
    "extra_forbidden": ("不允许的字段", "unknown field"),
    "none_required": ("应为空", "must be empty"),
    "url_parsing": ("网址格式错误", "malformed URL"),
    "uuid_parsing": ("UUID 格式错误", "malformed UUID"),
    "bytes_type": ("应为文件或字节", "must be a file or bytes"),
    "value_error": ("取值无效", "invalid value"),
    "assertion_error": ("取值无效", "invalid value"),
}
FALLBACK = ("取值无效", "invalid value")


def _fill(template: str, ctx: dict[str, Any]) -> str:
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return template.split("{", 1)[0].rstrip("：: ") or template


def translate(error: dict[str, Any]) -> str:
    """One pydantic error as "中文 / English"."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        exc = ctx.get("error")
        reason = getattr(exc, "reason", None) or (str(exc) if exc is not None else "")
        if " / " in reason:  # our validators' bilingual messages
            return reason
    zh, en = MESSAGES.get(kind, FALLBACK)
    return f"{_fill(zh, ctx)} / {_fill(en, ctx)}"


def field_name(loc: tuple | list) -> str:
    return ".".join(str(p) for p in loc)
