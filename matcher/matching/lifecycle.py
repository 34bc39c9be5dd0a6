"""The index life cycle: build, refresh, load a saved version, decide when to refit.

Requests never build: ``ready`` gives them the version in memory, or a newer one that any
process saved (the pointer is looked at about once a second), and marks the runtime stale
when the profiles moved on. Builds run in ``matcher index``, in the API's background
refresher (``matcher.matching.refresher``) or in ``matcher index --watch``.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, wait
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from itertools import chain

import numpy as np
from filelock import FileLock
from sqlalchemy.orm import Session

from matcher import scratch
from matcher.embeddings.vector_index import omp_threads
from matcher.matching import kept_rows, persist, profiles
from matcher.matching.aside import aside as _aside
from matcher.matching.incremental import patch_limit, patched_state
from matcher.matching.indexes import IndexState, build_state
from matcher.matching.profiles import text_hash
from matcher.matching.runtime import MatchingRuntime
from matcher.matching.saved_state import (
    Linked,
    load_state,
    load_tokens,
    read_parts,
    save_state,
    unread,
)
from matcher.matching.text_counts import TextCounts, count_chars
from matcher.matching.tokens import TokenCache, extra_since
from matcher.ranking.rank import is_expert

log = logging.getLogger(__name__)

REFIT_CHANGE = 0.1
"""The fusion is refitted when the encoder changed or the number of labelled experts moved
by more than this share since the last fit (a single edit keeps the fitted weights)."""
DRIFT_REFIT = 0.15
"""The embedded model is refitted when more than this share of the store's token
occurrences (experts and societies) is outside its vocabulary: new texts brought words it
has no vectors for. A model fitted on the store starts near 0 (words of one text it kept
all); importing a new field's experts raises it."""


@dataclass
class IndexStatus:
    action: str  # unchanged | loaded | built | refreshed
    societies: int
    experts: int
    encoded: int
    model_id: str
    version: str
    drift: float = 0.0  # share of token occurrences outside the embedded model's vocabulary
    patched: bool = False  # refreshed by patching the previous version (only changes counted)


def ready(*, session: Session, runtime: MatchingRuntime) -> IndexState:
    """The indexes a request ranks with; never builds, except the very first time a process
    finds no saved version at all. A request seeing the profiles changed only marks the
    runtime stale (the refresher builds the next version)."""
    runtime.follow(force=runtime.state is None)
    state = runtime.state
    if state is None:
        ensure_indexes(session=session, runtime=runtime)
        return runtime.state
    if profiles.signature(session) != state.signature:
        runtime.refresh_wanted.set()
    return state


def ensure_indexes(
    *, session: Session, runtime: MatchingRuntime, refit: bool = False, progress: bool = False
) -> IndexStatus:
    """Build the indexes if missing, refresh them if the profiles changed, rebuild if the
    saved copy is damaged; ``refit`` refits the embedded model (every vector changes), as
    does a vocabulary drift past ``DRIFT_REFIT``. One process builds at a time (a file
    lock); one that waited loads what the other saved."""
    sig = profiles.signature(session)
    state = runtime.state
    if not refit and state is not None and state.signature == sig:
        return _status("unchanged", state, 0)
    index_dir = runtime.settings.index_dir
    index_dir.mkdir(parents=True, exist_ok=True)
    with runtime.lock, FileLock(str(index_dir / "build.lock")):
        state = runtime.state
        if not refit and state is not None and state.signature == sig:
            return _status("unchanged", state, 0)
        held = state is not None and state.name == persist.current_name(index_dir)
        saved = None if refit or held else load_state(index_dir)
        if saved is not None and saved.signature == sig and runtime._use_encoder_of(saved):
            runtime.prepare(saved)
            runtime.swap(saved)
            return _status("loaded", saved, 0)
        with scratch.spilling(runtime.settings.scratch_dir or index_dir):
            return _build(session, runtime, sig, state or saved, refit, progress)


