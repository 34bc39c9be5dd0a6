"""What one API process holds: settings, the store, the matching runtime and metrics.

Opened by the app's lifespan, or lazily on the first request when the app is driven
without one (e.g. by an ASGI test client), and at most once either way.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

from matcher.api.metrics import Metrics
from matcher.config import Settings
from matcher.db import Store, open_store

if TYPE_CHECKING:
    from matcher.matching.refresher import Refresher
    from matcher.matching.runtime import MatchingRuntime


class AppState:
    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self._store = store
        self._owns_store = store is None
        self._runtime: MatchingRuntime | None = None
        self._lock = threading.RLock()  # runtime loading opens the store under it
        self.refresher: Refresher | None = None

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
        """The runtime with the saved index version (built only when there is none at all:
        a first start); then a background refresher keeps it current."""
        from matcher.auth.actors import SYSTEM_INDEX
        from matcher.matching.lifecycle import ensure_indexes
        from matcher.matching.refresher import Refresher
        from matcher.matching.runtime import MatchingRuntime

        runtime = MatchingRuntime.load(self.settings)
        runtime.serving = True
        runtime.follow(force=True)
        if runtime.state is None:
            with self.store.transaction() as session:
                ensure_indexes(session=session, runtime=runtime)
        self.refresher = Refresher(
            store=self.store,
            runtime=runtime,
            actor=SYSTEM_INDEX,
            poll=self.settings.index_poll_seconds,
            build=self.settings.index_refresher == "thread",
        )
        self.refresher.start()
        # a state dropped without close() (e.g. a test's app) stops its thread with it
        weakref.finalize(self, self.refresher.stop, 0)
        return runtime

    @property
    def index_status(self) -> Any:
        """The indexes' version, age and whether a refresh is pending (``/health``)."""
        return self.refresher.health() if self.refresher is not None else None

    def refresh_indexes(self) -> None:
        """Profiles changed (e.g. an import): ask the background refresher to build the next
        version and re-rank stale needs; never waits for it (requests never build)."""
        if self.refresher is not None:
            self.refresher.request()

    def start(self) -> None:
        from matcher.private import clean_stale_temp_files

        self.settings.signing_key()  # a weak configured key stops the start here
        clean_stale_temp_files(
            self.settings.data_dir, self.settings.index_dir, self.settings.models_dir
        )
        self.store  # noqa: B018 - open and migrate now, not on the first request
        self.runtime  # noqa: B018

    def close(self) -> None:
        if self.refresher is not None:
            self.refresher.stop()
        if self._owns_store and self._store is not None:
            self._store.dispose()
            self._store = None
