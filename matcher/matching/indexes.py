"""The society and expert indexes of one store: built from its rows (reusing the tokens and
vectors of unchanged texts), saved as a version directory (``matcher.matching.persist``) and
loaded back, the heavy parts when first used."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from matcher.embeddings.encoders import Encoder, l2_normalize
from matcher.embeddings.vector_index import Queries, VectorIndex, need_like_texts
from matcher.matching import persist, row_delta
from matcher.matching.doc_patch import Previous, patched_documents
from matcher.matching.profiles import Row, text_hash
from matcher.matching.row_delta import FAISS, RowBase
from matcher.matching.text_counts import TextCounts
from matcher.matching.text_counts import base_files as counts_base
from matcher.matching.tokens import EXTRA, TokenCache
from matcher.matching.tokens import base_files as tokens_base
from matcher.ranking.bm25 import BM25
from matcher.ranking.evidence import Earlier, SocietyEvidence, document_counts
from matcher.ranking.fusion import ExpertCalibration, Fusion
from matcher.ranking.lexical import TfidfSpace
from matcher.ranking.rank import Corpus, is_expert

STATE_FILE = persist.STATE_FILE
COMPRESS_THRESHOLD = 500_000
"""Collections above this many rows use a compressed (IVF-PQ) index."""
_EAGER = ("experts", "societies", "evidence")
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


@dataclass
class IndexState:
    signature: str
    model_id: str
    version: str
    societies: Corpus
    experts: Corpus
    memberships: dict[int, list[int]]
    evidence: SocietyEvidence
    society_capacity: dict[int, int]
    external_ids: dict[str, dict[int, str]]  # by target kind, then id
    names: dict[str, dict[int, str]]  # by target kind, then id
    e_hashes: list[str]
    s_hashes: list[str]
    s_own_vectors: np.ndarray  # the societies' own texts' vectors (before adding members)
    counts: TextCounts  # per-text term counts: the next refresh patches them
    fusion: Fusion = field(default_factory=Fusion.default)
    expert_calibration: ExpertCalibration = field(default_factory=ExpertCalibration)
    labelled: int = 0  # experts with one society when the fusion was fitted
    built_at: float = field(default_factory=time.time)
    name: str = ""  # its version directory, once saved or loaded
    segmenter_id: str = ""
    row_bases: dict[str, RowBase] = field(default_factory=dict)  # what a patch saves on

    def vectors_by_hash(self) -> dict[str, np.ndarray]:
        """This state's text vectors by text hash (its model's): reused by the next build."""
        out = dict(zip(self.e_hashes, self.experts.vectors, strict=True))
        out.update(zip(self.s_hashes, self.s_own_vectors, strict=True))
        return out


class _LoadedState(IndexState):
    """A state read from a version directory; corpora, evidence and what only a build uses
    are read when first used (``matcher match --need`` against experts never reads the
    society evidence); a lazy state maps its large arrays instead of reading them."""

    def __getattr__(self, name: str):
        if name in _LAZY:
            held = self.__dict__
            value = _load_part(held["_version"], name, mapped=held["_mapped"])
            setattr(self, name, value)
            return value
        raise AttributeError(name)


def build_state(
    *,
    signature: str,
    experts: list[Row],
    societies: list[Row],
    memberships: dict[int, list[int]],
    e_tokens: list[list[str]],
    s_tokens: list[list[str]],
    encoder: Encoder,
    vectors: dict[str, np.ndarray],
    ann_threshold: int,
    progress: bool = False,
    previous: IndexState | None = None,
    segmenter_id: str = "",
) -> tuple[IndexState, int]:
    """The indexes for these rows (tokens given, aligned with the rows), reusing ``vectors``
    (text hash → vector of this encoder) and the ANN indexes of ``previous`` (updated where
    rows changed); also how many texts were encoded. A society's document is its own text
    plus its member experts' texts; its vector is the normalised sum of its own and its
    members' vectors."""
    if previous is not None and previous.model_id != encoder.model_id:
        previous = None
    e_hashes = [text_hash(r.text) for r in experts]
    s_hashes = [text_hash(r.text) for r in societies]
    e_vecs, n_e = _vectors(experts, e_tokens, e_hashes, encoder, vectors, progress)
    s_own, n_s = _vectors(societies, s_tokens, s_hashes, encoder, vectors, progress)
    counts = TextCounts.count(
        e_texts=[r.text for r in experts],
        s_texts=[r.text for r in societies],
        e_tokens=e_tokens,
        s_tokens=s_tokens,
    )
    state = assemble_state(
        signature=signature,
        experts=experts,
        societies=societies,
        memberships=memberships,
        counts=counts,
        hashes=(e_hashes, s_hashes),
        vectors=(e_vecs, s_own),
        encoder=encoder,
        ann_threshold=ann_threshold,
        previous=previous,
        segmenter_id=segmenter_id,
    )
    return state, n_e + n_s


