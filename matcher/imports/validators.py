"""Cell parsers: each turns one raw cell into a stored value or raises ``CellInvalid``.

Raw cells are what a reader produced: ``None``, a stripped string, or (xlsx, jsonl) a
number, bool, date or list. Empty cells never reach the parsers.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from matcher.imports.cities import normalize_city


class CellInvalid(ValueError):
    """A cell that cannot be stored; ``reason`` is bilingual ("中文 / English")."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.reason = f"{zh} / {en}"


# ---- text ------------------------------------------------------------------------------

_INTEGRAL_FLOAT = re.compile(r"^(\d+)\.0+$")


def as_text(value: Any) -> str:
    """A cell as text; Excel numbers that are really ids or phones lose their ".0"."""
    if type(value) is str:
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "；".join(as_text(v) for v in value)
    return str(value).strip()


def parse_code(value: Any) -> str:
    """An identifier: text, with a spurious Excel ".0" removed."""
    text = as_text(value)
    match = _INTEGRAL_FLOAT.match(text)
    return match.group(1) if match else text


_LIST_SEPARATORS = re.compile(r"[;；,，、]")


def parse_list(value: Any) -> list[str]:
    """Items separated by ; ； , ， or 、 (or a JSON list); blanks and repeats dropped."""
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            loaded = json.loads(value)
        except ValueError:
            loaded = None
        if isinstance(loaded, list):
            value = loaded
    parts = value if isinstance(value, list) else [value]
    items: list[str] = []
    for part in parts:
        if part is None:
            continue
        for item in _LIST_SEPARATORS.split(parse_code(part)):
            item = item.strip()
            if item and item not in items:
                items.append(item)
    return items


def parse_city(value: Any) -> str:
    return normalize_city(as_text(value))


# ---- numbers, booleans, dates ------------------------------------------------------------


def parse_count(value: Any) -> int:
    """A whole number ≥ 0 (Excel's 10.0 is 10)."""
    if isinstance(value, bool):
        raise CellInvalid("应为非负整数", "must be a whole number ≥ 0")
    text = parse_code(value)
    if not re.fullmatch(r"\+?\d+", text):
        raise CellInvalid("应为非负整数", "must be a whole number ≥ 0")
    return int(text)


_TRUE = {"是", "true", "1", "y", "yes", "t", "√"}
_FALSE = {"否", "false", "0", "n", "no", "f", "×"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = parse_code(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellInvalid("应为 是/否", "must be yes/no (是/否, true/false, 1/0, Y/N)")


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T][\d:.]+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: Any) -> date:
    """2026-12-31, 2026/12/31, 2026.12.31, 2026年12月31日, an Excel date or serial number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", parse_code(value))
    if re.fullmatch(r"\d{5}", text) and 20000 <= int(text) <= 80000:
        return _EXCEL_EPOCH + timedelta(days=int(text))
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.match(text)
    if match:
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            raise CellInvalid("日期不存在", "no such date") from None
    raise CellInvalid("日期格式应为 2026-12-31", "date must look like 2026-12-31")


# ---- contact details ---------------------------------------------------------------------

_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})(?:(?:-|转|ext\.?|#|x)(\d{1,6}))?$", re.IGNORECASE)


def parse_phone(value: Any) -> str:
    """A mainland mobile (stored as 11 digits) or landline such as 0371-12345678(-123)."""
    text = unicodedata.normalize("NFKC", parse_code(value))
    compact = re.sub(r"[\s()]", "", text.replace(")", "-", 1) if text.startswith("(") else text)
    mobile = _MOBILE.match(compact.replace("-", ""))
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.match(compact)
    if landline:
        area, number, ext = landline.groups()
        return f"{area}-{number}" + (f"-{ext}" if ext else "")
    raise CellInvalid(
        "电话号码格式错误（手机 11 位或固话如 0371-12345678）",
        "phone must be a mainland mobile (11 digits) or a landline like 0371-12345678",
    )


_EMAIL = re.compile(
    r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$"
)


def parse_email(value: Any) -> str:
    text = unicodedata.normalize("NFKC", as_text(value))
    if not _EMAIL.match(text) or ".." in text:
        raise CellInvalid("电子邮箱格式错误", "e-mail address is malformed")
    return text


# ---- 统一社会信用代码 (GB 32100-2015) -------------------------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}


def credit_code_check_char(first17: str) -> str:
    """The 18th (check) character of a unified social credit code whose first 17 are given."""
    body = first17.strip().upper()
    if len(body) != 17 or any(ch not in _CREDIT_VALUE for ch in body):
        raise ValueError(f"need 17 characters from {CREDIT_CODE_ALPHABET}, got {first17!r}")
    total = sum(_CREDIT_VALUE[ch] * w for ch, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def parse_credit_code(value: Any) -> str:
    """A valid 统一社会信用代码, upper-cased, spaces removed."""
    code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", as_text(value))).upper()
    if len(code) != 18:
        raise CellInvalid(
            f"统一社会信用代码应为 18 位（实际 {len(code)} 位）",
            f"credit code must have 18 characters (has {len(code)})",
        )
    bad = sorted({ch for ch in code if ch not in _CREDIT_VALUE})
    if bad:
        raise CellInvalid(
            f"统一社会信用代码含非法字符 {''.join(bad)}",
            f"credit code contains characters not allowed: {''.join(bad)}",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise CellInvalid("统一社会信用代码校验位错误", "credit code check character is wrong")
    return code
