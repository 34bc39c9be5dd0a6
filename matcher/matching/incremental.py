"""A refresh by patching the previous state: when it was built with the same model and
segmenter and only a few texts changed, were added or removed, only those texts are
segmented, counted and encoded; the other rows' counts and vectors are taken from the
previous state, and every derived weight (society documents, IDF, BM25, the society
vectors and the dense index) comes from ``matcher.matching.indexes.assemble_state``, as in a
build from scratch, so the result ranks as a full rebuild does (the experts' character-bigram
TF-IDF rows, the society documents' TF-IDF rows and the centroids none of whose inputs or
terms' IDF moved are taken from the previous state: the very numbers a full pass gives,
``matcher.ranking.evidence.reweighed``, ``patched_centroids``). ``None`` whenever the patch
does not apply (the caller builds from scratch)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from matcher.embeddings.encoders import Encoder
from matcher.matching import persist
from matcher.matching.doc_patch import Previous
from matcher.matching.indexes import IndexState, assemble_state
from matcher.matching.profiles import Row, row_hash
from matcher.matching.row_delta import FAISS, RowBase, follow
from matcher.matching.text_counts import TextCounts
from matcher.text.counts import SPACES

PATCH_SHARE = 0.01
"""A refresh patches the previous state when the texts changed, added or removed (experts
and societies) are at most this share of the rows (or ``PATCH_MIN``); else it rebuilds."""
PATCH_MIN = 10
Tokenize = Callable[[Sequence[str]], list[list[str]]]


@dataclass
class Patched:
    state: IndexState
    encoded: int  # texts counted and encoded anew


def patch_limit(rows: int) -> int:
    """How many texts may change for a patch (``PATCH_SHARE``, ``PATCH_MIN``)."""
    return max(int(PATCH_SHARE * rows), PATCH_MIN)


def sources(old_ids: np.ndarray, old_hashes: Sequence[str], rows: list[Row], hashes: list[str]):
    """Per row, its position in the previous state when its text is unchanged, else -1."""
    at = {int(i): p for p, i in enumerate(old_ids.tolist())}
    out = np.full(len(rows), -1, np.int64)
    for i, (row, h) in enumerate(zip(rows, hashes, strict=True)):
        p = at.get(row.id)
        if p is not None and old_hashes[p] == h:
            out[i] = p
    return out


def changes(src: np.ndarray, n_old: int) -> int:
    """Rows counted anew plus previous rows no longer used."""
    kept = int((src >= 0).sum())
    return int(len(src) - kept) + (n_old - kept)


def patched_state(
    *,
    previous: IndexState,
    signature: str,
    experts: list[Row],
    societies: list[Row],
    memberships: dict[int, list[int]],
    tokenize: Tokenize,
    encoder: Encoder,
    ann_threshold: int,
    segmenter_id: str,
    texts: Callable[[], list[str]] | None = None,
) -> Patched | None:
    """The next state derived from ``previous`` (see the module), or None. Rows that come
    without their text carry its hash (``matcher.matching.kept_rows``; ``texts`` reads them
    all, experts then societies, should an approximate index be trained)."""
    if previous.model_id != encoder.model_id or previous.segmenter_id != segmenter_id:
        return None
    e_hashes = [row_hash(r) for r in experts]
    s_hashes = [row_hash(r) for r in societies]
    e_src = sources(previous.experts.ids, previous.e_hashes, experts, e_hashes)
    s_src = sources(previous.societies.ids, previous.s_hashes, societies, s_hashes)
    moved = changes(e_src, len(previous.e_hashes)) + changes(s_src, len(previous.s_hashes))
    if moved > patch_limit(len(experts) + len(societies)):
        return None
    counts = previous_counts(previous)
    if counts is None:
        return None
    e_new = [experts[i].text for i in np.flatnonzero(e_src < 0).tolist()]
    s_new = [societies[i].text for i in np.flatnonzero(s_src < 0).tolist()]
    tokens = tokenize(e_new + s_new)
    e_tok, s_tok = tokens[: len(e_new)], tokens[len(e_new) :]
    old_counts = counts
    counts = counts.patched(e_src=e_src, s_src=s_src, e_new=(e_new, e_tok), s_new=(s_new, s_tok))
    e_vecs = _vectors(previous.experts.vectors, e_src, encoder, e_new, e_tok)
    s_own = _vectors(previous.s_own_vectors, s_src, encoder, s_new, s_tok)
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
        reused=previous_evidence(previous, old_counts, e_src, s_src),
        texts=texts,
    )
    state.row_bases = row_bases(previous, state, e_src)
    return Patched(state, len(e_new) + len(s_new))


def row_bases(previous: IndexState, state: IndexState, e_src: np.ndarray) -> dict[str, RowBase]:
    """Where the state's large expert-row arrays come from in the version ``previous``
    patched from (``matcher.matching.row_delta``): the rows kept, by key. The dense index
    only when it is ``previous``'s with the changed rows removed and added (not retrained)."""
    try:
        bases = previous.row_bases
    except persist.UNREADABLE:
        return {}
    got = {
        "experts.vectors": follow(bases.get("experts.vectors"), e_src),
        "evidence.char_experts": follow(bases.get("evidence.char_experts"), state.evidence.reused),
        **{
            f"counts.docs.{k}": follow(bases.get(f"counts.docs.{k}"), state.counts.docs_src)
            for k in SPACES
        },
    }
    ann, old_kind = state.experts.ann, previous.experts.ann.info.kind
    if ann.info.kind == old_kind and (old_kind == "flat" or ann.in_place):
        got[FAISS] = follow(bases.get(FAISS), e_src, previous.experts.ids)
    return {k: v for k, v in got.items() if v is not None}


def previous_counts(previous: IndexState) -> TextCounts | None:
    """The previous state's counts, when readable and aligned with its rows."""
    try:
        counts = previous.counts
    except persist.UNREADABLE:
        return None
    rows = (len(previous.e_hashes), len(previous.s_hashes))
    if counts is None or (counts.n_rows("experts"), counts.n_rows("own")) != rows:
        return None
    return counts


def previous_evidence(
    previous: IndexState, counts: TextCounts, e_src: np.ndarray, s_src: np.ndarray
) -> Previous | None:
    """What the next evidence takes from the previous state (``doc_patch.Previous``: its
    character-bigram rows are reused where no weight moved, its society documents patched),
    or None when unreadable."""
    try:
        evidence = previous.evidence
    except persist.UNREADABLE:
        return None
    if evidence.char_experts.shape[0] != len(previous.e_hashes):
        return None
    return Previous(evidence, counts, e_src, s_src)


def _vectors(old: np.ndarray, src: np.ndarray, encoder: Encoder, texts, tokens) -> np.ndarray:
    """Row ``i``: ``old[src[i]]``, or the next of the texts' new vectors."""
    dim = old.shape[1] if old.ndim == 2 and old.shape[1] else encoder.dim
    kept = src >= 0
    if len(old):  # one gather (unchanged rows are most): new rows are overwritten below
        out = np.take(np.asarray(old, np.float32), np.where(kept, src, 0), axis=0)
    else:
        out = np.zeros((len(src), dim), np.float32)
    if texts:
        out[~kept] = np.asarray(encoder.encode(texts, tokens=tokens), np.float32)
    return out
