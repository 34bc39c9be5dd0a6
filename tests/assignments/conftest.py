"""The small bulk-assignment store, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from matcher import cli_support

from .world import Ids, build


@pytest.fixture
def ids(store) -> Ids:
    with store.transaction() as s:
        return build(s)


@pytest.fixture(autouse=True)
def _close_cli_store(settings) -> Iterator[None]:
    """The CLI keeps one store per URL for its process; close this test's (its pooled
    PostgreSQL connections would otherwise stay open until the test run ends)."""
    yield
    if cli_support._store_for.cache_info().currsize:
        cli_support.cli_store().dispose()
        cli_support._store_for.cache_clear()
