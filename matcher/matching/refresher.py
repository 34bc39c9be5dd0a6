"""Index refreshes off the request path.

A ``Refresher`` looks at the store's profile revision every ``poll`` seconds (or at once when a
request or an import asks): when profiles changed it builds the next version while readers
keep answering from the current one, swaps it in, then re-ranks in batches the needs whose
stored results came from an older version (``rerank``: it yields to the next refresh). A
follower (``build=False``) only loads versions another process saved. The API runs one as a
thread; ``matcher index --watch`` runs one in the foreground for deployments with several API
processes.

Staleness bound (``staleness_bound``): an edit is reflected in every process's rankings within
``poll`` seconds, plus the re-rank batch in hand, plus one refresh, plus a follower's next look
at the saved pointer; a refit of the embedded model (rare) takes a full build.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from matcher.db import Store
from matcher.matching import profiles
from matcher.matching.lifecycle import ensure_indexes
from matcher.matching.runtime import FOLLOW_EVERY, MatchingRuntime
from matcher.ranking.rank import is_expert

log = logging.getLogger(__name__)

STALENESS_BOUND_SECONDS = 7
"""The bound the README states at 100,000 realistic experts on 2 cores: ``staleness_bound``
of the default 2 s poll, a re-rank batch (0.9–1.0 s measured) and the refresh
``scripts/benchmark_speed.py`` measures (1.3–2.5 s), rounded up. Change it with the
measurement; the README quotes it (a test checks)."""


RERANK_LOCK = "rerank.lock"
"""Held (in the index directory) by the process re-ranking a SQLite store's needs."""
RERANK_BATCH = 256
"""Needs re-ranked (to every society, explained, stored) per transaction after a new version:
the most an edit waits for before the next refresh starts."""


@contextmanager
def rerank_turn(store: Store, index_dir: Path) -> Iterator[bool]:
    """Whether this caller re-ranks stored matches now. On SQLite every process that
    refreshed to a version would re-rank all of it (no row locks to share it out: the API and
    the UI of ``matcher serve`` both did), so one at a time holds a lock beside the indexes
    and the others skip; on PostgreSQL they share the needs (``rerank_stale``)."""
    if store.engine.dialect.name != "sqlite":
        yield True
        return
    lock = FileLock(str(index_dir / RERANK_LOCK))
    try:
        lock.acquire(blocking=False)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def rerank_busy(store: Store, index_dir: Path) -> bool:
    """Whether another caller holds the turn to re-rank (``rerank_turn``) now."""
    with rerank_turn(store, index_dir) as mine:
        return not mine


def staleness_bound(*, poll: float, refresh_seconds: float, batch_seconds: float) -> float:
    """Seconds after an edit by which every API process ranks with it: the refresher's next
    look at the profiles, the re-rank batch it may be in, one refresh, and another process's
    next look at the saved pointer (``FOLLOW_EVERY``)."""
    return poll + batch_seconds + refresh_seconds + FOLLOW_EVERY


@dataclass
class Health:
    """What ``/health`` shows of the indexes."""

    version: str | None
    name: str | None
    model_id: str | None
    age_seconds: float | None
    refresh_pending: bool
    refreshing: bool
    last_refresh_seconds: float | None  # this process's last refresh, re-ranking included
    build_seconds: float | None  # the version's build or refresh, by whichever process made it
    last_error: str | None
    experts: int | None
    societies: int | None
    stale_needs: int | None = None
    """Seeking needs whose stored matches an older version ranked and this process's refresher
    has still to re-rank (counted when its re-rank starts, less each batch done; 0 once done,
    None before its first)."""


