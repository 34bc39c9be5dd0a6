"""The society and expert indexes of one store: built from its rows (reusing the tokens and
vectors of unchanged texts); saved as a version directory and loaded back by
``matcher.matching.saved_state``."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from matcher import scratch
from matcher.embeddings.encoders import Encoder, l2_normalize
from matcher.embeddings.vector_index import Queries, VectorIndex, need_like_texts
from matcher.matching.aside import aside
from matcher.matching.doc_patch import Previous, patched_documents
from matcher.matching.profiles import Row, text_hash
from matcher.matching.row_delta import RowBase
from matcher.matching.text_counts import TextCounts
from matcher.ranking.bm25 import BM25
from matcher.ranking.evidence import Earlier, SocietyEvidence, assignment, document_counts
from matcher.ranking.fusion import ExpertCalibration, Fusion
from matcher.ranking.rank import Corpus, is_expert
from matcher.text.counts import row_pass_product

COMPRESS_THRESHOLD = 500_000
"""Collections above this many rows use a compressed (IVF-PQ) index."""


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
    build_seconds: float | None = None  # how long its build or refresh took, once saved
    name: str = ""  # its version directory, once saved or loaded
    segmenter_id: str = ""
    row_bases: dict[str, RowBase] = field(default_factory=dict)  # what a patch saves on

    def vectors_by_hash(self) -> dict[str, np.ndarray]:
        """This state's text vectors by text hash (its model's): reused by the next build."""
        out = dict(zip(self.e_hashes, self.experts.vectors, strict=True))
        out.update(zip(self.s_hashes, self.s_own_vectors, strict=True))
        return out


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
    counts: TextCounts | None = None,
) -> tuple[IndexState, int]:
    """The indexes for these rows (tokens given, aligned with the rows; their ``counts``
    too when counted already), reusing ``vectors`` (text hash → vector of this encoder;
    emptied once read) and
    the ANN indexes of ``previous`` (updated where rows changed); also how many texts were
    encoded. A society's document is its own text plus its member experts' texts; its
    vector is the normalised sum of its own and its members' vectors."""
    if previous is not None and previous.model_id != encoder.model_id:
        previous = None
    e_hashes = [text_hash(r.text) for r in experts]
    s_hashes = [text_hash(r.text) for r in societies]
    e_vecs, n_e = _vectors(experts, e_tokens, e_hashes, encoder, vectors, progress)
    s_own, n_s = _vectors(societies, s_tokens, s_hashes, encoder, vectors, progress)
    vectors.clear()  # (read: a fitted store's vectors are not held twice)
    if counts is None:
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
    texts: Callable[[], list[str]] | None = None,
) -> IndexState:
    """The state of these rows from their per-text counts and vectors (experts', societies'
    own): every society document, TF-IDF and BM25 weight is derived here, in one place for
    a build from scratch and a patched refresh (``matcher.matching.incremental``; its
    ``reused``: what it takes from the previous state, see ``SocietyEvidence.from_counts``
    and ``matcher.matching.doc_patch``; ``texts``: the rows' texts, read when an approximate
    index is trained, when rows came without theirs, ``matcher.matching.kept_rows``)."""
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
    tuning = _tuning_queries(texts or (lambda: [r.text for r in experts + societies]), encoder)
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


def _tuning_queries(texts: Callable[[], list[str]], encoder: Encoder) -> Queries:
    """Need-like held-out queries to tune an approximate index on, from the rows' ``texts``
    (made once, when first asked: only when an approximate index is trained)."""
    return cache(lambda: encoder.encode(need_like_texts(texts()), kind="query"))


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
    out = scratch.empty((len(hashes), encoder.dim), np.float32)
    return np.stack([cache[h] for h in hashes], out=out, casting="same_kind"), len(missing)


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
    # the experts' BM25 on the second core meanwhile (it reads the word counts; none writes)
    e_bm25 = aside(BM25.from_counts, counts=exp["word"], vocab=vocab["word"])
    members = [np.asarray(r, np.int64) for r in s_rows]
    got = patched_documents(previous, counts, members) if previous is not None else None
    docs, counts.docs_src = got if got is not None else (document_counts(own, exp, members), None)
    counts.docs = docs
    evidence = SocietyEvidence.from_counts(
        own=own,
        experts=counts.rows("experts"),  # (read by rows: none gathered whole)
        vocab=vocab,
        members=members,
        doc_counts=docs,
        previous=None
        if previous is None
        else Earlier(previous.evidence, previous.e_src, previous.s_src, counts.docs_src),
    )
    assign = assignment(members, len(members), len(e_vecs))
    s_vecs = (s_vecs + row_pass_product(assign, e_vecs)).astype(np.float32)
    s_vecs = l2_normalize(s_vecs) if len(societies) else s_vecs
    bm25 = (e_bm25.result(), BM25.from_counts(docs["word"], vocab["word"]))
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
