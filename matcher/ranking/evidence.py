"""The society channels of the fusion: each society's document (its description plus its
members' profiles), its centroid (the mean of its members' and its description's unit
vectors) and the evidence of its best-matching member experts, in a lexical (character
bigram / jieba word TF-IDF) and a dense form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matcher.ranking.lexical import TfidfSpace

CHANNELS = (
    "char_doc",
    "char_centroid",
    "word_doc",
    "char_experts",
    "dense_doc",
    "dense_experts",
)


@dataclass
class SocietyEvidence:
    """Society-level matrices aligned with the society corpus rows."""

    char: TfidfSpace
    word: TfidfSpace
    char_docs: sp.csr_matrix
    char_centroids: sp.csr_matrix
    word_docs: sp.csr_matrix
    char_experts: sp.csr_matrix
    members: list[np.ndarray]

    @classmethod
    def build(
        cls,
        *,
        society_chars: Sequence[Sequence[str]],
        society_words: Sequence[Sequence[str]],
        expert_chars: Sequence[Sequence[str]],
        own_chars: Sequence[Sequence[str]],
        members: Sequence[Sequence[int]],
    ) -> SocietyEvidence:
        """``members[s]`` lists the expert rows of society row ``s``; ``society_*`` are the
        society documents (own text plus members' texts), ``own_chars`` the own texts alone."""
        char, word = TfidfSpace(society_chars), TfidfSpace(society_words)
        char_experts = char.transform(expert_chars)
        rows = [np.asarray(m, dtype=np.int64) for m in members]
        return cls(
            char=char,
            word=word,
            char_docs=char.transform(society_chars),
            char_centroids=centroids(char_experts, char.transform(own_chars), rows),
            word_docs=word.transform(society_words),
            char_experts=char_experts,
            members=rows,
        )

    def top_m_mean(self, expert_scores: np.ndarray, m: int) -> np.ndarray:
        """Per society (rows) and query (columns of ``expert_scores``, experts × queries), the
        mean of its ``m`` best member scores (0 without members)."""
        out = np.zeros((len(self.members), expert_scores.shape[1]), np.float32)
        for s, rows in enumerate(self.members):
            if len(rows):
                vals = expert_scores[rows]
                if len(rows) > m:
                    vals = np.partition(vals, len(rows) - m, axis=0)[-m:]
                out[s] = vals.mean(axis=0)
        return out

    def channels(
        self,
        *,
        query_chars: Sequence[Sequence[str]],
        query_words: Sequence[Sequence[str]],
        query_vectors: np.ndarray,
        society_vectors: np.ndarray,
        expert_dense: np.ndarray,
        top_m: int,
    ) -> dict[str, np.ndarray]:
        """Raw scores of every channel, societies × queries, for a batch of queries
        (``expert_dense``: their cosines with every expert row, experts × queries)."""
        qc = self.char.transform(query_chars).T.toarray()  # dense: sparse matrix × dense block
        qw = self.word.transform(query_words).T.toarray()
        return {
            "char_doc": self.char_docs @ qc,
            "char_centroid": self.char_centroids @ qc,
            "word_doc": self.word_docs @ qw,
            "char_experts": self.top_m_mean(self.char_experts @ qc, top_m),
            "dense_doc": society_vectors @ query_vectors.T,
            "dense_experts": self.top_m_mean(expert_dense, top_m),
        }


def centroids(
    experts: sp.csr_matrix, own: sp.csr_matrix, members: Sequence[np.ndarray]
) -> sp.csr_matrix:
    """Per society, the L2-normalised sum of its members' unit rows and its own unit row (its
    description counts as one more member): every member weighs the same, however long its
    text (one document per society lets long profiles dominate)."""
    empty = np.zeros(0, np.int64)
    rows = np.concatenate([empty, *(np.full(len(m), s, np.int64) for s, m in enumerate(members))])
    cols = np.concatenate([empty, *members])
    assign = sp.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, cols)), shape=(own.shape[0], experts.shape[0])
    )
    total = sp.csr_matrix(assign @ experts + own)
    norms = np.sqrt(np.asarray(total.multiply(total).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1 / np.maximum(norms, 1e-12)) @ total).astype(np.float32)


def zscore(values: np.ndarray) -> np.ndarray:
    """Per-query standardisation, so channels on different scales can be averaged."""
    values = np.asarray(values, np.float64)
    if len(values) < 2:
        return np.zeros_like(values)
    return (values - values.mean()) / (values.std() + 1e-9)
