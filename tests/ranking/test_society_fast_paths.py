"""The society ranking's fast paths give the numbers of the plain forms they replaced (bit for
bit where sums are involved: a rounding difference could reorder near-ties)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
import scipy.sparse as sp

from matcher.ranking import evidence, lexical, rank
from matcher.ranking.bm25 import BM25
from matcher.ranking.evidence import SocietyEvidence
from matcher.ranking.lexical import TfidfSpace
from matcher.ranking.rank import _best_first
from matcher.text.counts import SPACES, widen


def _counts(n: int, v: int, seed: int, empty: int = -1, density: float = 0.01) -> sp.csr_matrix:
    """Random term counts; row ``empty`` without any term."""
    rng = np.random.default_rng(seed)
    m = sp.random(n, v, density=density, random_state=seed, format="csr")
    m.data = rng.integers(1, 6, m.nnz).astype(np.float32)
    if empty >= 0:
        m.data[m.indptr[empty] : m.indptr[empty + 1]] = 0
        m.eliminate_zeros()
    return m


@pytest.mark.parametrize(
    ("product_rows", "entries", "few"),
    [(0, 1, 0), (10_000, 1 << 22, 0), (10_000, 3000, 0), (10_000, 1 << 22, 40)],
)
def test_column_products_equal_scipys_sparse_product_bit_for_bit(
    product_rows, entries, few, monkeypatch
):
    """Many queries, a query without known terms, and the float32 sums scipy's product
    makes, in its order (a query's terms in reverse column order, as ``weigh`` leaves
    them): one query at a time, in one product, in blocks of queries, one at a time in
    numpy (``add_columns``)."""
    space = TfidfSpace.from_parts([str(i) for i in range(300)], np.linspace(1, 3, 300))
    matrix = space.weigh(_counts(500, 300, 1, density=0.1))
    queries = space.weigh(_counts(40, 300, 2, empty=7, density=0.2))  # sums' order matters
    want = np.zeros((500, 40), np.float32)
    for i in range(40):  # the replaced form: scipy's sparse product, one query at a time
        want[:, i] = (queries[i] @ sp.csc_matrix(matrix).T).toarray().ravel()
    monkeypatch.setattr(evidence, "PRODUCT_ROWS", product_rows)
    monkeypatch.setattr(evidence, "PRODUCT_ENTRIES", entries)
    monkeypatch.setattr(evidence, "FEW_QUERIES", few)
    got = evidence.by_columns(sp.csc_matrix(matrix), queries)
    assert got.shape == (500, 40) and got.dtype == np.float32
    assert np.array_equal(got, want)
    assert not got[:, 7].any()


@pytest.mark.parametrize("block", [lexical.WEIGH_BLOCK, 7])  # 7: a few rows at a time
def test_tfidf_weighting_equals_the_scipy_form(monkeypatch, block):
    """Values, and each row's entries in the order the diagonal product left them, whether
    the rows are weighed at once or a block at a time (a million experts' rows are)."""
    monkeypatch.setattr(lexical, "WEIGH_BLOCK", block)
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
    """A batch of rows, and each row alone (one need's path)."""
    rng = np.random.default_rng(k)
    scores = rng.integers(0, 4, (30, 6)).astype(np.float32)  # many ties at the k-th value
    got = _best_first(scores, k)
    for row, best in zip(scores, got, strict=True):
        want = np.argsort(-row, kind="stable")[:k].tolist()
        assert best.tolist() == want
        assert [b.tolist() for b in _best_first(row[None], k)] == [want]


def test_top_m_mean_of_one_query_is_its_column_of_the_batch_bit_for_bit():
    """One query's partitions (one row each) leave each society's best members in the order
    the batch's do, so their float32 means are the same bits: sizes below, at and above m."""
    rng = np.random.default_rng(9)
    sizes = [0, 1, 5, 6, 40, 300, 7, 1000]
    bounds = np.cumsum([0, *sizes])
    ev = SocietyEvidence.__new__(SocietyEvidence)
    ev.members = [np.arange(a, b) for a, b in pairwise(bounds)]
    ev._layout = None
    scores = (rng.random((bounds[-1], 64)) ** 4).astype(np.float32)  # (sums round by order)
    batch = ev.top_m_mean(scores, 5)
    for j in range(scores.shape[1]):
        one = ev.top_m_mean(None, 5, by_member=ev.by_member(scores[:, [j]]))
        assert one.dtype == batch.dtype and np.array_equal(one[:, 0], batch[:, j])


def test_driving_members_are_each_pairs_best_experts_in_member_order():
    """The experts a plain stable sort of each (query, listed society) pair's members picks
    (ties in member order, served needs skipped, a society with fewer experts than shown,
    one without members)."""
    rng = np.random.default_rng(5)
    members = [
        np.array([7, 0, 3, 9]),
        np.array([2]),
        np.zeros(0, np.int64),
        np.array([1, 4, 5, 6, 8]),
    ]
    ev = SocietyEvidence.__new__(SocietyEvidence)
    ev.members, ev._layout = members, None
    flat = ev.member_layout()[0]
    ids = np.array([1, 2, 3, -4, 5, 6, 7, 8, -9, 10])  # rows 3 and 8: served needs
    char = rng.integers(0, 3, (4, len(flat))).astype(np.float32) / 2  # many ties
    dense = rng.integers(0, 3, (4, len(flat))).astype(np.float32) / 4
    tops = [np.array([3, 0, 1]), np.array([2, 3]), np.array([0]), np.zeros(0, np.int64)]
    got = rank._driving_members(tops, ev, (0.7, 0.3), char, dense, 3, ids)
    assert sorted(got) == [(0, 0), (0, 1), (0, 3), (1, 2), (1, 3), (2, 0)]
    lo = np.cumsum([0, *map(len, members)])
    for (j, s), (rows, scores) in got.items():
        mine = np.arange(lo[s], lo[s + 1])
        want = 0.7 * char[j, mine] + 0.3 * dense[j, mine]
        order = [i for i in np.argsort(-want, kind="stable") if ids[flat[mine[i]]] > 0][:3]
        assert rows.tolist() == flat[mine[order]].tolist()
        assert np.array_equal(scores, want[order])


@pytest.mark.parametrize("seed", range(3))
def test_present_by_table_equals_present_by_row(seed, monkeypatch):
    """A short collection read from its table finds the terms its rows hold, in the order:
    repeated and unknown terms, rows repeated and out of order, a document without terms."""
    from matcher.ranking import bm25 as module

    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(40)]
    docs = [list(rng.choice(words, rng.integers(0, 15))) for _ in range(30)] + [[]]
    bm25 = BM25(docs)
    rows = [*rng.integers(0, len(docs), 12).tolist(), 30, 3, 3]
    terms = [*rng.choice(words, 10).tolist(), "未知", "w1", "w1"]
    fast = bm25.present_each(rows, terms)
    monkeypatch.setattr(module, "FEW_DOCUMENTS", -1)
    plain = bm25.present_each(rows, terms)
    assert fast == plain
    assert plain == [[t for t in terms if t in docs[r]] for r in rows]
    assert any(plain) and not plain[-3]


