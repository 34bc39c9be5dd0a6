"""Portable SQL expressions the dashboard groups by (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class month_of(FunctionElement):
    """``'YYYY-MM'`` of a UTC timestamp column."""

    type = String()
    inherit_cache = True
    name = "month_of"


class hours_between(FunctionElement):
    """Hours from the second timestamp to the first (may be fractional)."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


@compiles(month_of)
def _month_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC timestamps as ISO text
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_pg(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM')"


@compiles(hours_between)
def _hours_sqlite(element: hours_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 24.0)"


@compiles(hours_between, "postgresql")
def _hours_pg(element: hours_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later}) - ({earlier})) / 3600.0)"
