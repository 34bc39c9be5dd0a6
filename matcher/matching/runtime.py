"""What one process holds for matching: settings, segmenter, encoder and the current index
version, loaded once; a newer version saved by any process is picked up from disk."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from matcher.config import EMBEDDED_MODEL, Settings
from matcher.embeddings.encoders import (
    EmbeddedEncoder,
    Encoder,
    SentenceTransformerEncoder,
    current_embedded_path,
    fit_embedded_counts,
)
from matcher.matching import persist
from matcher.matching.indexes import IndexState
from matcher.matching.profiles import text_hash
from matcher.matching.saved_state import load_state
from matcher.matching.text_counts import EMBEDDING_ROWS, embedding_blocks
from matcher.matching.tokens import TokenCache, segmenter_id
from matcher.ranking.config import RankingConfig
from matcher.text.counts import stacked_blocks
from matcher.text.segmenter import Segmenter, get_segmenter

log = logging.getLogger(__name__)

FOLLOW_EVERY = 1.0
"""Seconds between two looks at the saved pointer (one small file read) by readers."""


@dataclass
class MatchingRuntime:
    """Settings, segmenter, encoder and the current indexes; loaded once per process.
    Readers take ``state`` once per request (a reference: a swap never changes what they
    hold); builders serialise on ``lock``."""

    settings: Settings
    segmenter: Segmenter
    config: RankingConfig = field(default_factory=RankingConfig)
    encoder: Encoder | None = None
    state: IndexState | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    tokens: TokenCache | None = None  # the builder's token cache, kept between builds
    refresh_wanted: threading.Event = field(default_factory=threading.Event)
    eager: bool = True  # False: a saved version's parts are read when first used (CLI)
    serving: bool = False  # True: a new version is probed before it is made current
    caches: dict = field(default_factory=dict)  # small derived data keyed by what it depends on
    _followed_at: float = 0.0
    _segmenter_id: str = ""

    @classmethod
    def load(
        cls, settings: Settings, config: RankingConfig | None = None, *, eager: bool = True
    ) -> MatchingRuntime:
        runtime = cls(settings, get_segmenter(settings.resources_dir), config or RankingConfig())
        runtime.eager = eager
        if settings.embedding_model != EMBEDDED_MODEL:
            runtime.encoder = SentenceTransformerEncoder(
                settings.embedding_model, batch_size=settings.embedding_batch_size
            )
        else:
            path = current_embedded_path(settings.models_dir)
            if path is not None:
                runtime.encoder = EmbeddedEncoder(path, runtime.segmenter)
        return runtime

    @property
    def segmenter_id(self) -> str:
        if not self._segmenter_id:
            self._segmenter_id = segmenter_id(self.segmenter)
        return self._segmenter_id

    @property
    def embedded(self) -> bool:
        return self.settings.embedding_model == EMBEDDED_MODEL

    def fit_embedded(self, experts, societies, memberships, text_counts) -> dict[str, np.ndarray]:
        """Fit the embedded model on the store's texts (expert texts labelled by society);
        the texts' vectors by text hash (encoded from the counts the fit read, which are
        read off the texts' ``TextCounts``: the build does not cut and count them again)."""
        rows = experts + societies
        words, blocks = embedding_blocks(text_counts)
        names: dict[int, str] = {}  # (one label string per society, not one per expert)
        labels: list[str | None] = [  # an expert without a society is unlabelled
            names.setdefault(m[0], str(m[0])) if (m := memberships.get(r.id)) else None
            for r in experts
        ]
        labels += [str(r.id) for r in societies]
        self.settings.models_dir.mkdir(parents=True, exist_ok=True)
        path = fit_embedded_counts(  # (weighed in place: the counts are made again below)
            stacked_blocks(blocks(EMBEDDING_ROWS)),
            words,
            self.settings.models_dir,
            labels=labels,
            overwrite=True,
        )
        self.encoder = EmbeddedEncoder(path, self.segmenter)
        vectors = self.encoder.encode_count_blocks(blocks(EMBEDDING_ROWS), words, len(rows))
        return dict(zip((text_hash(r.text) for r in rows), vectors, strict=True))

    def encoder_matches(self, state: IndexState) -> bool:
        return self.encoder is not None and self.encoder.model_id == state.model_id

    def swap(self, state: IndexState) -> None:
        """Make ``state`` current (readers that took the previous one keep it)."""
        self.state = state

    def prepare(self, state: IndexState) -> None:
        """Before ``state`` is saved as current or swapped in: a serving runtime ranks a
        made-up need against it (``probe``)."""
        if self.serving:
            probe(self, state)

    def follow(self, *, force: bool = False) -> bool:
        """Load the version the saved pointer names when it is not the one held (another
        process built it); never builds. Throttled to once per ``FOLLOW_EVERY`` seconds,
        and a reader's look (not ``force``) never waits for the lock: while a builder or
        another reader holds it, the current version keeps serving. Whether a version was
        loaded."""
        now = time.monotonic()
        if not force and now - self._followed_at < FOLLOW_EVERY:
            return False
        self._followed_at = now
        index_dir = self.settings.index_dir
        name = persist.current_name(index_dir)
        if name is None or (self.state is not None and self.state.name == name):
            return False
        if not self.lock.acquire(blocking=force):
            return False
        try:
            if self.state is not None and self.state.name == name:
                return False
            only_serves = self.settings.index_refresher == "follow"  # (never patches it)
            saved = load_state(index_dir, eager=self.eager, hold_rows=not only_serves)
            if saved is None or not self._use_encoder_of(saved):
                return False
            self.prepare(saved)
            self.swap(saved)
            return True
        finally:
            self.lock.release()

    def _use_encoder_of(self, state: IndexState) -> bool:
        """Load the embedded model a saved version was built with (another process may
        have refitted it); a sentence-transformers model must be the configured one."""
        if self.encoder_matches(state):
            return True
        if not self.embedded or not state.model_id.startswith("embedded:"):
            return False
        path = current_embedded_path(self.settings.models_dir)
        name = state.model_id.split(":", 1)[1]
        if path is None or path.name != name:
            return False
        self.encoder = EmbeddedEncoder(path, self.segmenter)
        return True


PROBE_NEED = ("生产设备故障诊断", "生产线设备振动监测与故障诊断")
"""The made-up need (title, description) ``probe`` ranks; it is never stored."""


def probe(runtime: MatchingRuntime, state: IndexState) -> None:
    """Rank a made-up need against ``state``, to experts and to societies, before it serves:
    what the ranking sets up once per version (matrices laid out by column and by member,
    parts of a saved version read when first used) is then ready, and the first request
    after a refresh or a load answers about as fast as the next (at 100,000 experts it paid
    0.2–0.9 s for it; the store's outcome evidence, read per version from the database, is
    still read by the first request that ranks societies)."""
    from matcher.matching.results import _queries, rank_queries
    from matcher.models import TargetKind, TechNeed

    title, description = PROBE_NEED
    try:
        queries = _queries(runtime, [TechNeed(title=title, description=description)], state)
        for target in TargetKind:
            rank_queries(runtime, queries, target, 1, state=state)
        state.external_ids  # noqa: B018 - read by every answer's presentation
    except Exception:  # a set-up, never a reason to keep serving an older version
        log.exception("probing index version %s failed", state.version)
