"""What every CLI command shares: settings and the migrated store."""

from __future__ import annotations

from functools import lru_cache

from matcher.config import Settings, get_settings
from matcher.db import Store, open_store


def cli_store() -> Store:
    """The store named by the settings, migrated, opened once per process and URL."""
    return _store_for(get_settings().sqlalchemy_url)


@lru_cache
def _store_for(url: str) -> Store:
    return open_store(url)


def cli_settings() -> Settings:
    return get_settings()