def test_present_each_finds_the_terms_of_each_document():
    bm25 = BM25([["轴承", "齿轮"], [], ["水库", "轴承"]])
    got = bm25.present_each([0, 1, 2], ["水库", "轴承", "未知"])
    assert got == [["轴承"], [], ["水库", "轴承"]]
    assert bm25.present(2, []) == []


def _same_rows(old: dict[str, sp.csr_matrix], new: dict[str, sp.csr_matrix]) -> np.ndarray:
    """Per row of ``new``, the same row of ``old`` when its counts are equal in every space
    (the rows line up), else -1."""
    out = np.arange(new["char"].shape[0])
    for key, m in new.items():
        diff = widen(sp.csr_matrix(old[key]), m.shape[1]) - m
        out[np.unique(sp.coo_matrix(diff).row)] = -1
    return out


def _spy_kept(monkeypatch) -> dict[int, int]:
    """Rows kept by ``take_rows`` in ``evidence``, summed by the number of rows assembled."""
    kept: dict[int, int] = {}
    real = evidence.take_rows

    def spy(old, fresh, src, width):
        kept[len(src)] = kept.get(len(src), 0) + int((src >= 0).sum())
        return real(old, fresh, src, width)

    monkeypatch.setattr(evidence, "take_rows", spy)
    return kept


