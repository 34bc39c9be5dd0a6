"""Saving an index state (``matcher.matching.indexes``) as a version directory
(``matcher.matching.persist``) — whole, or for a patched state linking what its base holds —
and loading it back, the heavy parts when first used."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matcher.embeddings.vector_index import VectorIndex
from matcher.matching import persist, row_delta
from matcher.matching.indexes import IndexState
from matcher.matching.row_delta import FAISS, RowBase
from matcher.matching.text_counts import TextCounts
from matcher.matching.text_counts import base_files as counts_base
from matcher.matching.tokens import EXTRA, TokenCache
from matcher.matching.tokens import base_files as tokens_base
from matcher.ranking.bm25 import BM25
from matcher.ranking.evidence import SocietyEvidence
from matcher.ranking.fusion import ExpertCalibration, Fusion
from matcher.ranking.lexical import TfidfSpace
from matcher.ranking.rank import Corpus
from matcher.text.counts import SPACES

STATE_FILE = persist.STATE_FILE
_EAGER = ("evidence", "experts", "societies")
"""(The evidence first: a large store's is converted while little else is held.)"""
_LAZY = (
    *_EAGER,
    "e_hashes",
    "s_hashes",
    "s_own_vectors",
    "memberships",
    "external_ids",
    "names",
    "counts",  # read by the next build only
    "row_bases",
)
_BY_ID = ("memberships", "external_ids", "names")
"""Per-row maps saved as their own documents (read when used), not in ``meta``."""


class _LoadedState(IndexState):
    """A state read from a version directory; corpora, evidence and what only a build uses
    are read when first used (``matcher match --need`` against experts never reads the
    society evidence); a lazy state maps its large arrays instead of reading them."""

    def __getattr__(self, name: str):
        if name in _LAZY:
            held = self.__dict__
            value = _load_part(
                held["_version"], name, mapped=held["_mapped"], hold_rows=held["_hold_rows"]
            )
            setattr(self, name, value)
            return value
        raise AttributeError(name)


@dataclass
class Linked:
    """What the version of a patched state takes from the version ``source`` it was patched
    from, instead of writing it again: the token cache's base (plus ``tokens``, the texts
    added since) and, while at most ``limit`` rows were counted since, the counts' base."""

    source: persist.Version
    tokens: TokenCache
    limit: int
    previous: IndexState | None = None  # the state saved as ``source`` (``_unchanged``)


def save_state(
    state: IndexState,
    index_dir: Path,
    tokens: TokenCache | None = None,
    *,
    linked: Linked | None = None,
) -> str:
    """Write ``state`` (and the token cache, or ``linked``) as a new current version; its
    name."""
    arrays: dict[str, np.ndarray] = {}
    docs: dict[str, object] = {}
    extra: dict[str, object] = {}
    for part in ("experts", "societies"):
        c: Corpus = getattr(state, part)
        arrays[f"{part}.ids"] = c.ids
        arrays[f"{part}.vectors"] = c.vectors
        arrays[f"{part}.bm25.idf"] = c.bm25.idf_values
        persist.put_sparse(arrays, f"{part}.bm25", c.bm25.by_row)
        docs[f"vocab.{part}.bm25"] = c.bm25.vocabulary()
        docs[f"{part}.rows"] = {"cities": c.cities, "fit_texts": c.fit_texts}
        extra[f"{part}.faiss"] = c.ann
    ev = state.evidence
    for space in SPACES:
        arrays[f"evidence.{space}.idf"] = getattr(ev, space).idf
        docs[f"vocab.evidence.{space}"] = list(getattr(ev, space).vocab)
    for m in ("char12_docs", "char_docs", "char_centroids", "word_docs", "char_experts"):
        persist.put_sparse(arrays, f"evidence.{m}", getattr(ev, m))
    arrays["evidence.members"] = np.concatenate([np.zeros(0, np.int64), *ev.members])
    arrays["evidence.member_counts"] = np.array([len(m) for m in ev.members], np.int64)
    arrays["s_own_vectors"] = state.s_own_vectors
    arrays["e_hashes"] = np.array(state.e_hashes, dtype="S40")
    arrays["s_hashes"] = np.array(state.s_hashes, dtype="S40")
    docs["memberships"] = [[k, v] for k, v in state.memberships.items()]
    docs["external_ids"] = {k: list(v.items()) for k, v in state.external_ids.items()}
    docs["names"] = {k: list(v.items()) for k, v in state.names.items()}
    reuse, delta, deltas = None, False, {}
    if tokens is not None:
        tokens.put(arrays, docs)
    elif linked is not None:
        linked.tokens.put(arrays, docs, EXTRA)
        since = state.counts.counted_since_base()
        delta = state.counts.base == linked.source.name and since is not None
        delta = delta and since <= linked.limit
    state.counts.put(arrays, docs, delta=delta)
    if linked is not None:
        names = tokens_base(linked.source) + (counts_base(linked.source) if delta else [])
        deltas, files = _as_deltas(state, linked, arrays, extra)
        names += files + _unchanged(state, linked, docs, arrays)
        reuse = (linked.source, names)
    meta = {
        "signature": state.signature,
        "model_id": state.model_id,
        "version": state.version,
        "labelled": state.labelled,
        "built_at": state.built_at,
        "build_seconds": state.build_seconds,
        "segmenter_id": state.segmenter_id,
        "fusion": state.fusion.to_dict(),
        "expert_calibration": state.expert_calibration.to_dict(),
        "society_capacity": [[k, v] for k, v in state.society_capacity.items()],
    }
    bundle = persist.Bundle(meta, docs, arrays)
    fmt = persist.DELTA_FORMAT if deltas else persist.FORMAT
    state.name = persist.write_version(
        index_dir, bundle, version=state.version, extra=extra, reuse=reuse, fmt=fmt
    )
    state.counts.saved(state.name, delta=delta)
    rows = {"experts": len(state.experts.ids), "societies": len(state.societies.ids)}
    state.row_bases = {
        key: RowBase(state.name, deltas[key].rows, deltas[key].removed)
        if key in deltas
        else row_delta.whole(state.name, rows[part], index=key == FAISS)
        for key, part in row_delta.ROWS_OF.items()
        if not key.startswith("counts.docs.") or state.counts.docs is not None
    }
    return state.name


def _unchanged(state: IndexState, linked: Linked, docs: dict, arrays: dict) -> list[str]:
    """The documents and arrays equal to those of ``linked.previous`` (compared in memory,
    where it holds them): taken out of ``docs`` / ``arrays``, their files are linked."""
    prev = linked.previous
    if prev is None or prev.name != linked.source.name:
        return []
    same = {}
    for space in SPACES:
        a, b = getattr(state.evidence, space), getattr(prev.evidence, space)
        same[f"vocab.evidence.{space}.json"] = a.vocab == b.vocab
    for part in ("experts", "societies"):
        a, b = getattr(state, part), getattr(prev, part)
        same[f"vocab.{part}.bm25.json"] = a.bm25.vocab == b.bm25.vocab
        same[f"{part}.rows.json"] = a.cities == b.cities and a.fit_texts == b.fit_texts
        same[f"{part}.ids.npy"] = np.array_equal(a.ids, b.ids)
    for name in _BY_ID:  # read back as maps: equal maps, the same state
        if name in prev.__dict__:
            same[f"{name}.json"] = getattr(state, name) == prev.__dict__[name]
    files = [f for f, equal in same.items() if equal and f in linked.source.files]
    for f in files:
        (docs if f.endswith(".json") else arrays).pop(f.rsplit(".", 1)[0])
    return files


def _row_arrays(state: IndexState) -> dict[str, object]:
    """The arrays a patched version may save as a delta (``row_delta.ROWS_OF``), by key."""
    out = {"experts.vectors": state.experts.vectors}
    out["evidence.char_experts"] = state.evidence.char_experts
    for space, m in (state.counts.docs or {}).items():
        out[f"counts.docs.{space}"] = m
    return out


def _as_deltas(
    state: IndexState, linked: Linked, arrays: dict, extra: dict
) -> tuple[dict[str, RowBase], list[str]]:
    """Replace in ``arrays`` / ``extra`` the large expert-row arrays that ``linked.source``
    holds (or links) a base of by their delta (``matcher.matching.row_delta``) while at
    most ``linked.limit`` rows changed since; the bases used, by key, and the files to link
    (an exact dense index is built from the vectors again: none)."""
    source, out, files = linked.source, {}, []
    for key, base in state.row_bases.items():
        if base.name != source.name or int((base.rows < 0).sum()) > linked.limit:
            continue
        if key != FAISS:
            base_files = row_delta.base_files(source, key)
        elif base.removed is None or len(base.removed) > linked.limit:
            continue
        elif state.experts.ann.info.kind == "flat":
            out[key] = base
            continue
        else:
            base_files = [FAISS] if FAISS in source.files else []
        if base_files:
            out[key] = base
            files += base_files
    for key, value in _row_arrays(state).items():
        if key in out:
            row_delta.put(arrays, key, value, out[key], whole=arrays)
    if FAISS in out:
        extra[FAISS] = row_delta.IndexSettings(state.experts.ann)
        row_delta.put_index(arrays, out[FAISS])
    return out, files


def load_state(index_dir: Path, *, eager: bool = True, hold_rows: bool = True) -> IndexState | None:
    """The current saved state, or None when there is none or it is refused (missing,
    damaged, foreign: the caller rebuilds). ``eager=False`` reads corpora when used;
    ``hold_rows=False``: for a process that only serves (``SocietyEvidence.serve_only``)."""
    version = persist.open_current(index_dir)
    if version is None:
        return None
    try:
        return read_state(version, eager=eager, hold_rows=hold_rows)
    except (*persist.UNREADABLE, RuntimeError):
        return None


def read_state(
    version: persist.Version, *, eager: bool = True, hold_rows: bool = True
) -> IndexState:
    meta = version.json("meta")
    state = _LoadedState.__new__(_LoadedState)
    state.__dict__.update(
        _version=version,
        _mapped=not eager,
        _hold_rows=hold_rows,
        signature=str(meta["signature"]),
        model_id=str(meta["model_id"]),
        version=str(meta["version"]),
        labelled=int(meta["labelled"]),
        built_at=float(meta["built_at"]),
        build_seconds=meta.get("build_seconds"),  # (not in versions saved before it was kept)
        segmenter_id=str(meta["segmenter_id"]),
        fusion=Fusion.from_dict(meta["fusion"]),
        expert_calibration=ExpertCalibration(**meta["expert_calibration"]),
        society_capacity={int(k): int(v) for k, v in meta["society_capacity"]},
        name=version.name,
    )
    for part in _BY_ID:  # a version saved before they had their own documents
        if part in meta:
            state.__dict__[part] = _by_id(part, meta[part])
    if eager:
        for part in _EAGER:
            getattr(state, part)
    return state


PATCH_READS = (*_EAGER, "e_hashes", "s_hashes", "s_own_vectors", "counts", "row_bases")
"""The parts of the previous state a patched refresh reads."""


def read_parts(state: IndexState, parts: tuple[str, ...] = PATCH_READS) -> None:
    """Read the parts of a loaded state it has not read yet; one that cannot be read is left
    for its reader (who refuses it)."""
    for part in unread(state, parts):
        try:
            getattr(state, part)
        except (*persist.UNREADABLE, RuntimeError):
            pass


def unread(state: IndexState, parts: tuple[str, ...] = PATCH_READS) -> list[str]:
    """Which of ``parts`` a loaded state has not read yet (none for a state built here)."""
    if not isinstance(state, _LoadedState):
        return []
    return [p for p in parts if p not in state.__dict__]


def load_tokens(index_dir: Path, name: str, segmenter_id: str) -> TokenCache:
    """The token cache saved with version ``name`` (empty when refused or another
    segmenter's)."""
    try:
        version = persist.Version(index_dir, name)
        if version.json("meta").get("segmenter_id") != segmenter_id:
            return TokenCache()
        return TokenCache.get(version)
    except persist.UNREADABLE:
        return TokenCache()


def _by_id(part: str, saved):
    if part == "memberships":
        return {int(k): [int(x) for x in v] for k, v in saved}
    return {kind: {int(i): str(x) for i, x in pairs} for kind, pairs in saved.items()}


def _load_part(
    version: persist.Version, part: str, *, mapped: bool = False, hold_rows: bool = True
):
    if part == "counts":
        return TextCounts.get(version)
    if part == "row_bases":
        n_rows = {p: len(version.array(f"{p}.ids")) for p in ("experts", "societies")}
        return row_delta.saved_bases(version, n_rows)
    if part in _BY_ID:
        return _by_id(part, version.json(part))
    if part in ("e_hashes", "s_hashes"):
        return [h.decode() for h in version.array(part).tolist()]
    if part == "s_own_vectors":
        return version.array(part)
    if part == "evidence":
        spaces = {
            s: TfidfSpace.from_parts(
                version.json(f"vocab.evidence.{s}"), version.array(f"evidence.{s}.idf")
            )
            for s in SPACES
        }
        # the experts' character rows mapped: a serving process holds a large store's by
        # column only (``serve_only``), converted from the file without a copy of the
        # rows in memory (but a patched version's rows are assembled in memory first)
        rows = {f"evidence.char_experts.{a}" for a in ("data", "indices")}
        arrays = version.arrays("evidence.", mapped=rows)
        mats = {
            m: persist.get_sparse(arrays, f"evidence.{m}")
            for m in ("char12_docs", "char_docs", "char_centroids", "word_docs")
        }
        mats["char_experts"] = row_delta.get(arrays, "evidence.char_experts", sparse=True)
        counts = arrays["evidence.member_counts"]
        cuts = np.cumsum(counts)[:-1]
        members = np.split(arrays["evidence.members"], cuts) if len(counts) else []
        out = SocietyEvidence(**spaces, **mats, members=[np.asarray(m) for m in members])
        if not hold_rows:  # converted now, not beside every other part later
            out.serve_only()
        return out
    arrays = version.arrays(f"{part}.", mapped={f"{part}.vectors"} if mapped else ())
    rows = version.json(f"{part}.rows")
    bm25 = BM25.from_parts(
        persist.get_sparse(arrays, f"{part}.bm25"),
        version.json(f"vocab.{part}.bm25"),
        arrays[f"{part}.bm25.idf"],
    )
    vectors = row_delta.get(arrays, f"{part}.vectors", sparse=False)
    if f"{part}.faiss.delta.rows.npy" in version.files:
        ann = row_delta.index_of(version, arrays[f"{part}.ids"], vectors)
    else:
        version.path(f"{part}.faiss.json")  # its checksum checked before it is read
        ann = VectorIndex.load(version.path(f"{part}.faiss"), mapped=mapped)
        if ann.info.kind == "ivfpq":
            ann.attach(arrays[f"{part}.ids"], vectors)
    return Corpus(
        ids=arrays[f"{part}.ids"],
        vectors=vectors,
        cities=rows["cities"],
        fit_texts=rows["fit_texts"],
        bm25=bm25,
        ann=ann,
    )
