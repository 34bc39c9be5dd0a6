"""Cell parsers: each turns one raw cell into a stored value or raises ``CellInvalid``.

Raw cells are what a reader produced: ``None``, a stripped string, or (xlsx, jsonl) a
number, bool, date or list. Empty cells never reach the parsers.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from matcher.imports.cities import normalize_city
from matcher.models.enterprise import ACTIVITY_TYPES, SOLUTION_MODES


class CellInvalid(ValueError):
    """A cell that cannot be stored; ``reason`` is bilingual ("中文 / English")."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en
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


# ---- the need-collection form (企业技术需求征集表) ------------------------------------------

NO_VALUE = frozenset(
    {"面议", "待定", "未定", "另议", "协商", "不限", "长期", "暂无", "无", "不详", "-", "—", "/"}
)
"""Words a form cell uses for "nothing stated": stored as empty, not an error."""

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_SHORT_RANGE = re.compile(r"^((?:19|20)\d{2})年?\s*[-~～—–至到]\s*(\d{2})年?$")
_MIN_YEAR, _MAX_YEAR = 1950, 2100


def _no_value(text: str) -> bool:
    return re.sub(r"\s+", "", text).strip("。.") in NO_VALUE


def _years(value: Any) -> list[int] | None:
    """The years written in a cell, in order; None for a "nothing stated" word."""
    if isinstance(value, datetime | date):
        return [value.year]
    text = unicodedata.normalize("NFKC", parse_code(value)).strip()
    if _no_value(text):
        return None
    if re.fullmatch(r"\d{5}", text) and 20000 <= int(text) <= 80000:  # an Excel date serial
        return [(_EXCEL_EPOCH + timedelta(days=int(text))).year]
    if re.fullmatch(r"\d{6}|\d{8}", text):  # 202203, 20220301
        text = text[:4]
    short = _SHORT_RANGE.match(text)
    if short:  # 2022-24
        start = int(short.group(1))
        return [start, start // 100 * 100 + int(short.group(2))]
    years = [int(y) for y in _YEAR.findall(text)]
    if not years or any(not _MIN_YEAR <= y <= _MAX_YEAR for y in years):
        raise CellInvalid(
            "应为年份或年月，如 2022、2022年3月、2022.03、2022-2024",
            "must be a year or a month, e.g. 2022, 2022年3月, 2022.03, 2022-2024",
        )
    return years


def parse_year(value: Any) -> int | None:
    """One year from 2022, 2022年3月, 2022.03, 2022/3, 2022-03-01, a date cell or serial."""
    years = _years(value)
    if years is None:
        return None
    if len(years) != 1:
        raise CellInvalid("应为一个年份", "must be a single year")
    return years[0]


def parse_time_frame(value: Any) -> tuple[int | None, int | None] | None:
    """需求时限 as (start year, end year): "2022-2024", "2022年3月至2024年12月", "2022-24";
    a single year or date is the end of the time frame."""
    years = _years(value)
    if years is None:
        return None
    if len(years) == 1:
        return None, years[0]
    if len(years) > 2:
        raise CellInvalid("应为起止年份，如 2022-2024", "must be a start and end, e.g. 2022-2024")
    start, end = years
    if start > end:
        raise CellInvalid("开始年份晚于结束年份", "the start year is after the end year")
    return start, end


def check_year_order(start: int | None, end: int | None) -> None:
    """A time frame's end may not come before its start."""
    if start is not None and end is not None and start > end:
        raise CellInvalid(
            f"结束年份 {end} 早于开始年份 {start}", f"end year {end} before start year {start}"
        )


_AMOUNT = re.compile(
    r"^(?:约|大约|不少于|不低于|不超过|至少|最多)?(\d+(?:\.\d+)?)(亿元|亿|万元|万|元)?"
    r"(?:人民币)?(?:以上|以内|以下|左右)?$"
)
_PER_UNIT = {"亿元": 10000.0, "亿": 10000.0, "万元": 1.0, "万": 1.0, "元": 0.0001, None: 1.0}


def parse_budget(value: Any) -> float | None:
    """An amount in 万元: 50, "50万", "50万元", "0.5亿" (5000), "300000元" (30); 面议 → none."""
    if isinstance(value, bool):
        raise CellInvalid("应为金额（万元）", "must be an amount in 万元")
    if isinstance(value, int | float):
        amount = float(value)
    else:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", as_text(value)))
        if _no_value(text):
            return None
        text = re.sub(r"^(?:人民币|RMB|¥|￥)", "", text, flags=re.IGNORECASE)
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?\D*", text):  # 1,000万
            text = text.replace(",", "")
        match = _AMOUNT.match(text)
        if not match:
            raise CellInvalid(
                "应为金额（万元），如 50、50万、0.5亿 或 面议",
                "must be an amount in 万元, e.g. 50, 50万, 0.5亿 or 面议",
            )
        amount = float(match.group(1)) * _PER_UNIT[match.group(2)]
    if not math.isfinite(amount):
        raise CellInvalid("应为金额（万元）", "must be an amount in 万元")
    if amount < 0:
        raise CellInvalid("金额（万元）不能为负", "the amount in 万元 must not be negative")
    return round(amount, 4)


_CHECKED = re.compile(r"[☑☒■√✓✔▣]\s*([^\s□☐☑☒■√✓✔▣]+)")
_BOXES = re.compile(r"[□☐☑☒■√✓✔▣]")


def _choice(value: Any, aliases: dict[str, str], allowed: tuple[str, ...]) -> str | None:
    """One value of a closed list; a form's ticked box ("☑合作研发 □其他") counts."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", as_text(value)))
    if _BOXES.search(text):
        ticked = _CHECKED.findall(text)
        text = ticked[0] if len(ticked) == 1 else ""
    elif _no_value(text):
        return None
    found = aliases.get(text.lower())
    if found is None:
        raise CellInvalid(f"应为 {'/'.join(allowed)} 之一", f"must be one of {', '.join(allowed)}")
    return found


def _aliases(allowed: tuple[str, ...], extra: dict[str, str]) -> dict[str, str]:
    return {a: a for a in allowed} | {k.lower(): v for k, v in extra.items()}


_SOLUTION_ALIASES = _aliases(
    SOLUTION_MODES,
    {
        "独立开发": "独立研发",
        "自主研发": "独立研发",
        "自主开发": "独立研发",
        "委托开发": "委托研发",
        "委托": "委托研发",
        "合作开发": "合作研发",
        "联合研发": "合作研发",
        "联合开发": "合作研发",
        "合作": "合作研发",
        "产学研合作": "合作研发",
        "其它": "其他",
    },
)


def parse_solution_mode(value: Any) -> str | None:
    """技术需求解决方式: 独立研发 / 委托研发 / 合作研发 / 其他 (自主研发, 合作开发 … accepted)."""
    return _choice(value, _SOLUTION_ALIASES, SOLUTION_MODES)


_ACTIVITY_ALIASES = _aliases(
    ACTIVITY_TYPES,
    {
        "研究与试验发展成果的应用": "研究与试验发展成果应用",
        "研发成果应用": "研究与试验发展成果应用",
        "r&d成果应用": "研究与试验发展成果应用",
        "成果应用": "研究与试验发展成果应用",
        "技术推广和科技服务": "技术推广与科技服务",
        "技术推广": "技术推广与科技服务",
        "科技服务": "技术推广与科技服务",
        "其它": "其他",
    },
)


def parse_activity_type(value: Any) -> str | None:
    """科技活动类型: 基础研究 / 应用研究 / 试验发展 / 研究与试验发展成果应用 / 技术推广与科技服务
    / 生产性活动 / 其他."""
    return _choice(value, _ACTIVITY_ALIASES, ACTIVITY_TYPES)
