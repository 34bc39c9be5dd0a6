"""Fit the word vectors of the embedded static embedding model from the store's own texts.

Plain numpy/scipy: tokens in, ``(vocabulary, weights)`` out. The engine wraps the result in a
sentence-transformers ``StaticEmbedding`` (mean pooling over the tokens of a text), so each
row's norm acts as the token's weight in that mean; rows are scaled by IDF.

Recipe (measured on the CSL benchmark, see ``fit_static_embedding``): sublinear TF-IDF
document × word matrix → truncated SVD (exact for small corpora, else a seeded randomised
range finder) → word vectors ``V·S^0.5``; with labels, a block of positive PMI between words
and labels is appended; rows unit length, scaled by IDF.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numpy as np
import scipy.sparse as sp

from matcher.text.counts import count_vocab

MAX_VOCAB = 200_000
"""Vocabulary cap (most frequent tokens by document frequency are kept)."""
MIN_DF = 1
"""Tokens in fewer documents are dropped. On CSL a cut at 2 cost 2 Acc@1 points: a word seen
in a single expert profile is still strong evidence when a need uses it."""
EXACT_SVD_ROWS = 2_000
"""Up to this many documents the SVD is computed exactly instead of by random projection."""
POWER_ITERATIONS = 3
"""Power iterations of the randomised SVD (larger corpora). At 100,000 realistic experts 3
instead of 4 cut the SVDs' CPU by a sixth and kept the top society of 99.9% of 1,000 needs
(fitted weights within 0.015). With the randomised path forced on CSL, Acc@1 full/title:
4 → 0.532/0.455, 3 → 0.530/0.456, 2 → 0.526/0.453 (2 cut a third of the CPU)."""
SMALL_CORPUS = 50
"""Below this many documents every token is kept (min document frequency 1)."""
SINGULAR_VALUE_POWER = 0.5
"""Word vectors are ``V·S^0.5``: on CSL, +1.4 Acc@1 (abstract needs) over ``V·S``."""
LABEL_BLOCK_WEIGHT = 0.5
"""Weight of the label (PPMI) block against the LSA block, both unit length before mixing."""
PARALLEL_NNZ = 1_000_000
"""Sparse products with at least this many stored values run in row blocks, one per core."""


def select_vocabulary(
    counts: sp.csr_matrix, words: Sequence[str], *, min_df: int = MIN_DF, max_vocab: int = MAX_VOCAB
) -> tuple[np.ndarray, np.ndarray]:
    """Columns of the tokens kept (by document frequency, ties by token; no empty token)
    and their document frequencies."""
    counts = sp.csr_matrix(counts)
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=counts.shape[1])[: len(words)]
    if counts.shape[0] < SMALL_CORPUS:
        min_df = 1
    cand = [j for j in np.flatnonzero(df >= max(min_df, 1)).tolist() if words[j]]
    kept = sorted(cand, key=lambda j: (-df[j], words[j]))[:max_vocab]
    cols = np.array(kept, dtype=np.int64)
    return cols, df[cols].astype(np.float64)


def tfidf(counts: sp.csr_matrix, idf: np.ndarray, dtype: type = np.float64) -> sp.csr_matrix:
    """Sublinear TF × IDF with L2-normalised rows, stored as ``dtype`` (computed in float64,
    ``TFIDF_BLOCK`` stored values at a time: a large fit holds one ``dtype`` copy of the
    values, not four float64 ones). Shares ``counts``' index arrays."""
    counts = sp.csr_matrix(counts)
    out = np.empty(counts.nnz, dtype)
    bounds = np.searchsorted(counts.indptr, np.arange(0, counts.nnz, TFIDF_BLOCK), "right") - 1
    rows = sorted({*bounds.tolist(), counts.shape[0]})
    for lo, hi in pairwise(rows):
        a, b = counts.indptr[lo], counts.indptr[hi]
        values = (1.0 + np.log(counts.data[a:b].astype(np.float64))) * idf[counts.indices[a:b]]
        lens = np.diff(counts.indptr[lo : hi + 1])
        sums, full = np.zeros(hi - lo), lens > 0  # (``reduceat`` gives an empty row a value)
        if full.any():
            sums[full] = np.add.reduceat(values * values, counts.indptr[lo:hi][full] - a)
        norms = np.sqrt(sums)
        norms[norms == 0] = 1.0
        out[a:b] = values * np.repeat(1.0 / norms, lens)
    return sp.csr_matrix((out, counts.indices, counts.indptr), shape=counts.shape, copy=False)


TFIDF_BLOCK = 1 << 24
"""Stored values weighed at once by ``tfidf`` (its float64 temporaries: a few × 128 MiB)."""


