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
from matcher.models import TargetKind, TechNeed

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
    """Open the store, load the matching runtime and rank one made-up need now (a page that
    needs the runtime meanwhile waits for this load instead of starting another)."""
    try:
        state = app_state(settings)
        state.store  # noqa: B018 - open (and migrate) now
        _rank_probe(state)
        log.info("matching engine loaded")
    except Exception:  # the pages will show the error to whoever needs the engine
        log.exception("loading the matching engine at start failed")


def _rank_probe(state: AppState) -> None:
    """Rank a need that is never stored: the first ranking's own set-up (segmenter
    dictionary, caches) is paid here rather than by the first user who posts."""
    from matcher.matching.service import rank_needs

    probe = TechNeed(title="生产设备故障诊断", description="生产线设备振动监测与故障诊断")
    with state.store.factory() as session:
        rank_needs(session=session, runtime=state.runtime, needs=[probe], target=TargetKind.SOCIETY)
        session.rollback()


def close_all() -> None:
    """Stop every state's refresher and close its store (tests call it after each test, as a
    server's exit would)."""
    with _lock:
        while _states:
            _states.popitem()[1].close()
