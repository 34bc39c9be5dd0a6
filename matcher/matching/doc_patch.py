"""Society document counts of a patched refresh: the previous documents, minus what the expert
rows that changed (text, membership, removal) brought them, plus what they bring now —
instead of summing every member's counts again. Counts are whole numbers held exactly in
float32, so the result is the very matrix ``document_counts`` gives (its terms no text
uses any more are dropped, as a recount never holds them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matcher.matching.text_counts import TextCounts
from matcher.ranking.evidence import SocietyEvidence, assignment
from matcher.text.counts import SPACES, widen


@dataclass
class Previous:
    """What a patched refresh takes from the previous state: its society evidence (members,
    character-bigram rows), its per-text counts (with their society documents) and, per
    row of the new state, its row there when its text is unchanged (else -1)."""

    evidence: SocietyEvidence
    counts: TextCounts
    e_src: np.ndarray
    s_src: np.ndarray


def patched_documents(
    previous: Previous, counts: TextCounts, members: list[np.ndarray]
) -> tuple[dict[str, sp.csr_matrix], np.ndarray] | None:
    """The society documents of ``counts`` (aligned with ``members``, expert rows per
    society row) patched from ``previous``'s, and per society row its row there when its
    document did not change (else -1); None when it cannot be (no saved documents, a
    society text changed, shapes that do not line up): the caller recounts."""
    old, e_src, s_src = previous.counts, previous.e_src, previous.s_src
    n_s, n_old = len(members), old.n_rows("experts")
    if (
        old.docs is None
        or len(s_src) != n_s
        or not np.array_equal(s_src, np.arange(n_s))
        or len(previous.evidence.members) != n_s
        or any(old.docs[k].shape[0] != n_s for k in SPACES)
    ):
        return None
    a_old = sp.csc_matrix(assignment(previous.evidence.members, n_s, n_old))
    a_new = sp.csc_matrix(assignment(members, n_s, len(e_src)))
    kept = np.flatnonzero(e_src >= 0)
    moved = np.unique((a_new[:, kept] != a_old[:, e_src[kept]]).tocoo().col)
    used = np.zeros(n_old, bool)
    used[e_src[kept]] = True
    new_rows = np.union1d(np.flatnonzero(e_src < 0), kept[moved])
    old_rows = np.union1d(np.flatnonzero(~used), e_src[kept[moved]])
    out = {}
    touched = np.union1d(a_new[:, new_rows].indices, a_old[:, old_rows].indices)
    for key in SPACES:
        width = max(len(counts.vocab[key]), 1)
        before = sp.csr_matrix(old.take("experts", key, old_rows))
        if old.docs[key].shape[1] > width or before.shape[1] > width:
            return None
        gone = a_old[:, old_rows] @ widen(before, width)
        came = a_new[:, new_rows] @ counts.take("experts", key, new_rows)
        docs = sp.csr_matrix(widen(old.docs[key], width) - gone + came, dtype=np.float32)
        docs.eliminate_zeros()
        out[key] = docs
    src = np.arange(n_s)
    src[touched] = -1
    return out, src