def randomized_svd(
    matrix: sp.spmatrix | np.ndarray,
    k: int,
    *,
    seed: int = 0,
    n_iter: int = POWER_ITERATIONS,
    oversample: int = 10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-``k`` SVD ``U, S, Vt`` by a seeded randomised range finder (Halko et al.).

    Signs are fixed (largest component of each right singular vector positive) so the result
    is deterministic for a seed.
    """
    n_rows, n_cols = matrix.shape
    if n_rows <= EXACT_SVD_ROWS:  # small corpus: exact, through the row Gram matrix
        q = np.eye(n_rows)
        gram, mt, mtq = matrix @ matrix.T, matrix.T, None
    else:  # in float32 (half the memory traffic of float64; ample for word vectors)
        rng = np.random.default_rng(seed)
        a = sp.csr_matrix(matrix, dtype=np.float32) if sp.issparse(matrix) else matrix
        a = a if sp.issparse(a) else np.asarray(a, np.float32)
        mt = sp.csr_matrix(a.T) if sp.issparse(a) else a.T
        width = min(k + oversample, n_rows, n_cols)
        a_times, mt_times = product(a), product(mt)
        q = orthonormal(a_times(rng.standard_normal((n_cols, width), dtype=np.float32)), passes=1)
        for _ in range(n_iter):
            q = orthonormal(a_times(orthonormal(mt_times(q), passes=1)), passes=1)
        q = orthonormal(q)
        mtq = mt_times(q)  # kept: the right singular vectors are mtq·ub (no third pass)
        gram = q.T @ a_times(mtq)
    # SVD of b = qᵀ·matrix (short and wide) through its Gram matrix b·bᵀ
    w, ub = np.linalg.eigh(gram.toarray() if sp.issparse(gram) else np.asarray(gram, np.float64))
    order = np.argsort(w)[::-1][:k]
    w, ub = np.maximum(w[order], 0.0), ub[:, order]
    keep = w > max(float(w.max(initial=0.0)), 1e-300) * 1e-12
    s = np.sqrt(w[keep])
    basis = q @ ub[:, keep].astype(q.dtype)
    right = mt @ basis if mtq is None else mtq @ ub[:, keep].astype(mtq.dtype)
    u, vt = basis, np.asarray(right).T / s[:, None]
    signs = np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(axis=1)])
    signs[signs == 0] = 1.0
    return u * signs, s, vt * signs[:, None]


def product(a: sp.spmatrix | np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """``y ↦ a @ y``; a large sparse ``a`` in row blocks (views of its arrays), one per core:
    scipy's product runs on one and releases the GIL. Each row is computed as in a single
    product: the same bits."""
    workers = min(os.cpu_count() or 1, 8)
    if not sp.issparse(a) or workers < 2 or a.nnz < PARALLEL_NNZ:
        return lambda y: np.asarray(a @ y)
    a = sp.csr_matrix(a)
    cuts = np.searchsorted(a.indptr, np.linspace(0, a.nnz, workers + 1)[1:-1])
    bounds = sorted({0, *cuts.tolist(), a.shape[0]})
    blocks = []
    for lo, hi in pairwise(bounds):
        start, end = a.indptr[lo], a.indptr[hi]
        parts = (a.data[start:end], a.indices[start:end], a.indptr[lo : hi + 1] - start)
        blocks.append(sp.csr_matrix(parts, shape=(hi - lo, a.shape[1]), copy=False))

    def times(y: np.ndarray) -> np.ndarray:
        with ThreadPoolExecutor(len(blocks)) as pool:
            return np.vstack(list(pool.map(lambda b: np.asarray(b @ y), blocks)))

    return times


def orthonormal(y: np.ndarray, *, passes: int = 2) -> np.ndarray:
    """An orthonormal basis of the column space of a tall ``y`` (Gram eigendecomposition,
    the small Gram matrices in float64; ``passes=2`` re-orthonormalises once for accuracy,
    the power iterations only need a well-conditioned basis: one pass).

    Much faster than Householder QR on tall matrices; near-null directions are dropped.
    """
    y = np.asarray(y)
    w, u = np.linalg.eigh((y.T @ y).astype(np.float64))
    keep = w > max(float(w.max(initial=0.0)), 1e-300) * 1e-12
    q = y @ (u[:, keep] / np.sqrt(w[keep])).astype(y.dtype)
    for _ in range(passes - 1):
        w2, u2 = np.linalg.eigh((q.T @ q).astype(np.float64))
        q = q @ (u2 / np.sqrt(np.maximum(w2, 1e-300))).astype(y.dtype)
    return q


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def lsa_vectors(docs: sp.csr_matrix, dim: int, *, seed: int) -> np.ndarray:
    """Word vectors ``V·S^α`` of the rank-``dim`` SVD of the document × word matrix."""
    k = max(1, min(dim, *docs.shape))
    _, s, vt = randomized_svd(docs, k, seed=seed)
    keep = s > s[0] * 1e-6 if s.size and s[0] > 0 else np.zeros(0, dtype=bool)
    if not keep.any():
        return np.zeros((docs.shape[1], 1))
    return vt[keep].T * s[keep] ** SINGULAR_VALUE_POWER


def label_vectors(
    counts: sp.csr_matrix, labels: Sequence[str | None], dim: int, *, seed: int
) -> np.ndarray | None:
    """Word vectors from positive PMI between words and labels (at most ``dim`` columns).

    ``None`` when fewer than two distinct labels are given (nothing to discriminate).
    """
    names = sorted({label for label in labels if label is not None})
    if len(names) < 2:
        return None
    row_of = {name: i for i, name in enumerate(names)}
    rows = [(row_of[label], i) for i, label in enumerate(labels) if label is not None]
    r, c = zip(*rows, strict=True)
    member = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(names), counts.shape[0]))
    joint = np.asarray((member @ counts).todense()).T  # word × label counts
    total = joint.sum()
    expected = joint.sum(axis=1, keepdims=True) @ joint.sum(axis=0, keepdims=True) / max(total, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ppmi = np.where(joint > 0, np.log(joint / np.where(expected > 0, expected, 1)), 0.0)
    ppmi = np.maximum(ppmi, 0.0)
    if ppmi.shape[1] > dim:
        ppmi = lsa_vectors(sp.csr_matrix(ppmi.T), dim, seed=seed)
    return ppmi


def fit_static_embedding(token_lists: list[list[str]], **options) -> tuple[list[str], np.ndarray]:
    """Vocabulary and float32 ``len(vocab) × d`` word vectors of these token lists
    (``fit_static_counts`` of their counts; the same ``options``)."""
    counts, vocab = count_vocab(token_lists)
    return fit_static_counts(counts, list(vocab), **options)


def fit_static_counts(
    counts: sp.csr_matrix,
    words: Sequence[str],
    *,
    labels: list[str | None] | None = None,
    dim: int = 256,
    seed: int = 0,
    min_df: int = MIN_DF,
    max_vocab: int = MAX_VOCAB,
) -> tuple[list[str], np.ndarray]:
    """Vocabulary and float32 ``len(vocab) × d`` word vectors, ``d <= dim``, of texts given
    as term counts (texts × ``words``; no token lists: a store's character bigrams are tens
    of millions of strings).

    Unsupervised part: LSA word vectors of the TF-IDF matrix. With ``labels`` (one per text,
    e.g. an expert's society; ``None`` = unlabelled) and at least two distinct labels, up to
    ``dim // 4`` of the dimensions hold the words' PPMI profile over the labels (weight
    ``LABEL_BLOCK_WEIGHT``), which pulls texts of one label together. Each row is unit length
    times the word's IDF. An empty corpus gives an empty vocabulary.
    """
    if labels is not None and len(labels) != counts.shape[0]:
        raise ValueError("labels must have one entry per token list")
    cols, df = select_vocabulary(counts, words, min_df=min_df, max_vocab=max_vocab)
    if not len(cols):
        return [], np.zeros((0, 1), dtype=np.float32)
    vocab = [words[j] for j in cols.tolist()]
    idf = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0
    # (whole numbers: float32 holds them exactly, in half the memory of float64)
    counts = sp.csr_matrix(counts[:, cols], dtype=np.float32)
    counts.sort_indices()  # the summation order of the token-list path, to the last bit
    supervised = None
    if labels is not None and dim >= 4:
        supervised = label_vectors(counts, labels, max(1, dim // 4), seed=seed)
    lsa_dim = dim - (supervised.shape[1] if supervised is not None else 0)
    # the randomised SVD reads the TF-IDF in float32: a large fit makes it so directly
    docs = tfidf(counts, idf, np.float32 if counts.shape[0] > EXACT_SVD_ROWS else np.float64)
    del counts  # not held beside the SVD (its memory peak)
    vectors = unit_rows(lsa_vectors(docs, lsa_dim, seed=seed))
    if supervised is not None:
        vectors = unit_rows(np.hstack([vectors, LABEL_BLOCK_WEIGHT * unit_rows(supervised)]))
    return vocab, (vectors * idf[:, None]).astype(np.float32)
