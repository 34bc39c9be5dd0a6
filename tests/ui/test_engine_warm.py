"""``ui/serve.py`` loads the matching engine and every page's module before anyone asks, and
the pages then get that same loaded state."""

from __future__ import annotations

import sys

import engine
import pytest
import serve

from matcher.config import Settings
from matcher.db import Store
from tests.api.conftest import build_world

pytestmark = pytest.mark.slow


def test_warm_loads_the_engine_and_the_pages(store: Store, settings: Settings) -> None:
    build_world(store, settings)
    state = engine.app_state(settings)
    assert state._runtime is None  # nothing loaded by merely asking for the state
    try:
        serve.warm()
        assert state._runtime is not None and state.refresher is not None
        assert engine.app_state(settings) is state  # what the pages get
        assert "screens.dashboard" in sys.modules and "screens.enterprise" in sys.modules
    finally:
        state.close()
