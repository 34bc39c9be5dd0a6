"""Okapi BM25 over token lists, as a sparse document × term weight matrix."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp

from matcher import scratch
from matcher.text.counts import column_counts, count_matrix, restrict_columns, value_blocks

WEIGHT_BLOCK = 1 << 22
"""Stored values weighed at once (their float64 temporaries: 32 MiB)."""


class BM25:
    """Scores queries against a fixed collection; ``idf`` doubles as keyword weight."""

    def __init__(self, docs: Sequence[Sequence[str]], *, k1: float = 1.5, b: float = 0.75):
        vocab = {t: i for i, t in enumerate(dict.fromkeys(chain.from_iterable(docs)))}
        self._fit(count_matrix(docs, vocab), vocab, k1, b)

    @classmethod
    def from_counts(
        cls, counts: sp.csr_matrix, vocab: dict[str, int], *, k1: float = 1.5, b: float = 0.75
    ) -> BM25:
        """``BM25(docs)`` of documents given as counts over ``vocab`` (columns no document
        uses are dropped, as ``BM25(docs)`` never sees them)."""
        df = column_counts(counts)[: len(vocab)]
        keep = np.flatnonzero(df > 0)
        words = list(vocab)
        out = cls.__new__(cls)
        sub = sp.csr_matrix(restrict_columns(counts, keep), dtype=np.float32)
        out._fit(sub, {words[j]: i for i, j in enumerate(keep.tolist())}, k1, b)
        return out

    def _fit(self, counts: sp.csr_matrix, vocab: dict[str, int], k1: float, b: float) -> None:
        n = counts.shape[0]
        counts = sp.csr_matrix(counts, dtype=np.float32)  # (read only: not copied)
        df = column_counts(counts)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        avg = lengths.mean() if n else 1.0
        norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        # idf * tf * (k1 + 1) / (tf + norm of the row), in place: the same operations in
        # the same order, a block of rows at a time (a million experts: no whole temporaries)
        weights = scratch.empty(counts.nnz, np.float32)
        for lo, hi in value_blocks(counts.indptr, WEIGHT_BLOCK):
            start, end = counts.indptr[lo], counts.indptr[hi]  # (not ``b``: BM25's parameter)
            tf, part = counts.data[start:end], weights[start:end]
            np.take(idf, counts.indices[start:end], out=part, mode="clip")  # (valid: no buffer)
            part *= tf
            part *= k1 + 1
            denominator = np.repeat(norm[lo:hi], np.diff(counts.indptr[lo : hi + 1]))
            denominator += tf
            part /= denominator
        indices = counts.indices if counts.has_sorted_indices else counts.indices.copy()
        by_row = sp.csr_matrix((weights, indices, counts.indptr), shape=counts.shape)
        by_row.sort_indices()
        self._set(by_row, vocab, idf)

    def _set(self, by_row: sp.csr_matrix, vocab: dict[str, int], idf: np.ndarray) -> None:
        self.by_row = by_row  # scores a few candidate rows without a full pass
        self._by_col: sp.csc_matrix | None = None
        self._presence: np.ndarray | None = None
        self.vocab = vocab
        self.idf_values = np.asarray(idf, np.float32)
        self.idf = dict(zip(vocab, self.idf_values.tolist(), strict=True))
        self.max_idf = float(self.idf_values.max()) if len(vocab) else 1.0
        """The largest IDF, precomputed: keyword extraction weighs unknown words by it."""

    @classmethod
    def from_parts(cls, by_row: sp.csr_matrix, vocab: list[str], idf: np.ndarray) -> BM25:
        """A BM25 from its saved parts (``by_row``, ``vocabulary()``, ``idf_values``)."""
        out = cls.__new__(cls)
        out._set(by_row, {t: i for i, t in enumerate(vocab)}, idf)
        return out

    def vocabulary(self) -> list[str]:
        return list(self.vocab)

    @property
    def weights(self) -> sp.csc_matrix:
        """Document × term weights by column (scoring every document), built when needed."""
        if self._by_col is None:
            self._by_col = self.by_row.tocsc()
        return self._by_col

    def scores(self, query: Sequence[str], rows: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every document (or only of ``rows``) for ``query`` (repeated terms
        count once)."""
        cols = sorted({self.vocab[t] for t in query if t in self.vocab})
        n = self.by_row.shape[0] if rows is None else len(rows)
        if not cols:
            return np.zeros(n, np.float32)
        if rows is None:
            return np.asarray(self.weights[:, cols].sum(axis=1)).ravel()
        picked = np.zeros(self.by_row.shape[1], np.float32)  # (not ``weights``: built whole)
        picked[cols] = 1.0
        return self.by_row[rows] @ picked

    def present(self, row: int, terms: Sequence[str]) -> list[str]:
        """The terms that occur in document ``row`` (in the given order)."""
        return self.present_each([row], terms)[0]

    def present_each(self, rows: Sequence[int], terms: Sequence[str]) -> list[list[str]]:
        """``present`` of each of ``rows`` (the terms looked up once). A short collection
        (the societies) answers from a table (``present_by_table``)."""
        wanted = np.array([self.vocab.get(t, -1) for t in terms], np.int64)
        n, v = self.by_row.shape
        if n <= FEW_DOCUMENTS and n * (v + 1) <= PRESENCE_CELLS:
            return self.present_by_table(rows, terms, wanted)
        out = []
        for row in rows:
            lo, hi = self.by_row.indptr[row], self.by_row.indptr[row + 1]
            cols = self.by_row.indices[lo:hi]  # sorted
            at = np.minimum(np.searchsorted(cols, wanted), max(len(cols) - 1, 0))
            hit = (cols[at] == wanted) if len(cols) else np.zeros(len(terms), bool)
            out.append([t for t, h in zip(terms, hit.tolist(), strict=True) if h])
        return out

    def present_by_table(
        self, rows: Sequence[int], terms: Sequence[str], wanted: np.ndarray
    ) -> list[list[str]]:
        """``present_each`` from a table of which terms each document holds (``presence``;
        ``wanted``: each term's column, -1 when unknown): a short collection's table is
        small, and one need's keywords against its listed societies are one lookup."""
        hit = self.presence()[np.asarray(rows, np.int64)][:, wanted]
        return [[t for t, h in zip(terms, got, strict=True) if h] for got in hit.tolist()]

    def presence(self) -> np.ndarray:
        """Documents × (terms + 1): whether the document holds the term (the last column,
        which an unknown term's -1 reads, holds none); built when first asked."""
        if getattr(self, "_presence", None) is None:  # (absent on an instance made by __new__)
            m = self.by_row
            got = np.zeros((m.shape[0], m.shape[1] + 1), bool)
            got[np.repeat(np.arange(m.shape[0]), np.diff(m.indptr)), m.indices] = True
            self._presence = got
        return self._presence


FEW_DOCUMENTS = 4096
"""Collections of at most this many documents (and ``PRESENCE_CELLS`` cells of a table of
their terms) answer ``present_each`` from that table."""
PRESENCE_CELLS = 1 << 26