def _build(session, runtime, sig, previous, refit, progress) -> IndexStatus:
    t0 = time.perf_counter()
    patching = previous is not None and not refit and runtime.encoder_matches(previous)
    with gc_paused():
        reading = _read_aside(previous) if patching else None
        served, served_members = profiles.served_rows(session)
        societies = profiles.society_rows(session)
        members = profiles.memberships(session) | served_members
        since = kept_rows.read_since(session, previous, sig) if patching else None
        if reading is not None:
            reading.result()
        people = None if since is None else kept_rows.merged(previous, since)
        experts = (people if people is not None else profiles.expert_rows(session)) + served
        if patching:
            texts = None if people is None else _texts_of(session, served, societies)
            status = _patch(runtime, sig, previous, (experts, societies, members), texts, t0)
            if status is not None:
                log.info("index %s patched in %.2f s", status.version, time.perf_counter() - t0)
                return status
            if people is not None:  # a build from scratch reads every text
                experts = profiles.expert_rows(session) + served
    cache = _token_cache(runtime, previous)
    counts, tokens = _count_while_cutting(runtime, cache, experts, societies)
    e_tokens, s_tokens = tokens
    kept_fusion = None if refit else previous  # the fusion that may carry over
    fitting = _fit_fusion_aside(runtime, kept_fusion, (experts, societies, members), tokens)
    with _joined_on_error(fitting):  # (no retry runs beside an orphaned fit)
        drift = vocabulary_drift(
            runtime, e_tokens + s_tokens, [r.text for r in experts + societies]
        )
        fitted: dict[str, np.ndarray] = {}  # the texts' vectors, when the model is fitted here
        if runtime.embedded and (refit or runtime.encoder is None or drift > DRIFT_REFIT):
            fitted = runtime.fit_embedded(experts, societies, members, counts)
            drift = 0.0
        n_fitted = len(fitted)  # (``build_state`` empties it)
        same_model = previous is not None and runtime.encoder_matches(previous)
        aside = fitting is not None and not fitting.done()  # the fusion fit still has a core
        with omp_threads(1) if aside else nullcontext():
            new_state, encoded = build_state(
                signature=sig,
                experts=experts,
                societies=societies,
                memberships=members,
                e_tokens=e_tokens,
                s_tokens=s_tokens,
                encoder=runtime.encoder,
                vectors=previous.vectors_by_hash() if same_model else fitted,
                ann_threshold=runtime.settings.ann_threshold,
                progress=progress,
                previous=previous if same_model and not refit else None,
                segmenter_id=runtime.segmenter_id,
                counts=counts,
            )
        _carry_or_fit_fusion(runtime, new_state, kept_fusion, (experts, societies), tokens, fitting)
    runtime.tokens = cache.keep_only(set(new_state.e_hashes) | set(new_state.s_hashes))
    runtime.prepare(new_state)  # before the pointer names it (other processes follow it)
    new_state.build_seconds = round(time.perf_counter() - t0, 3)
    save_state(new_state, runtime.settings.index_dir, runtime.tokens)
    runtime.swap(new_state)
    log.info("index %s in %.1f s", new_state.name, time.perf_counter() - t0)
    action = "refreshed" if previous is not None else "built"
    return _status(action, new_state, encoded + (0 if same_model else n_fitted), drift)


def _count_while_cutting(
    runtime: MatchingRuntime, cache: TokenCache, experts, societies
) -> tuple[TextCounts, tuple[list[list[str]], list[list[str]]]]:
    """The texts' ``TextCounts`` and tokens: the texts are cut aside (worker processes)
    while their character spaces, which need no tokens, are counted here."""
    e_texts, s_texts = [r.text for r in experts], [r.text for r in societies]

    def cut() -> tuple[list[list[str]], list[list[str]]]:
        return cache.tokens(e_texts, runtime.segmenter), cache.tokens(s_texts, runtime.segmenter)

    cutting = _aside(cut)
    chars = count_chars({}, e_texts=e_texts, s_texts=s_texts)
    e_tokens, s_tokens = cutting.result()
    counts = TextCounts.count(
        e_texts=e_texts, s_texts=s_texts, e_tokens=e_tokens, s_tokens=s_tokens, chars=chars
    )
    return counts, (e_tokens, s_tokens)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a refresh reads the rows and patches: it
    allocates some objects per row (10^5 rows), and each collection would walk the whole
    live heap (the states held in memory) — a fifth of a refresh's time. Reference counting
    still frees every object without cycles; the collector resumes after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def _joined_on_error(fitting: Future | None) -> Iterator[None]:
    """On an error, wait for the fit started aside before raising it: the build lock is then
    let go, and a retry (the refresher's) would start a second fit beside the first, each
    holding the store's counts and TF-IDF."""
    try:
        yield
    except Exception:
        if fitting is not None:
            wait([fitting])
        raise


