"""What every CLI command shares: settings and the migrated store."""

from __future__ import annotations

from functools import lru_cache

from matcher.config import Settings, get_settings
from matcher.db import Store, open_store


def cli_store() -> Store:
    """The store named by the settings, migrated, opened once per process and URL."""
    return _store_for(get_settings().sqlalchemy_url)


CLI_BUSY_TIMEOUT = 30.0
"""A command waits longer than a web request for SQLite's write lock."""


_OPENED: list[Store] = []


@lru_cache
def _store_for(url: str) -> Store:
    from matcher.private import clean_stale_temp_files

    settings = get_settings()
    clean_stale_temp_files(settings.data_dir, settings.index_dir, settings.models_dir)
    store = open_store(url, busy_timeout=CLI_BUSY_TIMEOUT)
    _OPENED.append(store)
    return store


def close_cli_stores() -> None:
    """Close every store the CLI opened in this process (its pooled connections), so the
    next command opens afresh — as a new process would (tests call it after each test)."""
    _store_for.cache_clear()
    while _OPENED:
        _OPENED.pop().dispose()


def cli_settings() -> Settings:
    return get_settings()