def assemble_state(
    *,
    signature: str,
    experts: list[Row],
    societies: list[Row],
    memberships: dict[int, list[int]],
    counts: TextCounts,
    hashes: tuple[list[str], list[str]],
    vectors: tuple[np.ndarray, np.ndarray],
    encoder: Encoder,
    ann_threshold: int,
    previous: IndexState | None,
    segmenter_id: str,
    reused: Previous | None = None,
) -> IndexState:
    """The state of these rows from their per-text counts and vectors (experts', societies'
    own): every society document, TF-IDF and BM25 weight is derived here, in one place for
    a build from scratch and a patched refresh (``matcher.matching.incremental``; its
    ``reused``: what it takes from the previous state, see ``SocietyEvidence.from_counts``
    and ``matcher.matching.doc_patch``)."""
    e_hashes, s_hashes = hashes
    e_vecs, s_own = vectors
    evidence, (e_bm25, s_bm25), s_vecs = evidence_from_counts(
        counts=counts,
        experts=experts,
        societies=societies,
        memberships=memberships,
        e_vecs=e_vecs,
        s_vecs=s_own,
        previous=reused,
    )
    tuning = _tuning_queries(experts + societies, encoder)
    ids = np.fromiter((r.id for r in experts), np.int64, len(experts))
    people = [experts[i] for i in np.flatnonzero(is_expert(ids)).tolist()]
    checksum = hashlib.sha1(
        repr((e_hashes, s_hashes, sorted(memberships.items()))).encode()
    ).hexdigest()
    return IndexState(
        signature=signature,
        model_id=encoder.model_id,
        version=f"{encoder.model_id}|{checksum[:16]}",
        experts=corpus(
            experts, e_bm25, e_vecs, ann_threshold, previous and previous.experts, tuning
        ),
        societies=corpus(
            societies, s_bm25, s_vecs, ann_threshold, previous and previous.societies, tuning
        ),
        memberships=memberships,
        evidence=evidence,
        society_capacity={r.id: r.capacity for r in societies},
        external_ids={
            "expert": {r.id: r.external_id for r in people},
            "society": {r.id: r.external_id for r in societies},
        },
        names={
            "expert": {r.id: r.name for r in people},
            "society": {r.id: r.name for r in societies},
        },
        e_hashes=e_hashes,
        s_hashes=s_hashes,
        s_own_vectors=np.asarray(s_own, np.float32).reshape(len(societies), -1),
        counts=counts,
        segmenter_id=segmenter_id,
    )


def _tuning_queries(rows: list[Row], encoder: Encoder) -> Queries:
    """Need-like held-out queries to tune an approximate index on (made once, when first
    asked: only when an approximate index is trained)."""
    return cache(lambda: encoder.encode(need_like_texts([r.text for r in rows]), kind="query"))


def _vectors(rows, tokens, hashes, encoder: Encoder, cache: dict, progress: bool):
    missing = [i for i, h in enumerate(hashes) if h not in cache]
    if missing:
        vecs = encoder.encode(
            [rows[i].text for i in missing], tokens=[tokens[i] for i in missing], progress=progress
        )
        for i, v in zip(missing, vecs, strict=True):
            cache[hashes[i]] = v
    if not rows:
        return np.zeros((0, encoder.dim), np.float32), 0
    return np.stack([cache[h] for h in hashes]).astype(np.float32), len(missing)


def society_evidence(
    *,
    experts: list[Row],
    societies: list[Row],
    memberships: dict[int, list[int]],
    e_tokens: list[list[str]],
    s_tokens: list[list[str]],
    e_vecs: np.ndarray,
    s_vecs: np.ndarray,
) -> tuple[SocietyEvidence, tuple[BM25, BM25], np.ndarray]:
    """``evidence_from_counts`` of these texts, every one counted."""
    counts = TextCounts.count(
        e_texts=[r.text for r in experts],
        s_texts=[r.text for r in societies],
        e_tokens=e_tokens,
        s_tokens=s_tokens,
    )
    return evidence_from_counts(
        counts=counts,
        experts=experts,
        societies=societies,
        memberships=memberships,
        e_vecs=e_vecs,
        s_vecs=s_vecs,
    )