def _read_aside(previous: IndexState) -> Future | None:
    """A loaded previous state's parts a patch reads and it has not read yet (the per-text
    counts, hashes, row bases: their files' checksums, the vocabularies), read in a thread
    of its own while the caller reads the store's rows (hashing and the database release
    the GIL: the first refresh after a load reads both on two cores); None when all are
    read."""
    return _aside(read_parts, state=previous) if unread(previous) else None


def _texts_of(session, served: list, societies: list) -> Callable[[], list[str]]:
    """Every row's text, experts then societies, read from the store when asked."""
    return lambda: [r.text for r in profiles.expert_rows(session) + served + societies]


def _patch(runtime, sig, previous: IndexState, rows, texts, t0: float) -> IndexStatus | None:
    """The next version patched from ``previous`` (``matcher.matching.incremental``), saved
    and swapped in; None when the patch does not apply, the vocabulary drifted past
    ``DRIFT_REFIT`` or the fusion must be refitted (the caller builds from scratch). Only
    the changed texts are cut (a builder's token cache in memory is kept up to date)."""
    experts, societies, members = rows
    cache = runtime.tokens
    new: dict[str, list[str]] = {}

    def tokenize(texts: list[str]) -> list[list[str]]:
        if cache is not None:
            got = cache.tokens(texts, runtime.segmenter)
        else:
            got = runtime.segmenter.tokens_many(texts)
        new.update(zip(map(text_hash, texts), got, strict=True))
        return got

    patched = patched_state(
        previous=previous,
        signature=sig,
        experts=experts,
        societies=societies,
        memberships=members,
        tokenize=tokenize,
        encoder=runtime.encoder,
        ann_threshold=runtime.settings.ann_threshold,
        segmenter_id=runtime.segmenter_id,
        texts=texts,
    )
    if patched is None:
        return None
    state = patched.state
    drift = counts_drift(runtime, state.counts)
    if drift > DRIFT_REFIT or not _fusion_carries(previous, state, experts):
        return None
    _carry_fusion(state, previous)
    keep = set(state.e_hashes) | set(state.s_hashes)
    if cache is not None:
        runtime.tokens = cache.keep_only(keep)
    runtime.prepare(state)
    state.build_seconds = round(time.perf_counter() - t0, 3)
    _save_patched(runtime, state, previous, new, keep)
    runtime.swap(state)
    status = _status("refreshed", state, patched.encoded, drift)
    status.patched = True
    return status


def _save_patched(runtime, state: IndexState, previous: IndexState, new, keep: set[str]) -> None:
    """Save a patched state: its token cache links ``previous``'s base and adds the new
    texts, or (past the bound, or that version gone) is written whole."""
    index_dir = runtime.settings.index_dir
    try:
        source = persist.Version(index_dir, previous.name)
        limit = patch_limit(len(keep))
        added = extra_since(source, new, keep, limit)
        if added is not None:
            save_state(state, index_dir, linked=Linked(source, added, limit, previous))
            return
    except persist.UNREADABLE as exc:  # (that version gone, or a damaged file)
        log.info("patched index saved whole: %r", exc)
    cache = _token_cache(runtime, previous)
    cache.entries.update(new)
    runtime.tokens = cache.keep_only(keep)
    save_state(state, index_dir, runtime.tokens)


def _token_cache(runtime: MatchingRuntime, previous: IndexState | None) -> TokenCache:
    """The builder's cache, else the one saved with the previous version (a new process)."""
    if runtime.tokens is not None:
        return runtime.tokens
    if previous is not None and previous.name and previous.segmenter_id == runtime.segmenter_id:
        return load_tokens(runtime.settings.index_dir, previous.name, runtime.segmenter_id)
    return TokenCache()


def vocabulary_drift(runtime: MatchingRuntime, tokens: list[list[str]], texts: list[str]) -> float:
    """Share of the words (jieba tokens) of these texts that the embedded model has no
    vector for (0 without an embedded model)."""
    index = getattr(runtime.encoder, "index", None)
    if not runtime.embedded or index is None:
        return 0.0
    total = sum(map(len, tokens))
    if not total:
        return 0.0
    known = sum(map(index.__contains__, chain.from_iterable(tokens)))
    return 1.0 - known / total


