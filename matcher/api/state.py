"""What one API process holds: settings, the store, the matching runtime and metrics.

Opened by the app's lifespan, or lazily on the first request when the app is driven
without one (e.g. by an ASGI test client), and at most once either way.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from matcher.api.metrics import Metrics
from matcher.config import Settings
from matcher.db import Store, open_store

if TYPE_CHECKING:
    from matcher.matching.service import MatchingRuntime


class AppState:
    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self._store = store
        self._owns_store = store is None
        self._runtime: MatchingRuntime | None = None
        self._lock = threading.RLock()  # runtime loading opens the store under it
        self.index_status: Any = None

    @property
    def store(self) -> Store:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(
                        self.settings.sqlalchemy_url,
                        busy_timeout=self.settings.sqlite_busy_timeout,
                    )
        return self._store

    @property
    def runtime(self) -> MatchingRuntime:
        """The matching runtime, loaded once, with its indexes built or refreshed."""
        if self._runtime is None:
            with self._lock:
                if self._runtime is None:
                    self._runtime = self._load_runtime()
        return self._runtime

    def _load_runtime(self) -> MatchingRuntime:
        from matcher.matching.service import MatchingRuntime, ensure_indexes

        runtime = MatchingRuntime.load(self.settings)
        with self.store.transaction() as session:
            self.index_status = ensure_indexes(session=session, runtime=runtime)
        return runtime

    def refresh_indexes(self) -> None:
        """Bring the indexes up to date after profiles changed (e.g. an import), then re-rank
        in bulk the needs whose stored matches came from the old index; a runtime not loaded
        yet will be brought up to date when it loads."""
        from matcher.auth.actors import SYSTEM_INDEX
        from matcher.matching.service import ensure_indexes, rerank_stale

        if self._runtime is None:
            return

        with self.store.transaction() as session:
            self.index_status = ensure_indexes(session=session, runtime=self.runtime)
        with self.store.transaction() as session:
            rerank_stale(session=session, runtime=self.runtime, actor=SYSTEM_INDEX)

    def start(self) -> None:
        from matcher.private import clean_stale_temp_files

        self.settings.signing_key()  # a weak configured key stops the start here
        clean_stale_temp_files(
            self.settings.data_dir, self.settings.index_dir, self.settings.models_dir
        )
        self.store  # noqa: B018 - open and migrate now, not on the first request
        self.runtime  # noqa: B018

    def close(self) -> None:
        if self._owns_store and self._store is not None:
            self._store.dispose()
            self._store = None
