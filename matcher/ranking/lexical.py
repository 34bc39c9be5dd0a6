"""TF-IDF spaces whose IDF is computed over society documents (a class-discriminative
weight), with sublinear term frequency and L2-normalised rows, so a dot product is a cosine."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp

from matcher.text.counts import count_matrix


class TfidfSpace:
    """Vocabulary and IDF fitted on ``docs``; ``transform`` maps token lists into the space."""

    def __init__(self, docs: Sequence[Sequence[str]]) -> None:
        self.vocab = {t: i for i, t in enumerate(dict.fromkeys(chain.from_iterable(docs)))}
        counts = count_matrix(docs, self.vocab)
        df = np.bincount(counts.indices, minlength=len(self.vocab))
        self.idf = (np.log((1 + len(docs)) / (1 + df)) + 1).astype(np.float32)

    @classmethod
    def from_parts(cls, vocab: list[str], idf: np.ndarray) -> TfidfSpace:
        """A space from its saved vocabulary (in column order) and IDF."""
        out = cls.__new__(cls)
        out.vocab = {t: i for i, t in enumerate(vocab)}
        out.idf = np.asarray(idf, np.float32)
        return out

    def transform(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Rows ``l2((1 + ln tf) · idf)``; tokens outside the vocabulary are ignored."""
        m = count_matrix(docs, self.vocab)
        m.data = (1 + np.log(m.data)) * self.idf[m.indices]
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        inv = sp.diags(1 / np.maximum(norms, 1e-12))
        return (inv @ m).tocsr().astype(np.float32)