def evidence_from_counts(
    *,
    counts: TextCounts,
    experts: list[Row],
    societies: list[Row],
    memberships: dict[int, list[int]],
    e_vecs: np.ndarray,
    s_vecs: np.ndarray,
    previous: Previous | None = None,
) -> tuple[SocietyEvidence, tuple[BM25, BM25], np.ndarray]:
    """The society channels' matrices; the BM25 of the experts and of the society documents
    (a society's own words plus its members'); each society's vector (the normalised sum of
    its own and its members' vectors: the description counts as one more member). Society
    documents are sums of the texts' count rows (``counts``, aligned with the rows), patched
    from ``previous``'s when it can (``patched_documents``); they are kept on ``counts``."""
    pos_of: dict[int, list[int]] = {}
    for pos, row in enumerate(experts):
        for sid in memberships.get(row.id, ()):
            pos_of.setdefault(sid, []).append(pos)
    s_rows = [pos_of.get(r.id, []) for r in societies]
    own, exp, vocab = counts.own, counts.experts, counts.vocab
    members = [np.asarray(r, np.int64) for r in s_rows]
    got = patched_documents(previous, counts, members) if previous is not None else None
    docs, counts.docs_src = got if got is not None else (document_counts(own, exp, members), None)
    counts.docs = docs
    evidence = SocietyEvidence.from_counts(
        own=own,
        experts=exp,
        vocab=vocab,
        members=members,
        doc_counts=docs,
        previous=None
        if previous is None
        else Earlier(previous.evidence, previous.e_src, previous.s_src, counts.docs_src),
    )
    s_vecs = np.array(s_vecs, np.float32, copy=True)
    for pos, rows in enumerate(s_rows):
        if rows:
            s_vecs[pos] = s_vecs[pos] + e_vecs[rows].sum(axis=0)
    s_vecs = l2_normalize(s_vecs) if len(societies) else s_vecs
    bm25 = (
        BM25.from_counts(exp["word"], vocab["word"]),
        BM25.from_counts(docs["word"], vocab["word"]),
    )
    return evidence, bm25, s_vecs


def corpus(
    rows: list[Row],
    bm25: BM25,
    vectors: np.ndarray,
    ann_threshold: int,
    previous: Corpus | None,
    queries: Queries = None,
) -> Corpus:
    """A target collection with its BM25 and its dense index (built, or ``previous``'s
    updated in place; an approximate one tuned on ``queries``)."""
    ids = np.array([r.id for r in rows], dtype=np.int64)
    vectors = np.ascontiguousarray(np.asarray(vectors, np.float32).reshape(len(rows), -1))
    settings = dict(
        ann_threshold=ann_threshold, compress_threshold=COMPRESS_THRESHOLD, queries=queries
    )
    if previous is not None:
        ann = previous.ann.updated(previous.ids, previous.vectors, ids, vectors, **settings)
    else:
        ann = VectorIndex.build(ids, vectors, **settings)
    if ann.info.kind == "ivfpq":
        ann.attach(ids, vectors)
    return Corpus(
        ids=ids,
        vectors=vectors,
        cities=[r.city for r in rows],
        fit_texts=[r.fit_text for r in rows],
        bm25=bm25,
        ann=ann,
    )


# --- saving and loading ----------------------------------------------------------------


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
    for space in ("char12", "char", "word"):
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
    for space in ("char12", "char", "word"):
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


def load_state(index_dir: Path, *, eager: bool = True) -> IndexState | None:
    """The current saved state, or None when there is none or it is refused (missing,
    damaged, foreign: the caller rebuilds). ``eager=False`` reads corpora when used."""
    version = persist.open_current(index_dir)
    if version is None:
        return None
    try:
        return read_state(version, eager=eager)
    except (*persist.UNREADABLE, RuntimeError):
        return None


def read_state(version: persist.Version, *, eager: bool = True) -> IndexState:
    meta = version.json("meta")
    state = _LoadedState.__new__(_LoadedState)
    state.__dict__.update(
        _version=version,
        _mapped=not eager,
        signature=str(meta["signature"]),
        model_id=str(meta["model_id"]),
        version=str(meta["version"]),
        labelled=int(meta["labelled"]),
        built_at=float(meta["built_at"]),
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


def _load_part(version: persist.Version, part: str, *, mapped: bool = False):
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
            for s in ("char12", "char", "word")
        }
        arrays = version.arrays("evidence.")
        mats = {
            m: persist.get_sparse(arrays, f"evidence.{m}")
            for m in ("char12_docs", "char_docs", "char_centroids", "word_docs")
        }
        mats["char_experts"] = row_delta.get(arrays, "evidence.char_experts", sparse=True)
        counts = arrays["evidence.member_counts"]
        cuts = np.cumsum(counts)[:-1]
        members = np.split(arrays["evidence.members"], cuts) if len(counts) else []
        return SocietyEvidence(**spaces, **mats, members=[np.asarray(m) for m in members])
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
