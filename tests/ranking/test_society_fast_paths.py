"""The society ranking's fast paths give the numbers of the plain forms they replaced (bit for
bit where sums are involved: a rounding difference could reorder near-ties)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matcher.ranking import evidence
from matcher.ranking.bm25 import BM25
from matcher.ranking.evidence import SocietyEvidence
from matcher.ranking.lexical import TfidfSpace
from matcher.ranking.rank import _best_first


def _counts(n: int, v: int, seed: int, empty: int = -1) -> sp.csr_matrix:
    """Random term counts; row ``empty`` without any term."""
    rng = np.random.default_rng(seed)
    m = sp.random(n, v, density=0.01, random_state=seed, format="csr")
    m.data = rng.integers(1, 6, m.nnz).astype(np.float32)
    if empty >= 0:
        m.data[m.indptr[empty] : m.indptr[empty + 1]] = 0
        m.eliminate_zeros()
    return m


def test_scatter_products_equal_scipys_sparse_product_bit_for_bit(monkeypatch):
    """Several blocks of queries (bounded by postings and by scores), a query without known
    terms, and the float32 sums scipy's product makes, in its order."""
    space = TfidfSpace.from_parts([str(i) for i in range(300)], np.linspace(1, 3, 300))
    matrix = space.weigh(_counts(500, 300, 1))
    queries = space.weigh(_counts(40, 300, 2, empty=7))
    want = np.zeros((500, 40), np.float32)
    for i in range(40):  # the replaced form: scipy's sparse product, one query at a time
        want[:, i] = (queries[i] @ sp.csc_matrix(matrix).T).toarray().ravel()
    monkeypatch.setattr(evidence, "POSTINGS_BLOCK", 200)
    monkeypatch.setattr(evidence, "SCORES_BLOCK", 1500)
    got = evidence.by_columns(sp.csc_matrix(matrix), queries)
    assert got.shape == (500, 40) and got.dtype == np.float32
    assert np.array_equal(got, want)
    assert not got[:, 7].any()


def test_tfidf_weighting_equals_the_scipy_form():
    """Values, and each row's entries in the order the diagonal product left them."""
    space = TfidfSpace.from_parts([str(i) for i in range(400)], np.linspace(1, 4, 400))
    counts = _counts(60, 400, 3, empty=5)
    m = sp.csr_matrix(counts, dtype=np.float32, copy=True)
    m.data = (1 + np.log(m.data)) * space.idf[m.indices]
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    want = (sp.diags(1 / np.maximum(norms, 1e-12)) @ m).tocsr().astype(np.float32)
    got = space.weigh(counts)
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)


def test_top_m_mean_is_the_mean_of_each_societys_best_members():
    rng = np.random.default_rng(4)
    members = [np.array([0, 3, 5, 6, 8, 9, 11]), np.array([1, 2]), np.zeros(0, int), np.arange(12)]
    ev = SocietyEvidence.__new__(SocietyEvidence)
    ev.members, ev._layout = members, None
    scores = rng.random((5, 12)).astype(np.float32).T  # experts × queries
    got = ev.top_m_mean(scores, 3)
    for s, rows in enumerate(members):
        for j in range(5):
            best = np.sort(scores[rows, j])[::-1][:3]
            want = best.mean() if len(best) else 0.0
            assert got[s, j] == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize("k", [0, 1, 3, 8])
def test_best_first_is_a_stable_argsort_with_ties(k):
    rng = np.random.default_rng(k)
    scores = rng.integers(0, 4, (30, 6)).astype(np.float32)  # many ties at the k-th value
    got = _best_first(scores, k)
    for row, best in zip(scores, got, strict=True):
        assert best.tolist() == np.argsort(-row, kind="stable")[:k].tolist()


def test_present_each_finds_the_terms_of_each_document():
    bm25 = BM25([["轴承", "齿轮"], [], ["水库", "轴承"]])
    got = bm25.present_each([0, 1, 2], ["水库", "轴承", "未知"])
    assert got == [["轴承"], [], ["水库", "轴承"]]
    assert bm25.present(2, []) == []
