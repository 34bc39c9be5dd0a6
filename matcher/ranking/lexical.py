"""TF-IDF spaces whose IDF is computed over society documents (a class-discriminative
weight), with sublinear term frequency and L2-normalised rows, so a dot product is a cosine."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp


class TfidfSpace:
    """Vocabulary and IDF fitted on ``docs``; ``transform`` maps token lists into the space."""

    def __init__(self, docs: Sequence[Sequence[str]]) -> None:
        vocab: dict[str, int] = {}
        for doc in docs:
            for tok in set(doc):
                vocab.setdefault(tok, len(vocab))
        self.vocab = vocab
        counts = self._counts(docs)
        df = np.bincount(counts.indices, minlength=len(vocab)) if vocab else np.zeros(0)
        n = len(docs)
        self.idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)

    def _counts(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        rows, cols = [], []
        for i, doc in enumerate(docs):
            for tok in doc:
                j = self.vocab.get(tok)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        m = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)),
            shape=(len(docs), max(len(self.vocab), 1)),
        )
        m.sum_duplicates()
        return m

    def transform(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Rows ``l2((1 + ln tf) · idf)``; tokens outside the vocabulary are ignored."""
        m = self._counts(docs)
        m.data = (1 + np.log(m.data)) * self.idf[m.indices]
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        inv = sp.diags(1 / np.maximum(norms, 1e-12))
        return (inv @ m).tocsr().astype(np.float32)
