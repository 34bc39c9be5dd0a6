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

from matcher import scratch
from matcher.text.counts import (
    canonical,
    column_counts,
    count_vocab,
    csr_of,
    row_pass_product,
    value_blocks,
)

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
    counts = canonical(counts)
    df = column_counts(counts)[: len(words)]
    if counts.shape[0] < SMALL_CORPUS:
        min_df = 1
    cand = [j for j in np.flatnonzero(df >= max(min_df, 1)).tolist() if words[j]]
    kept = sorted(cand, key=lambda j: (-df[j], words[j]))[:max_vocab]
    cols = np.array(kept, dtype=np.int64)
    return cols, df[cols].astype(np.float64)


def tfidf(
    counts: sp.csr_matrix, idf: np.ndarray, dtype: type = np.float64, *, overwrite: bool = False
) -> sp.csr_matrix:
    """Sublinear TF × IDF with L2-normalised rows, stored as ``dtype`` (computed in float64,
    ``TFIDF_BLOCK`` stored values at a time: a large fit holds one ``dtype`` copy of the
    values, not four float64 ones). Shares ``counts``' index arrays; ``overwrite``: its
    values too, when they are ``dtype`` (each block is read before it is written)."""
    counts = sp.csr_matrix(counts)
    same = overwrite and counts.data.dtype == dtype
    out = counts.data if same else np.empty(counts.nnz, dtype)
    for lo, hi in value_blocks(counts.indptr, TFIDF_BLOCK):
        a, b = counts.indptr[lo], counts.indptr[hi]
        values = (1.0 + np.log(counts.data[a:b].astype(np.float64))) * idf[counts.indices[a:b]]
        lens = np.diff(counts.indptr[lo : hi + 1])
        sums, full = np.zeros(hi - lo), lens > 0  # (``reduceat`` gives an empty row a value)
        if full.any():
            sums[full] = np.add.reduceat(values * values, counts.indptr[lo:hi][full] - a)
        norms = np.sqrt(sums)
        norms[norms == 0] = 1.0
        out[a:b] = values * np.repeat(1.0 / norms, lens)
    return csr_of(out, counts.indices, counts.indptr, counts.shape)


TFIDF_BLOCK = 1 << 22
"""Stored values weighed at once by ``tfidf`` and renumbered by ``keep_columns_in_place``
(their 8-byte temporaries: a few × 32 MiB; at 2^24 they passed 0.5 GiB together)."""


def keep_columns_in_place(m: sp.csr_matrix, cols: np.ndarray) -> sp.csr_matrix:
    """``m[:, cols]`` (``cols`` distinct) in ``m``'s own arrays, which it spends: the kept
    entries are moved to their front, a block at a time, and renumbered (column ``cols[j]``
    becomes ``j``); each row's columns are left unsorted."""
    remap = np.full(m.shape[1], -1, np.int64)
    remap[cols] = np.arange(len(cols))
    kept = np.zeros(m.shape[0], np.int64)
    write = 0
    for lo in range(0, m.nnz, TFIDF_BLOCK):
        hi = min(lo + TFIDF_BLOCK, m.nnz)
        new = remap[m.indices[lo:hi]]
        keep = np.flatnonzero(new >= 0)
        n = len(keep)
        m.data[write : write + n] = m.data[lo:hi][keep]  # (write <= lo: nothing unread is lost)
        m.indices[write : write + n] = new[keep]
        rows = np.searchsorted(m.indptr, lo + keep, "right") - 1
        kept += np.bincount(rows, minlength=m.shape[0])
        write += n
    indptr = np.zeros(m.shape[0] + 1, m.indices.dtype)
    np.cumsum(kept, out=indptr[1:])
    out = csr_of(m.data[:write], m.indices[:write], indptr, (m.shape[0], len(cols)))
    out.has_sorted_indices = False
    return out


