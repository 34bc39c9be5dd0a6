"""Cell parsers of the ``activities`` import: service type, platform kind, hours."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from matcher.imports.validators import CellInvalid, _aliases, _choice, parse_code
from matcher.models.programme import PLATFORM_KINDS, SERVICE_TYPES

_SERVICE_ALIASES = _aliases(
    SERVICE_TYPES,
    {
        "政策宣讲": "宣讲科技创新政策",
        "宣讲政策": "宣讲科技创新政策",
        "科技政策宣讲": "宣讲科技创新政策",
        "技术服务": "技术指导",
        "解决难题": "解决发展难题",
        "科研团队": "联合科研团队",
        "联合攻关团队": "联合科研团队",
        "平台": "平台建设",
        "其它": "其他",
    },
)
_PLATFORM_ALIASES = _aliases(
    PLATFORM_KINDS, {"专家工作站": "学会专家工作站", "海智站": "海智工作站"}
)


def parse_service_type(value: Any) -> str | None:
    """服务类型: 宣讲科技创新政策 / 技术指导 / 解决发展难题 / 联合科研团队 / 创新联合体 /
    平台建设 / 其他 (政策宣讲, 技术服务 … accepted)."""
    return _choice(value, _SERVICE_ALIASES, SERVICE_TYPES)


def parse_platform_kind(value: Any) -> str | None:
    """平台类型 (only with 平台建设): 企业科协 / 学会专家工作站 / 海智工作站."""
    return _choice(value, _PLATFORM_ALIASES, PLATFORM_KINDS)


def parse_hours(value: Any) -> float:
    """Hours ≥ 0, e.g. 4, 2.5, 3小时, 3h."""
    if isinstance(value, bool):
        raise CellInvalid("应为小时数（≥ 0）", "must be a number of hours ≥ 0")
    if isinstance(value, int | float):
        hours = float(value)
    else:
        text = unicodedata.normalize("NFKC", parse_code(value)).lower()
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:小时|h|hours?)?", text)
        if not match:
            raise CellInvalid("应为小时数（≥ 0），如 4 或 2.5", "must be hours ≥ 0, e.g. 4 or 2.5")
        hours = float(match.group(1))
    if not math.isfinite(hours) or hours < 0 or hours > 100_000:
        raise CellInvalid("小时数应在 0–100000 之间", "hours must be between 0 and 100000")
    return round(hours, 4)