class Refresher:
    def __init__(
        self,
        *,
        store: Store,
        runtime: MatchingRuntime,
        actor,
        poll: float = 2.0,
        build: bool = True,
    ) -> None:
        self.store = store
        self.runtime = runtime
        self.actor = actor
        self.poll = poll
        self.build = build
        self.refreshing = False
        self.pending = False
        self.last_error: str | None = None
        self.last_seconds: float | None = None
        self.stale_needs: int | None = None
        self.owed = False  # a re-rank skipped while another process held the turn
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Refresher:
        self._thread = threading.Thread(target=self.run, name="index-refresher", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self.runtime.refresh_wanted.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def request(self) -> None:
        """Ask for a look now (e.g. after an import): never waits for the refresh."""
        self.runtime.refresh_wanted.set()

    def run(self) -> None:
        while not self._stop.is_set():
            self.runtime.refresh_wanted.wait(self.poll)
            self.runtime.refresh_wanted.clear()
            if self._stop.is_set():
                return
            self.check()

    def check(self) -> bool:
        """One look: follow a version saved elsewhere, or build the next one; whether the
        current version changed."""
        try:
            changed = self.runtime.follow(force=True)
            with self.store.transaction() as session:
                sig = profiles.signature(session)
            state = self.runtime.state
            self.pending = state is None or state.signature != sig
            if not self.pending or not self.build:
                if self.owed and self.build:  # (its holder may have stopped for this version)
                    self.rerank()
                return changed
            self.refreshing = True
            t0 = time.perf_counter()
            with self.store.transaction() as session:
                ensure_indexes(session=session, runtime=self.runtime)
            self.rerank()
            self.last_seconds = round(time.perf_counter() - t0, 3)
            self.pending, self.last_error = False, None
            return True
        except Exception as exc:  # a failed refresh keeps the current version serving
            log.exception("index refresh failed")
            self.last_error = f"{type(exc).__name__}: {exc}"
            return False
        finally:
            self.refreshing = False

    def rerank(self) -> int:
        """Re-rank the needs whose stored results an older version ranked, in batches of
        ``RERANK_BATCH`` (each its own transaction, those ranked longest ago first), until
        none is left or the profiles moved on: then the next refresh comes first (asked for
        at once) and the rest follow it, so an edit never waits for a whole re-rank. How
        many were re-ranked."""
        from matcher.matching.results import rerank_stale, stale_needs

        with rerank_turn(self.store, self.runtime.settings.index_dir) as mine:
            self.owed = not mine  # another process re-ranks: this one looks again next poll
            if not mine:
                return 0
            done = 0
            while True:
                with self.store.transaction() as session:
                    if profiles.signature(session) != self.runtime.state.signature:
                        self.runtime.refresh_wanted.set()
                        return done
                    if not done:  # counted once: each batch then takes its needs off
                        self.stale_needs = stale_needs(
                            session=session, version=self.runtime.state.version
                        )
                    n = rerank_stale(
                        session=session, runtime=self.runtime, actor=self.actor, limit=RERANK_BATCH
                    )
                done += n
                if n < RERANK_BATCH:
                    self.stale_needs = 0
                    return done
                self.stale_needs = max(self.stale_needs - n, 0)

    def wait_until_current(self, timeout: float = 60.0) -> bool:
        """Block until the indexes match the store (tests, the CLI); whether they do."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.store.transaction() as session:
                sig = profiles.signature(session)
            state = self.runtime.state
            if state is not None and state.signature == sig and not self.refreshing:
                return True
            self.request()
            time.sleep(0.05)
        return False

    def health(self) -> Health:
        state = self.runtime.state
        return Health(
            version=state.version if state else None,
            name=state.name if state else None,
            model_id=state.model_id if state else None,
            age_seconds=round(time.time() - state.built_at, 1) if state else None,
            refresh_pending=self.pending or self.runtime.refresh_wanted.is_set(),
            refreshing=self.refreshing,
            last_refresh_seconds=self.last_seconds,
            build_seconds=state.build_seconds if state else None,
            last_error=self.last_error,
            experts=int(is_expert(state.experts.ids).sum()) if state else None,
            societies=len(state.societies.ids) if state else None,
            stale_needs=self.stale_needs,
        )


def watch(*, store: Store, runtime: MatchingRuntime, actor, poll: float, echo=print) -> None:
    """``matcher index --watch``: build every new version in the foreground until stopped."""
    refresher = Refresher(store=store, runtime=runtime, actor=actor, poll=poll)
    echo(f"watching the profiles every {poll:g} s (Ctrl-C stops)")
    try:
        while True:
            if refresher.check() and runtime.state is not None:
                echo(f"index {runtime.state.name} ({refresher.last_seconds} s)")
            if refresher.last_error:
                echo(f"refresh failed: {refresher.last_error}")
            runtime.refresh_wanted.wait(poll)
            runtime.refresh_wanted.clear()
    except KeyboardInterrupt:
        echo("stopped")