def randomized_svd(
    matrix: sp.spmatrix | np.ndarray,
    k: int,
    *,
    seed: int = 0,
    n_iter: int = POWER_ITERATIONS,
    oversample: int = 10,
    left: bool = True,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Top-``k`` SVD ``U, S, Vt`` by a seeded randomised range finder (Halko et al.); ``U``
    is None unless ``left`` (word vectors need only ``S`` and ``Vt``: at a million texts
    ``U`` is a last tall array).

    Signs are fixed (largest component of each right singular vector positive) so the result
    is deterministic for a seed. Beside ``matrix`` it holds one tall array (rows ×
    ``k + oversample``; two while ``U`` is taken out of the last) and a few short ones
    (columns × that): ``matrix`` is never transposed whole (``transposed_product``), the
    tall bases are made orthonormal in their own memory, and the small Gram matrix is taken
    on the short side, in float64. (The same subspace iteration as before 2026-12-01, summed
    in another order: word vectors within 1e-3 of its, ranking on CSL unchanged.)
    """
    n_rows, n_cols = matrix.shape
    if n_rows <= EXACT_SVD_ROWS:  # small corpus: exact, through the row Gram matrix
        q, mtq = np.eye(n_rows), None
        gram = matrix @ matrix.T
    else:  # in float32 (half the memory traffic of float64; ample for word vectors)
        rng = np.random.default_rng(seed)
        a = sp.csr_matrix(matrix, dtype=np.float32) if sp.issparse(matrix) else matrix
        a = a if sp.issparse(a) else np.asarray(a, np.float32)
        width = min(k + oversample, n_rows, n_cols)
        a_times, at_times = product(a), transposed_product(a)
        q = a_times(rng.standard_normal((n_cols, width), dtype=np.float32))
        q = orthonormal(q, passes=1, overwrite=True)
        for _ in range(n_iter):
            short = orthonormal(at_times(q), passes=1)
            del q  # (one tall array at a time)
            q = orthonormal(a_times(short), passes=1, overwrite=True)
        q = orthonormal(q, overwrite=True)
        mtq = np.asarray(at_times(q), np.float64)  # kept: the right singular vectors are mtq·ub
        gram = mtq.T @ mtq  # b·bᵀ for b = qᵀ·matrix (short and wide)
    # SVD of b = qᵀ·matrix through its Gram matrix b·bᵀ
    w, ub = np.linalg.eigh(gram.toarray() if sp.issparse(gram) else np.asarray(gram, np.float64))
    order = np.argsort(w)[::-1][:k]
    w, ub = np.maximum(w[order], 0.0), ub[:, order]
    keep = w > max(float(w.max(initial=0.0)), 1e-300) * 1e-12
    s = np.sqrt(w[keep])
    if mtq is None:
        basis = q @ ub[:, keep]
        right = matrix.T @ basis
    else:
        right = mtq @ ub[:, keep]
        del mtq  # (the short side's arrays are columns × k in float64: at a million texts'
        # 200,000 words, 0.3 GB each; from here they are weighed in place, one at a time)
        basis = matmul_rows(q, ub[:, keep].astype(q.dtype), overwrite=True) if left else None
    u, vt = basis if left else None, np.asarray(right).T
    vt /= s[:, None]
    signs = np.sign([row[np.abs(row).argmax()] for row in vt])
    signs[signs == 0] = 1.0
    if u is not None:
        u *= signs.astype(u.dtype)  # (in its own memory: the tall basis is not copied)
    vt *= signs[:, None]
    return u, s, vt


def _row_blocks(a: sp.csr_matrix, parts: int) -> list[tuple[int, int, sp.csr_matrix]]:
    """``a`` cut into at most ``parts`` blocks of rows holding about as many stored values
    (first row, end row, the block: views of ``a``'s arrays)."""
    cuts = np.searchsorted(a.indptr, np.linspace(0, a.nnz, parts + 1)[1:-1])
    bounds = sorted({0, *cuts.tolist(), a.shape[0]})
    blocks = []
    for lo, hi in pairwise(bounds):
        start, end = a.indptr[lo], a.indptr[hi]
        indptr = (a.indptr[lo : hi + 1] - start).astype(a.indices.dtype)
        block = csr_of(a.data[start:end], a.indices[start:end], indptr, (hi - lo, a.shape[1]))
        blocks.append((lo, hi, block))
    return blocks


def _workers() -> int:
    return min(os.cpu_count() or 1, 8)


def product(a: sp.spmatrix | np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """``y ↦ a @ y``; a large sparse ``a`` in row blocks on every core (scipy's product runs
    on one and releases the GIL), each block written into the one result (no stacked copy).
    Each row is computed as in a single product: the same bits."""
    if not sp.issparse(a) or _workers() < 2 or a.nnz < PARALLEL_NNZ:
        return lambda y: np.asarray(a @ y)
    a = sp.csr_matrix(a)
    blocks = _row_blocks(a, _workers() * BLOCKS_PER_CORE)

    def times(y: np.ndarray) -> np.ndarray:
        out = scratch.empty((a.shape[0], y.shape[1]), np.result_type(a.dtype, y.dtype))

        def one(block: tuple[int, int, sp.csr_matrix]) -> None:
            lo, hi, rows = block
            out[lo:hi] = rows @ y

        with ThreadPoolExecutor(_workers()) as pool:
            list(pool.map(one, blocks))
        return out

    return times


def transposed_product(a: sp.spmatrix | np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """``y ↦ a.T @ y`` without a transposed copy of ``a`` (at a million documents the TF-IDF
    is gigabytes): the sum of each block of rows' ``block.T @ y[rows]``, ``TRANSPOSED_PARTS``
    blocks added in their order (the same bits on any number of cores), as many at once as
    there are cores."""
    if not sp.issparse(a):
        return lambda y: np.asarray(a.T @ y)
    a = sp.csr_matrix(a)
    blocks = _row_blocks(a, TRANSPOSED_PARTS if a.nnz >= PARALLEL_NNZ else 1)

    def times(y: np.ndarray) -> np.ndarray:
        def one(block: tuple[int, int, sp.csr_matrix]) -> np.ndarray:
            lo, hi, rows = block
            return np.asarray(sp.csr_matrix(rows.T) @ y[lo:hi])

        total = np.zeros((a.shape[1], y.shape[1]), np.result_type(a.dtype, y.dtype))
        step = _workers()
        with ThreadPoolExecutor(step) as pool:
            for i in range(0, len(blocks), step):
                for part in pool.map(one, blocks[i : i + step]):
                    total += part
        return total

    return times


BLOCKS_PER_CORE = 8
"""``product`` cuts a matrix into this many row blocks per core: each block's result is a
temporary (at a million rows, about 50 MB each)."""
TRANSPOSED_PARTS = 16
"""``transposed_product`` sums this many blocks' products, each transposed when used (a
sixteenth of the matrix at a time per core, never the whole of it)."""
ORTHONORMAL_ROWS = 1 << 15
"""Rows of a tall basis multiplied at once when it is made orthonormal in its own memory."""


def matmul_rows(y: np.ndarray, m: np.ndarray, *, overwrite: bool = False) -> np.ndarray:
    """``y @ m`` (``m`` at most as wide as ``y``); with ``overwrite``, in ``ORTHONORMAL_ROWS``
    row blocks into ``y``'s own memory (a tall ``y`` is then not held twice; a narrower
    result is copied out of it)."""
    if not overwrite:
        return y @ m
    cols = m.shape[1]
    for lo in range(0, len(y), ORTHONORMAL_ROWS):
        y[lo : lo + ORTHONORMAL_ROWS, :cols] = y[lo : lo + ORTHONORMAL_ROWS] @ m
    if cols == y.shape[1]:
        return y
    out = scratch.empty((len(y), cols), y.dtype)
    out[...] = y[:, :cols]
    return out


def orthonormal(y: np.ndarray, *, passes: int = 2, overwrite: bool = False) -> np.ndarray:
    """An orthonormal basis of the column space of a tall ``y`` (Gram eigendecomposition,
    the small Gram matrices in float64; ``passes=2`` re-orthonormalises once for accuracy,
    the power iterations only need a well-conditioned basis: one pass); ``overwrite``: in
    ``y``'s own memory (``matmul_rows``).

    Much faster than Householder QR on tall matrices; near-null directions are dropped.
    """
    y = np.asarray(y)
    w, u = np.linalg.eigh((y.T @ y).astype(np.float64))
    keep = w > max(float(w.max(initial=0.0)), 1e-300) * 1e-12
    q = matmul_rows(y, (u[:, keep] / np.sqrt(w[keep])).astype(y.dtype), overwrite=overwrite)
    for _ in range(passes - 1):
        w2, u2 = np.linalg.eigh((q.T @ q).astype(np.float64))
        q = matmul_rows(q, (u2 / np.sqrt(np.maximum(w2, 1e-300))).astype(y.dtype), overwrite=True)
    return q


def unit_rows(matrix: np.ndarray, *, overwrite: bool = False) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero); ``overwrite``: in place."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    if overwrite:
        matrix /= norms
        return matrix
    return matrix / norms


def lsa_vectors(docs: sp.csr_matrix, dim: int, *, seed: int) -> np.ndarray:
    """Word vectors ``V·S^α`` of the rank-``dim`` SVD of the document × word matrix."""
    k = max(1, min(dim, *docs.shape))
    _, s, vt = randomized_svd(docs, k, seed=seed, left=False)
    keep = s > s[0] * 1e-6 if s.size and s[0] > 0 else np.zeros(0, dtype=bool)
    if not keep.any():
        return np.zeros((docs.shape[1], 1))
    vt = vt if keep.all() else vt[keep]
    vt *= (s[keep] ** SINGULAR_VALUE_POWER)[:, None]  # (in place: no second words × k array)
    return vt.T


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
    member = sp.csr_matrix(
        (np.ones(len(r), np.float32), (r, c)), shape=(len(names), counts.shape[0])
    )
    joint = row_pass_product(member, counts).T  # word × label counts
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
    overwrite: bool = False,
) -> tuple[list[str], np.ndarray]:
    """Vocabulary and float32 ``len(vocab) × d`` word vectors, ``d <= dim``, of texts given
    as term counts (texts × ``words``; no token lists: a store's character bigrams are tens
    of millions of strings); ``overwrite``: a float32 CSR ``counts`` is weighed in its own
    arrays (the caller's matrix is then spent: a million texts' counts are not held twice).

    Unsupervised part: LSA word vectors of the TF-IDF matrix. With ``labels`` (one per text,
    e.g. an expert's society; ``None`` = unlabelled) and at least two distinct labels, up to
    ``dim // 4`` of the dimensions hold the words' PPMI profile over the labels (weight
    ``LABEL_BLOCK_WEIGHT``), which pulls texts of one label together. Each row is unit length
    times the word's IDF. An empty corpus gives an empty vocabulary.
    """
    if labels is not None and len(labels) != counts.shape[0]:
        raise ValueError("labels must have one entry per token list")
    counts = canonical(counts, overwrite=overwrite)
    cols, df = select_vocabulary(counts, words, min_df=min_df, max_vocab=max_vocab)
    if not len(cols):
        return [], np.zeros((0, 1), dtype=np.float32)
    vocab = [words[j] for j in cols.tolist()]
    idf = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0
    # (whole numbers: float32 holds them exactly, in half the memory of float64)
    overwrite = overwrite and sp.issparse(counts) and counts.format == "csr"
    overwrite = overwrite and counts.dtype == np.float32
    if overwrite:
        counts = keep_columns_in_place(counts, cols)
    else:
        counts = sp.csr_matrix(counts[:, cols], dtype=np.float32)
    counts.sort_indices()  # the summation order of the token-list path, to the last bit
    supervised = None
    if labels is not None and dim >= 4:
        supervised = label_vectors(counts, labels, max(1, dim // 4), seed=seed)
    lsa_dim = dim - (supervised.shape[1] if supervised is not None else 0)
    # the randomised SVD reads the TF-IDF in float32: a large fit makes it so directly
    dtype = np.float32 if counts.shape[0] > EXACT_SVD_ROWS else np.float64
    docs = tfidf(counts, idf, dtype, overwrite=overwrite)
    del counts  # not held beside the SVD (its memory peak)
    vectors = unit_rows(lsa_vectors(docs, lsa_dim, seed=seed), overwrite=True)
    if supervised is not None:
        supervised = unit_rows(supervised, overwrite=True)
        supervised *= LABEL_BLOCK_WEIGHT
        vectors = unit_rows(np.hstack([vectors, supervised]), overwrite=True)
    vectors *= idf[:, None]
    return vocab, vectors.astype(np.float32)