@pytest.mark.parametrize("seed", range(6))
def test_reweighed_expert_rows_equal_a_full_weighing_bit_for_bit(seed, monkeypatch):
    """A patched refresh keeps the experts' character-bigram rows, the society documents
    and centroids none of whose inputs or terms' IDF moved: edited, removed and added
    experts, a membership moved (society documents, hence IDF, change), a new term; seed 0
    also drops a term from every document (a full pass)."""
    n_s, n_e, v = 8, 200, 300
    keys = SPACES
    vocab = {k: {f"t{i}": i for i in range(v)} for k in keys}
    every = sp.csr_matrix(np.outer(np.arange(n_s) == 0, np.arange(v) < v - 1), dtype=np.float32)
    # society 0's description holds every term but the last: none leaves the space (except
    # seed 0's); the last is held only by the last expert, in no society, until an edit
    # brings it into a society's document (the last expert's row is then weighed anew)
    last = sp.csr_matrix(np.outer(np.arange(n_e) == n_e - 1, np.arange(v) == v - 1))
    own = {k: sp.csr_matrix(_counts(n_s, v, seed + 100)[:, : v - 1]) for k in keys}
    own = {k: sp.csr_matrix(widen(m, v) + every) for k, m in own.items()}
    experts = {k: widen(sp.csr_matrix(_counts(n_e, v, seed)[:, : v - 1]), v) for k in keys}
    experts = {k: sp.csr_matrix(m + last, dtype=np.float32) for k, m in experts.items()}
    members = [np.flatnonzero(np.arange(n_e - 1) % n_s == s) for s in range(n_s)]
    old = SocietyEvidence.from_counts(own=own, experts=experts, vocab=vocab, members=members)
    keep = np.delete(np.arange(n_e), 10)  # expert 10 removed, one added at the end
    src = np.concatenate([keep, [-1]])
    src[[3, 50]] = -1  # two edited
    new = {
        k: sp.vstack([widen(m, v + 1)[keep], sp.csr_matrix((1, v + 1))]) for k, m in experts.items()
    }
    new = {k: sp.lil_matrix(m) for k, m in new.items()}
    edited = _counts(3, v + 1, seed + 7).toarray()
    edited[0, v] = 2.0  # the new term
    edited[1, v - 1] = 1.0  # the last expert's term, now in a society's document
    new["char"][[3, 50, n_e - 1]] = edited
    own2 = {k: sp.lil_matrix(widen(m, v + 1)) for k, m in own.items()}
    if seed == 0:  # a term no document holds any more: the space shifts, a full pass
        gone = int(experts["char"].indices[0])
        new["char"][:, gone] = 0
        own2["char"][:, gone] = 0
    new = {k: sp.csr_matrix(m) for k, m in new.items()}
    own2 = {k: sp.csr_matrix(m) for k, m in own2.items()}
    moved = [np.flatnonzero(np.arange(n_e) % n_s == s) for s in range(n_s)]  # rows shifted
    moved = [m[m != n_e - 2] for m in moved]  # the last expert still in none
    moved[1], moved[2] = moved[1][1:], np.sort(np.concatenate([moved[2], moved[1][:1]]))
    vocab2 = {k: {**w, "new": v} for k, w in vocab.items()}
    args = dict(own=own2, experts=new, vocab=vocab2, members=moved)
    full = SocietyEvidence.from_counts(**args)
    s_src = _same_rows(own, own2)  # society 0's description loses seed 0's term
    doc_src = _same_rows(
        *(evidence.document_counts(*x) for x in ((own, experts, members), (own2, new, moved)))
    )
    kept = _spy_kept(monkeypatch)
    earlier = evidence.Earlier(old, src, s_src, doc_src)
    patched = SocietyEvidence.from_counts(**args, previous=earlier)
    for name in ("char_experts", "char12_docs", "char_docs", "word_docs", "char_centroids"):
        a, b = getattr(patched, name), getattr(full, name)
        assert a.shape == b.shape and a.dtype == b.dtype, name
        assert np.array_equal(a.toarray(), b.toarray()), name  # bit for bit
        assert np.array_equal(np.diff(a.indptr), np.diff(b.indptr)), name
    assert seed == 0 or kept[n_e] > 0  # (every document changed: memberships shifted)
    assert seed == 0 or "new" in full.char.vocab  # the new term entered the space
    n_old = len(old.char.vocab)
    if list(full.char.vocab)[:n_old] == list(old.char.vocab):  # rows kept: some, not all
        moved_idf = full.char.idf[:n_old] != old.char.idf
        assert seed and 0 < moved_idf.sum() < n_old


