"""Shared fixtures: an empty database per test on SQLite and (when configured) PostgreSQL.

``MATCHER_TEST_DATABASE_URL`` names a PostgreSQL server. Without it the PostgreSQL
variants skip; with it, an unreachable server is a failure, never a skip.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from matcher.config import Settings, get_settings
from matcher.db import Store, open_store
from tests.support.postgres import postgres_schema


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    with postgres_schema() as url:
        yield url
        close_stores()  # before the schema is dropped: a UI refresher may still be reading it


def close_stores() -> None:
    """Close the CLI's stores (one per URL for its process: their pooled PostgreSQL
    connections would otherwise pile up until the server refuses more) and stop the UI's
    per-process states with their refreshers, as a server's exit would."""
    from matcher.cli_support import close_cli_stores

    close_cli_stores()
    engine = sys.modules.get("engine")  # the UI's per-process states, when a UI test ran
    if engine is not None and hasattr(engine, "close_all"):
        engine.close_all()


@pytest.fixture(autouse=True)
def _close_cli_stores() -> Iterator[None]:
    """``close_stores`` after each test."""
    yield
    close_stores()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for one test, also exported to the environment for the CLI and app."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    monkeypatch.setenv("MATCHER_DATABASE_URL", database_url)
    monkeypatch.setenv("MATCHER_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """The test database, migrated."""
    s = open_store(settings.sqlalchemy_url)
    yield s
    s.dispose()


@pytest.fixture
def session(store: Store) -> Iterator[Session]:
    """A session whose work is rolled back at the end of the test."""
    with store.factory() as s:
        yield s
        s.rollback()
