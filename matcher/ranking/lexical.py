"""TF-IDF spaces whose IDF is computed over society documents (a class-discriminative
weight), with sublinear term frequency and L2-normalised rows, so a dot product is a cosine."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp

from matcher import scratch
from matcher.text.counts import canonical, column_counts, count_matrix, csr_of, value_blocks

WEIGH_BLOCK = 1 << 22
"""Stored values weighed at once (``TfidfSpace.weigh``): at a million experts a space holds
hundreds of millions, and each needs a few int64 temporaries."""


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

    @classmethod
    def fit_counts(
        cls, counts: sp.csr_matrix, vocab: dict[str, int]
    ) -> tuple[TfidfSpace, np.ndarray]:
        """The space of documents given as counts over ``vocab`` (what ``TfidfSpace(docs)``
        fits, without the token lists): the columns it keeps are returned too, to restrict
        other count matrices over ``vocab`` with (``counts[:, keep]``)."""
        df = column_counts(counts)[: len(vocab)]
        keep = np.flatnonzero(df > 0)
        words = list(vocab)
        out = cls.from_parts(
            [words[j] for j in keep.tolist()],
            (np.log((1 + counts.shape[0]) / (1 + df[keep])) + 1).astype(np.float32),
        )
        return out, keep

    def transform(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Rows ``l2((1 + ln tf) · idf)``; tokens outside the vocabulary are ignored."""
        return self.weigh(count_matrix(docs, self.vocab))

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """``transform`` of documents given as counts over this space's columns. Plain numpy
        on the CSR arrays (a query costs microseconds, not scipy's per-call overhead); the
        numbers, and each row's entries in reverse column order, are those of the scipy
        form ``diag(1/‖row‖) @ m`` it replaces, so sums over them are unchanged; a block of
        rows at a time (``WEIGH_BLOCK``)."""
        m = counts
        if not (sp.issparse(m) and m.format == "csr" and m.dtype == np.float32):
            m = sp.csr_matrix(m, dtype=np.float32)
        m = canonical(m)  # (counts are: ``count_matrix`` sums duplicates)
        data, indices = scratch.empty(m.nnz, np.float32), scratch.empty(m.nnz, m.indices.dtype)
        for lo, hi in value_blocks(m.indptr, WEIGH_BLOCK):  # (a query: one block)
            a, b = m.indptr[lo], m.indptr[hi]
            indptr = m.indptr[lo : hi + 1] - a
            weights = (1 + np.log(m.data[a:b])) * self.idf[m.indices[a:b]]
            lens = np.diff(indptr)
            nonempty = np.flatnonzero(lens)
            norms = np.zeros(hi - lo, np.float32)
            norms[nonempty] = np.add.reduceat(weights * weights, indptr[nonempty])
            inv = 1 / np.maximum(np.sqrt(norms), 1e-12)
            rows = np.repeat(np.arange(hi - lo), lens)
            rev = indptr[rows] + indptr[rows + 1] - 1 - np.arange(b - a)
            data[a:b], indices[a:b] = weights[rev] * inv[rows], m.indices[a:b][rev]
        return csr_of(data, indices, m.indptr.copy(), m.shape)