@pytest.mark.parametrize("seed", range(4))
def test_unchanged_documents_and_centroids_are_kept_bit_for_bit(seed, monkeypatch):
    """One expert's counts edited (a term its society's document already holds: no IDF
    moves), another's given a term only other societies hold (its IDF moves) and a
    society's description edited alike: the
    documents and centroids of the untouched societies are kept, the rest weighed anew,
    and all equal a full pass bit for bit."""
    n_s, n_e, v = 8, 200, 300
    keys = SPACES
    vocab = {k: {f"t{i}": i for i in range(v)} for k in keys}
    own = {k: _counts(n_s, v, seed + 100) for k in keys}
    experts = {k: _counts(n_e, v, seed) for k in keys}
    members = [np.flatnonzero(np.arange(n_e) % n_s == s) for s in range(n_s)]
    old = SocietyEvidence.from_counts(own=own, experts=experts, vocab=vocab, members=members)
    new = {k: sp.lil_matrix(m) for k, m in experts.items()}
    docs = evidence.document_counts(own, experts, members)
    for k in keys:
        row = docs[k].getrow(5 % n_s)  # expert 5's society holds this term already
        new[k][5, int(row.indices[0])] += 1
        held = np.setdiff1d(docs[k].indices, docs[k].getrow(6 % n_s).indices)
        new[k][6, int(held[0])] = 1  # a term other societies' documents hold, not its own
    new = {k: sp.csr_matrix(m) for k, m in new.items()}
    own2 = {k: sp.lil_matrix(m) for k, m in own.items()}
    for k in keys:  # a society's description: one more of a term it holds
        own2[k][np.flatnonzero(np.diff(own[k].indptr))[0], int(own[k].indices[0])] += 1
    own2 = {k: sp.csr_matrix(m) for k, m in own2.items()}
    src = np.arange(n_e)
    src[[5, 6]] = -1
    args = dict(own=own2, experts=new, vocab=vocab, members=members)
    full = SocietyEvidence.from_counts(**args)
    doc_src = _same_rows(docs, evidence.document_counts(own2, new, members))
    kept = _spy_kept(monkeypatch)
    earlier = evidence.Earlier(old, src, _same_rows(own, own2), doc_src)
    patched = SocietyEvidence.from_counts(**args, previous=earlier)
    for name in ("char_experts", "char12_docs", "char_docs", "word_docs", "char_centroids"):
        a, b = getattr(patched, name), getattr(full, name)
        assert a.shape == b.shape, name
        assert np.array_equal(a.toarray(), b.toarray()), name  # bit for bit
    assert 0 < kept[n_s] < 4 * n_s  # documents (three spaces) and centroids, some kept
    assert 0 < kept[n_e] < n_e


def test_member_people_are_computed_again_for_another_ids_array():
    """The members' expert mask is remembered per ids array: another array (a refreshed
    corpus) is read afresh."""
    ev = SocietyEvidence.__new__(SocietyEvidence)
    ev.members, ev._layout = [np.array([0, 1]), np.array([2])], None
    ids = np.array([1, -2, 3])
    people, every = ev.member_people(ids)
    assert people.tolist() == [True, False, True] and every == [False, True]
    assert ev.member_people(ids)[0] is people  # remembered
    served = np.array([1, 2, -3])
    assert ev.member_people(served)[0].tolist() == [True, True, False]
    assert ev.member_people(served)[1] == [True, False]


@pytest.mark.parametrize(("seed", "entries"), [(0, 1 << 21), (1, 1 << 21), (2, 300)])
def test_driving_members_of_long_societies_equal_a_society_at_a_time(seed, entries, monkeypatch):
    """Long societies (read together, ``best_in_runs``, all at once or a few at a time) pick
    the experts and scores the plain pass does: many ties, served needs among the members, a
    society of served needs only, queries listing the same society."""
    monkeypatch.setattr(rank, "DRIVING_ENTRIES", entries)
    rng = np.random.default_rng(seed)
    sizes = [70, 300, 5, 200, 64, 90]
    flat = rng.permutation(sum(sizes))
    members = np.split(flat, np.cumsum(sizes)[:-1])
    ev = SocietyEvidence.__new__(SocietyEvidence)
    ev.members, ev._layout = members, None
    ids = np.arange(1, len(flat) + 1)
    ids[rng.random(len(flat)) < 0.2] *= -1
    ids[members[5]] = -np.abs(ids[members[5]])  # served needs only
    char = (rng.integers(0, 5, (3, len(flat))) / 4).astype(np.float32)
    dense = (rng.integers(0, 3, (3, len(flat))) / 8).astype(np.float32)
    tops = [np.array([1, 0, 3, 5]), np.array([2, 1, 4]), np.array([1])]
    got = rank._driving_members(tops, ev, (0.6, 0.4), char, dense, 3, ids)
    js = np.repeat(np.arange(3), [4, 3, 1])
    on = rank._Members(ev, (0.6, 0.4), char, dense, 3, ids)
    want = rank._driving_by_society(js, np.concatenate(tops), on)
    assert got.keys() == want.keys()
    for key, (rows, scores) in want.items():
        assert np.array_equal(got[key][0], rows) and got[key][1].dtype == scores.dtype
        assert np.array_equal(got[key][1], scores)
    assert not len(got[0, 5][0])
    long = np.array([0, 1, 3, 4, 5])
    fast = rank._driving_in_runs(np.zeros(5, int), long, on)
    assert fast is not None and fast.keys() == {(0, r) for r in long.tolist()}


