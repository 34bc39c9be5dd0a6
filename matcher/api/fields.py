"""API field types that validate with the import validators (``matcher.imports.validators``):
one set of rules, and the same bilingual messages, for the API, the UI and spreadsheets.

A phone is normalised (0371 1234 5678 → 0371-12345678), a city too (郑州 → 郑州市), a credit
code must carry its GB 32100 check character, and a deadline may not lie in the past. An
empty string is left as it is (an optional field being cleared). The need-collection form's
fields take what a form cell takes: years as "2022年3月", budgets as "50万" or "0.5亿"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, Field

from matcher.api.types import Text
from matcher.imports import validators as v

PROGRAMME_TZ = ZoneInfo("Asia/Shanghai")
"""The programme's calendar: "today" for deadlines is today in Henan."""


def _unless_empty(parse: Callable[[Any], Any]) -> Callable[[str], str]:
    def check(value: str) -> str:
        return parse(value) if value else value

    return check


Phone = Annotated[Text(30), AfterValidator(_unless_empty(v.parse_phone))]
Email = Annotated[Text(254), AfterValidator(_unless_empty(v.parse_email))]
City = Annotated[Text(50), AfterValidator(_unless_empty(v.parse_city))]


def _credit_code(value: str) -> str | None:
    return v.parse_credit_code(value) if value else None  # "" would clash on the unique key


CreditCode = Annotated[Text(40), AfterValidator(_credit_code)]


def today() -> date:
    return datetime.now(PROGRAMME_TZ).date()


def _not_past(value: date) -> date:
    if value < today():
        raise v.CellInvalid(
            f"截止日期 {value.isoformat()} 已过，不能早于今天",
            f"the deadline {value.isoformat()} is in the past",
        )
    return value


Deadline = Annotated[date, AfterValidator(_not_past)]
"""A deadline given through the API or the UI: today or later (imports may carry history)."""


def stated(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A form field's value through an import parser (text or a number, as a form cell);
    nothing given, or blank, is none."""

    def check(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return parse(value)

    return check


Year = Annotated[int | None, BeforeValidator(stated(v.parse_year))]
"""A year: 2022, "2022", "2022年3月", "2022.03" (1950–2100)."""
Budget = Annotated[
    Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)] | None,
    BeforeValidator(stated(v.parse_budget)),
]
"""An amount in 万元: 50, "50万", "50万元", "0.5亿" (5000), "300000元" (30); 面议 → none."""
Items = Annotated[
    Annotated[list[Text(100, 1)], Field(max_length=20)] | None,
    BeforeValidator(stated(v.parse_list)),
]
"""Several values: a list, or text split on ; ； , ， 、 as in a sheet."""
