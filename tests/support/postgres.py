"""A fresh schema on the PostgreSQL server ``MATCHER_TEST_DATABASE_URL`` names, dropped after.

Without the variable PostgreSQL tests skip; with it, an unreachable server is a failure."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("MATCHER_TEST_DATABASE_URL")


def _pg_url(base: str) -> str:
    if base.startswith("postgresql://") or base.startswith("postgres://"):
        base = "postgresql+psycopg://" + base.split("://", 1)[1]
    return base


@contextmanager
def postgres_schema() -> Iterator[str]:
    """The URL of an empty schema of its own (skips when no server is configured)."""
    if not PG_URL:
        pytest.skip("MATCHER_TEST_DATABASE_URL not set")
    base = _pg_url(PG_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:  # fails loudly when the server is unreachable
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
