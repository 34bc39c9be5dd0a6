"""Okapi BM25 over token lists, as a sparse document × term weight matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp


class BM25:
    """Scores queries against a fixed collection; ``idf`` doubles as keyword weight."""

    def __init__(self, docs: Sequence[Sequence[str]], *, k1: float = 1.5, b: float = 0.75):
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for i, doc in enumerate(docs):
            for tok in doc:
                rows.append(i)
                cols.append(vocab.setdefault(tok, len(vocab)))
        n = len(docs)
        counts = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(n, max(len(vocab), 1))
        )
        counts.sum_duplicates()
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        avg = lengths.mean() if n else 1.0
        norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        tf = counts.tocoo()
        data = idf[tf.col] * tf.data * (k1 + 1) / (tf.data + norm[tf.row])
        self.weights = sp.csc_matrix((data, (tf.row, tf.col)), shape=counts.shape)
        self.vocab = vocab
        self.idf = {t: float(idf[j]) for t, j in vocab.items()}

    def scores(self, query: Sequence[str], rows: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every document (or only of ``rows``) for ``query`` (repeated terms
        count once)."""
        cols = sorted({self.vocab[t] for t in query if t in self.vocab})
        n = self.weights.shape[0] if rows is None else len(rows)
        if not cols:
            return np.zeros(n, np.float32)
        part = self.weights[:, cols]
        if rows is not None:
            part = part.tocsr()[rows]
        return np.asarray(part.sum(axis=1)).ravel()
