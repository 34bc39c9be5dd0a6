"""The embedded model's word-vector fitting: shapes, determinism, tiny corpora, separation."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matcher.embeddings import static_fit
from matcher.embeddings.static_fit import fit_static_embedding, product, randomized_svd
from matcher.text import counts as counts_module

WATER = ["水利", "灌溉", "堤坝", "泵站", "渠道", "水库", "防洪", "河道"]
METAL = ["钢材", "焊接", "轧制", "合金", "热处理", "铸造", "锻压", "淬火"]


def toy_corpus(n_per_class: int = 40, seed: int = 1) -> tuple[list[list[str]], list[str]]:
    """Two classes of short texts, each mixing its own terms with shared filler words."""
    rng = np.random.default_rng(seed)
    shared = ["研究", "技术", "方法", "系统", "应用", "分析"]
    docs, labels = [], []
    for label, words in (("water", WATER), ("metal", METAL)):
        for _ in range(n_per_class):
            own = list(rng.choice(words, size=3, replace=False))
            docs.append([*own, *rng.choice(shared, size=3, replace=False)])
            labels.append(label)
    return docs, labels


def embed(vocab: list[str], weights: np.ndarray, tokens: list[str]) -> np.ndarray:
    """Mean pooling over known tokens, as StaticEmbedding does, then L2 normalisation."""
    index = {t: i for i, t in enumerate(vocab)}
    rows = [weights[index[t]] for t in tokens if t in index]
    vec = np.mean(rows, axis=0)
    return vec / np.linalg.norm(vec)


def test_shapes_types_and_vocabulary():
    docs, labels = toy_corpus()
    vocab, weights = fit_static_embedding(docs, labels=labels, dim=8)
    assert weights.dtype == np.float32
    assert weights.shape == (len(vocab), 8)
    assert set(vocab) == set(WATER) | set(METAL) | {"研究", "技术", "方法", "系统", "应用", "分析"}
    assert np.isfinite(weights).all()


def test_deterministic_for_a_seed():
    docs, _ = toy_corpus()
    v1, w1 = fit_static_embedding(docs, dim=6, seed=3)
    v2, w2 = fit_static_embedding(docs, dim=6, seed=3)
    assert v1 == v2
    np.testing.assert_array_equal(w1, w2)


def test_tiny_corpus_clamps_dimension():
    vocab, weights = fit_static_embedding([["水利", "工程"], ["机械", "工程"]], dim=256)
    assert sorted(vocab) == ["工程", "机械", "水利"]
    assert 1 <= weights.shape[1] <= 2
    assert np.linalg.norm(weights, axis=1).min() > 0


def test_empty_and_mismatched_inputs():
    vocab, weights = fit_static_embedding([[], []])
    assert vocab == [] and weights.shape[0] == 0
    with pytest.raises(ValueError):
        fit_static_embedding([["a"]], labels=["x", "y"])


def test_frequency_cut_and_vocabulary_cap():
    docs, _ = toy_corpus()
    docs[0] = [*docs[0], "孤词"]
    assert "孤词" in fit_static_embedding(docs, dim=4)[0]
    assert "孤词" not in fit_static_embedding(docs, dim=4, min_df=2)[0]
    vocab, weights = fit_static_embedding(docs, dim=4, max_vocab=5)
    assert len(vocab) == 5 and weights.shape[0] == 5
    assert set(vocab) <= {"研究", "技术", "方法", "系统", "应用", "分析"}  # the most frequent


def test_common_words_weigh_less_than_specific_ones():
    docs, _ = toy_corpus()
    vocab, weights = fit_static_embedding(docs, dim=6)
    norms = dict(zip(vocab, np.linalg.norm(weights, axis=1), strict=True))
    assert norms["水利"] > norms["研究"]


def test_queries_land_nearest_their_own_class():
    docs, labels = toy_corpus()
    vocab, weights = fit_static_embedding(docs, labels=labels, dim=6)
    centroids = {
        lab: embed(
            vocab, weights, [t for d, lb in zip(docs, labels, strict=True) if lb == lab for t in d]
        )
        for lab in ("water", "metal")
    }
    queries = [(["堤坝", "防洪", "技术"], "water"), (["焊接", "淬火", "方法"], "metal")]
    for tokens, expected in queries:
        q = embed(vocab, weights, tokens)
        best = max(centroids, key=lambda lab: float(q @ centroids[lab]))
        assert best == expected


def test_randomized_svd_matches_exact_svd():
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((30, 5)) @ rng.standard_normal((5, 20))
    _, s, _ = randomized_svd(matrix, 5, seed=0)
    np.testing.assert_allclose(s, np.linalg.svd(matrix, compute_uv=False)[:5], rtol=1e-6)


def nearest_neighbour_accuracy(vocab, weights, docs, labels) -> float:
    """Leave-one-out 1-NN label accuracy of the pooled text vectors."""
    vecs = np.array([embed(vocab, weights, d) for d in docs])
    sims = vecs @ vecs.T
    np.fill_diagonal(sims, -np.inf)
    nearest = sims.argmax(axis=1)
    return float(np.mean([labels[j] == labels[i] for i, j in enumerate(nearest)]))


def test_supervised_fit_separates_classes():
    docs, labels = toy_corpus(n_per_class=30)
    vocab, weights = fit_static_embedding(docs, labels=labels, dim=16)
    assert weights.shape == (len(vocab), 16)
    assert nearest_neighbour_accuracy(vocab, weights, docs, labels) > 0.9


def test_label_block_pulls_classes_apart():
    docs, labels = toy_corpus(n_per_class=30)
    plain = fit_static_embedding(docs, dim=16)
    supervised = fit_static_embedding(docs, labels=labels, dim=16)

    def margin(vocab, weights):
        vecs = np.array([embed(vocab, weights, d) for d in docs])
        same = np.equal.outer(labels, labels)
        sims = vecs @ vecs.T
        return sims[same].mean() - sims[~same].mean()

    assert margin(*supervised) > margin(*plain)


def test_single_or_missing_labels_fall_back_to_unsupervised():
    docs, _ = toy_corpus()
    plain_vocab, plain = fit_static_embedding(docs, dim=6)
    _, one_label = fit_static_embedding(docs, labels=["x"] * len(docs), dim=6)
    _, no_label = fit_static_embedding(docs, labels=[None] * len(docs), dim=6)
    np.testing.assert_array_equal(plain, one_label)
    np.testing.assert_array_equal(plain, no_label)
    assert len(plain_vocab) == plain.shape[0]


def test_partially_labelled_corpus():
    docs, labels = toy_corpus()
    partial = [lab if i % 2 else None for i, lab in enumerate(labels)]
    vocab, weights = fit_static_embedding(docs, labels=partial, dim=8, seed=2)
    assert weights.shape == (len(vocab), 8)
    assert np.isfinite(weights).all()
    assert nearest_neighbour_accuracy(vocab, weights, docs, labels) > 0.9


def test_randomized_svd_of_a_large_sparse_matrix_matches_exact_svd():
    """The randomised path (above the exact-SVD size, in float32) finds the top singular
    values and right singular vectors of a low-rank sparse matrix to float32 accuracy."""
    rng = np.random.default_rng(1)
    dense = rng.standard_normal((2_500, 6)) @ rng.standard_normal((6, 300))
    dense[rng.random(dense.shape) < 0.5] = 0.0  # sparse, still of low numerical rank
    _, exact, exact_vt = np.linalg.svd(dense, full_matrices=False)
    u, s, vt = randomized_svd(sp.csr_matrix(dense), 5, seed=0)
    np.testing.assert_allclose(s, exact[:5], rtol=1e-3)
    np.testing.assert_allclose(vt @ vt.T, np.eye(5), atol=1e-3)
    np.testing.assert_allclose(np.abs(vt @ exact_vt[:5].T), np.eye(5), atol=1e-3)
    np.testing.assert_allclose(u.T @ dense, s[:, None] * vt, rtol=1e-3, atol=1e-2)
    none, s_only, vt_only = randomized_svd(sp.csr_matrix(dense), 5, seed=0, left=False)
    assert none is None  # (the word vectors' call: no tall left basis made)
    assert np.array_equal(s_only, s) and np.array_equal(vt_only, vt)


def test_sparse_product_in_row_blocks_has_the_same_bits(monkeypatch):
    """The SVD's sparse products run in row blocks, one per core: every row as one product
    computes it, bit for bit, so the fit does not depend on the core count."""
    rng = np.random.default_rng(2)
    a = sp.random(3_000, 500, density=0.02, format="csr", dtype=np.float32, random_state=rng)
    empty = np.ones(3_000, np.float32)
    empty[1_000:1_400] = 0.0  # empty rows at a block edge
    a = sp.csr_matrix(sp.diags(empty) @ a)
    a.eliminate_zeros()
    y = rng.standard_normal((500, 17), dtype=np.float32)
    monkeypatch.setattr(static_fit, "PARALLEL_NNZ", 1)
    monkeypatch.setattr(static_fit.os, "cpu_count", lambda: 3)
    np.testing.assert_array_equal(product(a)(y), a @ y)
    z = rng.standard_normal((3_000, 5), dtype=np.float32)
    np.testing.assert_array_equal(product(a.T)(z), sp.csr_matrix(a.T) @ z)


def test_transposed_product_sums_row_blocks_the_same_on_any_core_count(monkeypatch):
    """``a.T @ z`` without a transposed copy of ``a``: the blocks' products are added in one
    order, so one core and three give the same bits, and the sum is ``a.T @ z``."""
    rng = np.random.default_rng(4)
    a = sp.random(3_000, 500, density=0.02, format="csr", dtype=np.float32, random_state=rng)
    z = rng.standard_normal((3_000, 7), dtype=np.float32)
    monkeypatch.setattr(static_fit, "PARALLEL_NNZ", 1)
    got = {}
    for cores in (1, 3):
        monkeypatch.setattr(static_fit.os, "cpu_count", lambda cores=cores: cores)
        got[cores] = static_fit.transposed_product(a)(z)
    np.testing.assert_array_equal(got[1], got[3])
    np.testing.assert_allclose(got[1], (a.T @ z.astype(np.float64)), rtol=1e-5, atol=1e-5)


def test_a_basis_made_orthonormal_in_its_own_memory(monkeypatch):
    """``orthonormal(..., overwrite=True)`` writes the basis into the array given, a few rows
    at a time: the same basis as a fresh one, spanning the same columns."""
    rng = np.random.default_rng(6)
    y = rng.standard_normal((1_000, 6)).astype(np.float32)
    monkeypatch.setattr(static_fit, "ORTHONORMAL_ROWS", 64)
    fresh = static_fit.orthonormal(y)
    mine = y.copy()
    got = static_fit.orthonormal(mine, overwrite=True)
    assert np.shares_memory(got, mine)
    np.testing.assert_allclose(got, fresh, atol=1e-5)
    np.testing.assert_allclose(got.T @ got, np.eye(6), atol=1e-5)
    coef, *_ = np.linalg.lstsq(got, y, rcond=None)
    np.testing.assert_allclose(got @ coef, y, atol=1e-4)


def test_fit_from_counts_equals_fit_from_token_lists():
    """Counts over a vocabulary in any column order give the same vocabulary and vectors,
    to the last bit (the index fits the embedded model from counts)."""
    from matcher.embeddings.static_fit import fit_static_counts
    from matcher.text.counts import count_vocab

    docs, labels = toy_corpus()
    want_vocab, want = fit_static_embedding(docs, labels=labels, dim=8, seed=0)
    reversed_vocab = {t: i for i, t in enumerate(reversed(list(count_vocab(docs)[1])))}
    counts, _ = count_vocab(docs, reversed_vocab)
    got_vocab, got = fit_static_counts(counts, list(reversed_vocab), labels=labels, dim=8)
    assert got_vocab == want_vocab
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("exact_rows", [static_fit.EXACT_SVD_ROWS, 3])  # 3: the randomised SVD
def test_the_tfidf_handed_to_the_svd_in_float32_gives_the_same_vectors(monkeypatch, exact_rows):
    """A large fit converts the TF-IDF to float32 before the SVD (which reads it so) and
    frees the float64 copies: the vectors of the SVD of the float64 TF-IDF, to the bit."""
    monkeypatch.setattr(static_fit, "EXACT_SVD_ROWS", exact_rows)
    rng = np.random.default_rng(3)
    counts = sp.random(40, 30, density=0.3, random_state=rng, format="csr") * 5
    counts.data = np.ceil(counts.data)
    words = [f"w{j}" for j in range(30)]
    vocab, got = static_fit.fit_static_counts(counts, words, dim=8)
    cols, df = static_fit.select_vocabulary(counts, words)
    idf = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0
    kept = sp.csr_matrix(counts[:, cols], dtype=np.float64)
    kept.sort_indices()
    docs = static_fit.tfidf(kept, idf)
    want = static_fit.unit_rows(static_fit.lsa_vectors(docs, 8, seed=0)) * idf[:, None]
    assert vocab == [words[j] for j in cols.tolist()]
    assert np.array_equal(got, want.astype(np.float32))


def test_tfidf_weighed_in_blocks_is_the_sublinear_unit_rows(monkeypatch):
    """Weighed a few stored values at a time, with empty rows, as float32 or float64: each
    row is ``(1 + log tf) · idf`` scaled to unit length; an empty row stays empty."""
    rng = np.random.default_rng(5)
    counts = sp.random(30, 12, density=0.25, random_state=rng, format="csr") * 4
    counts.data = np.ceil(counts.data)
    counts = sp.csr_matrix(sp.vstack([sp.csr_matrix((2, 12)), counts]))  # two empty rows
    idf = rng.uniform(1, 3, 12)
    dense = counts.toarray()
    weights = np.where(dense > 0, 1 + np.log(np.where(dense > 0, dense, 1)), 0) * idf
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    want = weights / np.where(norms == 0, 1, norms)
    monkeypatch.setattr(static_fit, "TFIDF_BLOCK", 7)
    for dtype in (np.float64, np.float32):
        got = static_fit.tfidf(counts, idf, dtype)
        assert got.dtype == dtype and got.nnz == counts.nnz
        np.testing.assert_allclose(got.toarray(), want, rtol=1e-6, atol=1e-7)


def test_randomized_svd_holds_one_tall_basis_and_no_transposed_copy(monkeypatch):
    """Beside the matrix, the randomised SVD allocates about one rows × (k + oversample)
    basis at a time and a block of the matrix transposed per core, never the whole matrix
    transposed (at a million documents each is gigabytes): its peak allocation stays below
    three quarters of the matrix plus two bases (the whole matrix transposed, or copied in
    blocks, and three bases would pass it)."""
    import tracemalloc

    rng = np.random.default_rng(7)
    a = sp.random(20_000, 5_000, density=0.01, format="csr", dtype=np.float32, random_state=rng)
    monkeypatch.setattr(static_fit, "PARALLEL_NNZ", 1)
    monkeypatch.setattr(static_fit.os, "cpu_count", lambda: 2)
    k = 20
    basis = a.shape[0] * (k + 10) * 4
    matrix = a.data.nbytes + a.indices.nbytes + a.indptr.nbytes
    tracemalloc.start()
    try:
        _, s, vt = randomized_svd(a, k, seed=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert s.shape == (k,) and vt.shape == (k, 5_000)
    assert peak < matrix * 3 / 4 + 2 * basis, (peak, matrix, basis)


def test_columns_kept_in_the_matrix_own_arrays(monkeypatch):
    """``keep_columns_in_place`` is ``m[:, cols]``, a few stored values at a time, with
    empty rows and rows losing every entry: the same matrix once each row is sorted."""
    rng = np.random.default_rng(8)
    m = sp.random(50, 40, density=0.2, format="csr", dtype=np.float32, random_state=rng)
    m = sp.csr_matrix(sp.vstack([sp.csr_matrix((3, 40), dtype=np.float32), m]))
    cols = rng.permutation(40)[:25]
    want = sp.csr_matrix(m[:, cols])
    want.sort_indices()
    monkeypatch.setattr(static_fit, "TFIDF_BLOCK", 7)
    got = static_fit.keep_columns_in_place(m.copy(), cols)
    got.sort_indices()
    assert got.shape == want.shape
    np.testing.assert_array_equal(got.indptr, want.indptr)
    np.testing.assert_array_equal(got.indices, want.indices)
    np.testing.assert_array_equal(got.data, want.data)


@pytest.mark.parametrize("exact_rows", [static_fit.EXACT_SVD_ROWS, 3])  # 3: the randomised SVD
def test_a_fit_weighing_the_counts_in_place_gives_the_same_vectors(monkeypatch, exact_rows):
    """``overwrite=True`` (a build's fit: the counts are not held twice) gives the very
    vocabulary and vectors of a fit on a copy, with columns past the vocabulary cap
    dropped; the caller's matrix is spent."""
    monkeypatch.setattr(static_fit, "EXACT_SVD_ROWS", exact_rows)
    monkeypatch.setattr(static_fit, "TFIDF_BLOCK", 64)
    rng = np.random.default_rng(9)
    counts = sp.random(60, 50, density=0.2, random_state=rng, format="csr", dtype=np.float32)
    counts.data = np.ceil(counts.data * 4)
    words = [f"w{j}" for j in range(50)]
    labels = [["a", "b", None][i % 3] for i in range(60)]
    options = dict(labels=labels, dim=8, max_vocab=30)
    want = static_fit.fit_static_counts(counts.copy(), words, **options)
    got = static_fit.fit_static_counts(counts, words, overwrite=True, **options)
    assert got[0] == want[0] and len(got[0]) == 30
    np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_fit_of_counts_with_repeated_entries_sums_them(overwrite):
    """Counts whose rows repeat a column (as a sum of two count matrices may leave them) fit
    as their sums do; without ``overwrite`` the caller's matrix is left as it was (it was
    once rewritten in place by the vocabulary's selection and the fit then read it torn)."""
    rng = np.random.default_rng(10)
    once = sp.random(80, 40, density=0.2, format="coo", dtype=np.float32, random_state=rng)
    once.data = np.ceil(once.data * 3)
    rows, cols = np.r_[once.row, once.row[::-1]], np.r_[once.col, once.col[::-1]]
    order = np.argsort(rows, kind="stable")
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=80))]
    data = np.r_[once.data, once.data[::-1]][order]
    twice = sp.csr_matrix((data, cols[order], indptr), shape=(80, 40))
    assert not twice.has_canonical_format
    given = twice.copy()
    words = [f"w{j}" for j in range(40)]
    want = static_fit.fit_static_counts(sp.csr_matrix(2 * once.tocsr()), words, dim=8)
    got = static_fit.fit_static_counts(given, words, dim=8, overwrite=overwrite)
    assert got[0] == want[0]
    np.testing.assert_array_equal(got[1], want[1])
    if not overwrite:
        np.testing.assert_array_equal(given.indices, twice.indices)
        np.testing.assert_array_equal(given.data, twice.data)


def test_label_counts_summed_in_row_blocks_are_those_of_one_product(monkeypatch):
    """The words × labels counts are summed a block of rows at a time (a label's rows are
    spread over the counts): the very PPMI vectors of one product (one block)."""
    rng = np.random.default_rng(3)
    counts = sp.random(60, 40, density=0.2, format="csr", dtype=np.float32, random_state=rng)
    counts.data = np.ceil(counts.data * 5)
    labels = [None if i % 7 == 0 else f"L{i % 5}" for i in range(60)]
    assert counts.nnz < counts_module.ROW_PASS_VALUES  # (one block: one product)
    want = static_fit.label_vectors(counts, labels, 64, seed=0)
    monkeypatch.setattr(counts_module, "ROW_PASS_VALUES", 5)
    got = static_fit.label_vectors(counts, labels, 64, seed=0)
    assert got.shape == (40, 5) and np.abs(got).max() > 0 and np.array_equal(got, want)