def _long_world(seed: int):
    """Societies of 5 to 300 members (served needs among them), random texts and vectors."""
    from matcher.embeddings.encoders import l2_normalize
    from matcher.embeddings.vector_index import VectorIndex
    from matcher.ranking.rank import Corpus
    from matcher.text.ngrams import char_bigrams, char_unigrams_bigrams

    rng = np.random.default_rng(seed)
    chars = "数控机床主轴精度轴承齿轮催化剂加氢精馏分离水库大坝渗流灌溉节水传感器芯片算法图像识别"
    sizes = [70, 150, 5, 300, 64, 100]
    n = sum(sizes)
    texts = ["".join(rng.choice(list(chars), 30)) for _ in range(n)]
    members = np.split(rng.permutation(n), np.cumsum(sizes)[:-1])
    ids = np.arange(1, n + 1)
    ids[rng.random(n) < 0.1] *= -1  # served needs

    def corpus(ids, texts, dim=16):
        vectors = l2_normalize(rng.standard_normal((len(ids), dim)).astype(np.float32))
        ann = VectorIndex.build(np.abs(ids), vectors, ann_threshold=10**9)
        words = [list(t[::3]) for t in texts]
        blank = [None] * len(ids)
        return Corpus(np.asarray(ids), vectors, blank, [""] * len(ids), BM25(words), ann)

    own = [f"学会{s}" for s in range(len(sizes))]
    docs = [own[s] + "".join(texts[e] for e in m) for s, m in enumerate(members)]
    evidence = SocietyEvidence.build(
        society_chars12=[char_unigrams_bigrams(d) for d in docs],
        society_chars=[char_bigrams(d) for d in docs],
        society_words=[list(d[::3]) for d in docs],
        expert_chars=[char_bigrams(t) for t in texts],
        own_chars=[char_bigrams(t) for t in own],
        members=members,
    )
    societies = corpus(np.arange(1, len(sizes) + 1) * 10, docs)
    return corpus(ids, texts), societies, evidence, rng, chars


@pytest.mark.parametrize("seed", range(2))
def test_society_ranking_with_and_without_the_fast_paths_is_the_same(seed, monkeypatch):
    """The whole society ranking, one need and a batch: scores, order and explanations (by
    repr) with the top-m, driving-member and keyword fast paths and without them."""
    from matcher.ranking import bm25 as bm25_module
    from matcher.ranking import topm
    from matcher.ranking.config import RankingConfig
    from matcher.ranking.rank import Query, rank_societies_many

    experts, societies, evidence, rng, chars = _long_world(seed)
    queries = [
        Query(
            list("".join(rng.choice(list(chars), 6))),
            rng.standard_normal(16).astype(np.float32) / 4,
            list("".join(rng.choice(list(chars), 4))),
            text="".join(rng.choice(list(chars), 20)),
        )
        for _ in range(5)
    ]
    cfg = RankingConfig()

    def ranked() -> list[str]:
        evidence._plans = None
        batch = rank_societies_many(queries, societies, experts, evidence, {}, cfg, 6)
        one = [rank_societies_many([q], societies, experts, evidence, {}, cfg, 4) for q in queries]
        return [repr(r) for r in batch + one]

    assert len(topm.Plan.of(evidence.member_layout()[1], 5).fast) == 5  # (societies of 64+)
    fast = ranked()
    monkeypatch.setattr(topm, "MIN_RUN", 10**9)
    monkeypatch.setattr(rank, "MIN_RUN", 10**9)
    monkeypatch.setattr(bm25_module, "PRESENCE_CELLS", 0)
    assert ranked() == fast
    assert any("top_experts" in r for r in fast)