def counts_drift(runtime: MatchingRuntime, counts: TextCounts) -> float:
    """``vocabulary_drift`` of the store's texts from their word counts (no token lists)."""
    index = getattr(runtime.encoder, "index", None)
    if not runtime.embedded or index is None:
        return 0.0
    words = counts.vocab["word"]
    known = np.zeros(max(len(words), 1), np.float64)
    known[: len(words)] = np.fromiter(map(index.__contains__, words), bool, len(words))
    per_word = sum(
        np.asarray(m.sum(axis=0, dtype=np.float64)).ravel()
        for m in (counts.own["word"], counts.experts["word"])
    )
    total = float(per_word.sum())
    return 1.0 - float(per_word @ known) / total if total else 0.0


def _fusion_carries(previous: IndexState | None, state: IndexState, experts) -> bool:
    """Whether the previous fusion still fits the store (a single edit keeps it)."""
    from matcher.matching.fusion_fit import MIN_LABELLED, labelled_count

    labelled = labelled_count(experts, state.memberships)
    return (
        previous is not None
        and previous.fusion.encoder == state.model_id
        and abs(labelled - previous.labelled) <= REFIT_CHANGE * max(previous.labelled, 1)
        and (previous.fusion.source == "fitted") == (labelled >= MIN_LABELLED)
    )


def _carry_fusion(state: IndexState, previous: IndexState) -> None:
    """``state`` takes ``previous``'s fusion, expert calibration and labelled count."""
    state.fusion, state.expert_calibration = previous.fusion, previous.expert_calibration
    state.labelled = previous.labelled


def _fusion_fit_kwargs(runtime, rows, tokens) -> dict:
    experts, societies, members = rows
    return dict(
        experts=experts,
        societies=societies,
        memberships=members,
        e_tokens=tokens[0],
        s_tokens=tokens[1],
        segmenter=runtime.segmenter,
        encoder=runtime.encoder,
        embedded=runtime.embedded,
        cfg=runtime.config,
    )


def _fit_fusion_aside(runtime, previous, rows, tokens) -> Future | None:
    """The fusion fit of a build with no previous fusion to keep (from scratch, or a refit),
    started aside; an embedded store's only (its fit reads the rows and tokens, not the
    encoder). Started beside the embedded fit, as soon as the texts are cut: at 30,000
    experts that took a from-scratch build from 48 s to 38 s (peak RSS 1.65 → 2.03 GiB).
    At 100,000, after it, the build waited on it at the end; beside it, peak RSS 2.9 GiB
    until the fit's SVD stopped holding the counts and the float64 TF-IDF (2.55 GiB since:
    ``static_fit.fit_static_counts``). None otherwise."""
    from matcher.matching.fusion_fit import fit_store_fusion

    if previous is not None or not runtime.embedded:
        return None
    return _aside(fit_store_fusion, **_fusion_fit_kwargs(runtime, rows, tokens))


def _carry_or_fit_fusion(
    runtime, state: IndexState, previous, rows, tokens, fitting: Future | None = None
) -> None:
    """Keep the previous fusion while it still fits the store, else fit it anew (or take
    the fit started aside, ``fitting``)."""
    from matcher.matching.fusion_fit import fit_store_fusion

    experts, societies = rows
    if fitting is not None:
        fitted = fitting.result()
    elif _fusion_carries(previous, state, experts):
        _carry_fusion(state, previous)
        return
    else:
        fitted = fit_store_fusion(
            **_fusion_fit_kwargs(runtime, (experts, societies, state.memberships), tokens)
        )
    fitted.fusion.encoder = state.model_id
    state.fusion, state.expert_calibration = fitted.fusion, fitted.experts
    state.labelled = fitted.labelled


def _status(action: str, state: IndexState, encoded: int, drift: float = 0.0) -> IndexStatus:
    return IndexStatus(
        action,
        len(state.societies.ids),
        int(is_expert(state.experts.ids).sum()),
        encoded,
        state.model_id,
        state.version,
        round(drift, 4),
    )
