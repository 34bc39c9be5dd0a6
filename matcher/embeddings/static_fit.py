"""Fit the word vectors of the embedded static embedding model from the store's own texts.

Plain numpy/scipy: tokens in, ``(vocabulary, weights)`` out. The engine wraps the result in a
sentence-transformers ``StaticEmbedding`` (mean pooling over the tokens of a text), so each
row's norm acts as the token's weight in that mean; rows are scaled by IDF.

Unsupervised recipe: sublinear TF-IDF term–document matrix → truncated SVD (seeded randomised
range finder) → unit word vectors ``V·S`` scaled by IDF.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

MAX_VOCAB = 200_000
"""Vocabulary cap (most frequent tokens by document frequency are kept)."""
MIN_DF = 2
"""Tokens in fewer documents are dropped, unless the corpus is too small for that to be sane."""
SMALL_CORPUS = 50
"""Below this many documents every token is kept (min document frequency 1)."""


def build_vocabulary(
    token_lists: Sequence[Sequence[str]], *, min_df: int = MIN_DF, max_vocab: int = MAX_VOCAB
) -> tuple[list[str], np.ndarray]:
    """Tokens kept (by document frequency, ties by token) and their document frequencies."""
    df: Counter[str] = Counter()
    for tokens in token_lists:
        df.update(set(tokens))
    if len(token_lists) < SMALL_CORPUS:
        min_df = 1
    kept = sorted((t for t, n in df.items() if n >= min_df and t), key=lambda t: (-df[t], t))
    vocab = kept[:max_vocab]
    return vocab, np.array([df[t] for t in vocab], dtype=np.float64)


def count_matrix(token_lists: Sequence[Sequence[str]], vocab: Sequence[str]) -> sp.csr_matrix:
    """Sparse document × vocabulary matrix of raw term counts (unknown tokens ignored)."""
    index = {t: i for i, t in enumerate(vocab)}
    indptr, indices, data = [0], [], []
    for tokens in token_lists:
        counts = Counter(index[t] for t in tokens if t in index)
        indices.extend(counts.keys())
        data.extend(counts.values())
        indptr.append(len(indices))
    shape = (len(token_lists), len(vocab))
    return sp.csr_matrix(
        (np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64), indptr), shape=shape
    )


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF × IDF with L2-normalised rows."""
    m = counts.copy()
    m.data = 1.0 + np.log(m.data)
    m = sp.csr_matrix(m @ sp.diags(idf))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def randomized_svd(
    matrix: sp.spmatrix | np.ndarray,
    k: int,
    *,
    seed: int = 0,
    n_iter: int = 4,
    oversample: int = 10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-``k`` SVD ``U, S, Vt`` by a seeded randomised range finder (Halko et al.).

    Signs are fixed (largest component of each right singular vector positive) so the result
    is deterministic for a seed.
    """
    rng = np.random.default_rng(seed)
    n_rows, n_cols = matrix.shape
    width = min(k + oversample, n_rows, n_cols)
    q = orthonormal(matrix @ rng.standard_normal((n_cols, width)))
    for _ in range(n_iter):
        q = orthonormal(matrix @ orthonormal(matrix.T @ q))
    b = np.asarray((matrix.T @ q).T)
    ub, s, vt = np.linalg.svd(b, full_matrices=False)
    u = q @ ub
    u, s, vt = u[:, :k], s[:k], vt[:k]
    signs = np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(axis=1)])
    signs[signs == 0] = 1.0
    return u * signs, s, vt * signs[:, None]


def orthonormal(y: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the column space of a tall ``y`` (Gram eigendecomposition).

    Much faster than Householder QR on tall matrices; near-null directions are dropped.
    """
    y = np.asarray(y)
    w, u = np.linalg.eigh(y.T @ y)
    keep = w > max(float(w.max(initial=0.0)), 1e-300) * 1e-12
    q = y @ (u[:, keep] / np.sqrt(w[keep]))
    w2, u2 = np.linalg.eigh(q.T @ q)  # one re-orthonormalisation pass for accuracy
    return q @ (u2 / np.sqrt(np.maximum(w2, 1e-300)))


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def fit_static_embedding(
    token_lists: list[list[str]],
    *,
    labels: list[str | None] | None = None,
    dim: int = 256,
    seed: int = 0,
) -> tuple[list[str], np.ndarray]:
    """Vocabulary and float32 ``len(vocab) × d`` word vectors, ``d = min(dim, rank)``.

    ``labels`` (optional, one per text, e.g. an expert's society) are accepted for supervised
    fitting; this version ignores them. An empty corpus gives an empty vocabulary.
    """
    if labels is not None and len(labels) != len(token_lists):
        raise ValueError("labels must have one entry per token list")
    vocab, df = build_vocabulary(token_lists)
    if not vocab:
        return [], np.zeros((0, max(1, min(dim, 1))), dtype=np.float32)
    n_docs = len(token_lists)
    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    docs = tfidf(count_matrix(token_lists, vocab), idf)
    k = max(1, min(dim, *docs.shape))
    _, s, vt = randomized_svd(docs, k, seed=seed)
    keep = s > s[0] * 1e-6 if s.size and s[0] > 0 else np.zeros(0, dtype=bool)
    if not keep.any():
        keep = np.ones(1, dtype=bool)
    vectors = unit_rows(vt[keep].T * s[keep]) * idf[:, None]
    return vocab, vectors.astype(np.float32)
