"""The society channels of the fusion: each society's document (its description plus its
members' profiles) and the evidence of its best-matching member experts, in a lexical
(character bigram / jieba word TF-IDF) and a dense form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matcher.ranking.lexical import TfidfSpace

CHANNELS = ("char_doc", "word_doc", "char_experts", "dense_doc", "dense_experts")


@dataclass
class SocietyEvidence:
    """Society-level matrices aligned with the society corpus rows."""

    char: TfidfSpace
    word: TfidfSpace
    char_docs: sp.csr_matrix
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
        members: Sequence[Sequence[int]],
    ) -> SocietyEvidence:
        """``members[s]`` lists the expert rows of society row ``s``."""
        char, word = TfidfSpace(society_chars), TfidfSpace(society_words)
        return cls(
            char=char,
            word=word,
            char_docs=char.transform(society_chars),
            word_docs=word.transform(society_words),
            char_experts=char.transform(expert_chars),
            members=[np.asarray(m, dtype=np.int64) for m in members],
        )

    def top_m_mean(self, expert_scores: np.ndarray, m: int) -> np.ndarray:
        """Per society, the mean of its ``m`` best member scores (0 without members)."""
        out = np.zeros(len(self.members), np.float32)
        for s, rows in enumerate(self.members):
            if len(rows):
                vals = expert_scores[rows]
                if len(vals) > m:
                    vals = np.partition(vals, len(vals) - m)[-m:]
                out[s] = vals.mean()
        return out

    def channels(
        self,
        *,
        query_chars: Sequence[str],
        query_words: Sequence[str],
        query_vector: np.ndarray,
        society_vectors: np.ndarray,
        expert_dense: np.ndarray,
        top_m: int,
    ) -> dict[str, np.ndarray]:
        """Raw scores of every channel for every society (``expert_dense``: the query's
        cosine with every expert row)."""
        qc = self.char.transform([query_chars]).toarray().ravel()  # dense: matrix × vector
        qw = self.word.transform([query_words]).toarray().ravel()
        return {
            "char_doc": self.char_docs @ qc,
            "word_doc": self.word_docs @ qw,
            "char_experts": self.top_m_mean(self.char_experts @ qc, top_m),
            "dense_doc": society_vectors @ query_vector,
            "dense_experts": self.top_m_mean(expert_dense, top_m),
        }


def zscore(values: np.ndarray) -> np.ndarray:
    """Per-query standardisation, so channels on different scales can be averaged."""
    values = np.asarray(values, np.float64)
    if len(values) < 2:
        return np.zeros_like(values)
    return (values - values.mean()) / (values.std() + 1e-9)
