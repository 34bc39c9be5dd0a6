"""The one ``AppState`` (store and matching runtime) per UI server process and database.

``serve.py`` loads it while Streamlit starts, so the first action after a start (e.g. the
first post, which ranks with the engine) answers as fast as later ones; pages get the same
object from ``app_state``.
"""

from __future__ import annotations

import logging
import threading

from matcher.api.state import AppState
from matcher.config import Settings

_states: dict[tuple[str, str], AppState] = {}
_lock = threading.Lock()
log = logging.getLogger(__name__)


def app_state(settings: Settings) -> AppState:
    """The process's state for these settings' database and data directory (created once;
    the runtime loads on first use unless ``warm`` loaded it)."""
    key = (settings.sqlalchemy_url, str(settings.data_dir))
    with _lock:
        if key not in _states:
            _states[key] = AppState(settings)
        return _states[key]


def warm(settings: Settings) -> None:
    """Open the store and load the matching runtime now (it ranks a made-up need against each
    version before serving it: ``runtime.probe``); a page that needs the runtime meanwhile
    waits for this load instead of starting another."""
    try:
        state = app_state(settings)
        state.store  # noqa: B018 - open (and migrate) now
        state.runtime  # noqa: B018 - load now
        log.info("matching engine loaded")
    except Exception:  # the pages will show the error to whoever needs the engine
        log.exception("loading the matching engine at start failed")


def close_all() -> None:
    """Stop every state's refresher and close its store (tests call it after each test, as a
    server's exit would)."""
    with _lock:
        while _states:
            _states.popitem()[1].close()
