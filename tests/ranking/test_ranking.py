"""Ranking units: BM25, fusion math, society evidence, explanations, ANN recall."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matcher.embeddings.encoders import l2_normalize
from matcher.embeddings.vector_index import VectorIndex
from matcher.ranking.bm25 import BM25
from matcher.ranking.config import RankingConfig
from matcher.ranking.evidence import SocietyEvidence, centroids
from matcher.ranking.fusion import FEATURES, ExpertCalibration, Fusion
from matcher.ranking.lexical import TfidfSpace
from matcher.ranking.rank import (
    Corpus,
    Query,
    candidate_rows,
    discipline_fit,
    industry_fit,
    rank_experts,
    rank_societies_many,
)
from matcher.text.ngrams import char_bigrams, char_unigrams_bigrams


def _make(ids, tokens, vectors, cities, ann_threshold=50_000):
    """A corpus as the index builder makes one (its BM25 and dense index built here)."""
    vectors = l2_normalize(np.asarray(vectors, np.float32))
    return Corpus(
        ids=ids,
        vectors=vectors,
        cities=cities,
        fit_texts=[""] * len(ids),
        bm25=BM25(tokens),
        ann=VectorIndex.build(ids, vectors, ann_threshold=ann_threshold),
    )


def _corpus(tokens, vectors, cities=None):
    n = len(tokens)
    return _make(np.arange(1, n + 1, dtype=np.int64) * 10, tokens, vectors, cities or [None] * n)


def test_bm25_prefers_rarer_matching_term():
    bm = BM25([["齿轮", "轴承"], ["齿轮", "机床"], ["齿轮", "水库"]])
    s = bm.scores(["轴承", "齿轮"])
    assert s.argmax() == 0 and s[1] == pytest.approx(s[2]) and s[0] > s[1] > 0
    assert bm.scores(["未知"]).sum() == 0
    rows = np.array([2, 0])
    assert bm.scores(["轴承", "齿轮"], rows) == pytest.approx(s[rows])
    assert bm.present(0, ["机床", "轴承", "未知", "齿轮"]) == ["轴承", "齿轮"]
    assert bm.present(2, ["轴承"]) == []


def test_bm25_of_candidate_rows_reads_rows_only():
    """Scoring candidates and explaining them never lays the whole collection out by column
    (a second copy of its weights: 0.36 GiB at a million experts)."""
    bm = BM25([["齿轮", "轴承"], ["齿轮", "机床"], ["齿轮", "水库"]])
    assert bm.scores(["轴承", "齿轮"], np.array([0, 2]))[0] > 0
    assert bm.scores(["未知"], np.array([1])).tolist() == [0.0]
    assert bm.present_each([0, 1], ["机床"]) == [[], ["机床"]]
    assert bm._by_col is None
    bm.scores(["轴承"])  # every row: by column
    assert bm._by_col is not None


def test_batched_candidates_equal_one_query_at_a_time():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(300, 8))
    ids = rng.permutation(np.arange(1000, 4000, 10))  # unsorted ids: rows are mapped back
    corpus = _make(ids.astype(np.int64), [["词"]] * 300, vectors, [None] * 300)
    queries = l2_normalize(rng.normal(size=(5, 8)).astype(np.float32))
    batch = candidate_rows(corpus, queries, 7)
    for q, rows in zip(queries, batch, strict=True):
        assert rows.tolist() == candidate_rows(corpus, q, 7)[0].tolist()
        best = np.argsort(-(corpus.vectors @ q))[:7]
        assert sorted(rows.tolist()) == sorted(best.tolist())


def test_fusion_math_and_explanation():
    cfg = RankingConfig(dense_weight=0.6, bm25_weight=0.4, city_weight=0.1, industry_weight=0)
    experts = _corpus([["轴承"], ["水库"]], [[1, 0], [0, 1]], cities=["郑州", "洛阳"])
    q = Query(["轴承"], l2_normalize(np.array([[1.0, 1.0]]))[0], ["轴承"], city="郑州")
    top = rank_experts(q, experts, cfg, 2)
    assert [t.id for t in top] == [10, 20]
    c = top[0].components
    assert c["dense"] == pytest.approx(np.sqrt(0.5), rel=1e-5) and c["bm25"] == 1.0
    assert c["city"] == 1.0
    assert c["fused"] == pytest.approx(0.6 * c["dense"] + 0.4 * 1.0 + 0.1)
    assert top[0].score == pytest.approx(float(ExpertCalibration().score(c["fused"])), abs=0.05)
    assert 0 <= top[1].score <= top[0].score <= 100
    assert top[0].matched_keywords == ["轴承"] and top[1].matched_keywords == []


def _society_world():
    """Two societies with one member each; their own texts say nothing about the topic."""
    experts = _corpus([["渗流", "大坝"], ["催化剂"]], [[1, 0], [0, 1]])
    societies = _corpus([["学会"], ["学会"]], [[0.7, 0.7], [0.7, 0.7]])
    e_chars = [char_bigrams("大坝渗流监测"), char_bigrams("催化剂寿命")]
    e12 = [char_unigrams_bigrams("大坝渗流监测"), char_unigrams_bigrams("催化剂寿命")]
    evidence = SocietyEvidence.build(  # a society's document includes its members' texts
        society_chars12=[
            char_unigrams_bigrams("学会") + e12[1],
            char_unigrams_bigrams("学会") + e12[0],
        ],
        society_chars=[char_bigrams("学会") + e_chars[1], char_bigrams("学会") + e_chars[0]],
        society_words=[["学会"], ["学会"]],
        expert_chars=e_chars,
        own_chars=[char_bigrams("学会"), char_bigrams("学会")],
        members=[[1], [0]],  # society 10 has expert 20, society 20 has expert 10
    )
    return experts, societies, evidence


def test_society_uses_member_expert_evidence():
    experts, societies, evidence = _society_world()
    cfg = RankingConfig(society_top_m=1)
    q = Query(["大坝"], np.array([1.0, 0.0], np.float32), ["大坝"], text="大坝渗流")
    (ranked,) = rank_societies_many([q], societies, experts, evidence, {}, cfg, 2, {10: "钱"})
    assert [r.id for r in ranked] == [20, 10]
    top = ranked[0].components
    assert [e["id"] for e in top["top_experts"]] == [10] and top["top_experts"][0]["name"] == "钱"
    assert top["dense_experts"] > ranked[1].components["dense_experts"]
    assert top["char_experts"] > 0 == ranked[1].components["char_experts"]


def test_society_score_is_the_calibrated_softmax_of_the_weighted_features():
    experts, societies, evidence = _society_world()
    cfg = RankingConfig(society_top_m=1)
    weights = {f: 0.0 for f in FEATURES} | {"char12_doc": 1.0, "dense_doc": 0.5, "city": 2.0}
    fusion = Fusion(weights, calibration_x=[0.0, 0.5, 1.0], calibration_y=[0.0, 0.2, 0.9])
    q = Query(["大坝"], np.array([1.0, 0.0], np.float32), [], city="郑州", text="大坝渗流")
    shares = {10: 0.0, 20: 1.0}
    (ranked,) = rank_societies_many(
        [q], societies, experts, evidence, shares, cfg, 2, fusion=fusion
    )
    by_id = {r.id: r for r in ranked}
    # two societies: every channel that differs standardises to ±1, one that ties to 0
    sign = {
        c: np.sign(by_id[20].components[c] - by_id[10].components[c])
        for c in ("char12_doc", "dense_doc")
    }
    fused20 = 1.0 * sign["char12_doc"] + 0.5 * sign["dense_doc"]  # no society is in 郑州
    assert by_id[20].components["fused"] == pytest.approx(fused20, abs=1e-4)
    assert by_id[10].components["fused"] == pytest.approx(-fused20, abs=1e-4)
    p20 = 1 / (1 + np.exp(-2 * fused20))
    assert by_id[20].components["probability"] == pytest.approx(p20, abs=1e-4)
    assert by_id[20].score == pytest.approx(
        100 * np.interp(p20, [0, 0.5, 1], [0, 0.2, 0.9]), abs=0.05
    )
    assert by_id[10].components["capacity"] == 0.0  # shown, never scored
    assert ranked[0].score >= ranked[1].score


def test_char_centroid_weighs_members_equally_and_counts_the_description():
    space = TfidfSpace([["轴承", "齿轮", "水库", "大坝"]])
    experts = space.transform([["轴承"] * 50 + ["齿轮"] * 50, ["水库"]])
    own = space.transform([["大坝"]])
    cent = centroids(experts, own, [np.array([0, 1])]).toarray()[0]
    doc = space.transform([["轴承"] * 50 + ["齿轮"] * 50 + ["水库", "大坝"]]).toarray()[0]
    v = space.vocab
    assert np.linalg.norm(cent) == pytest.approx(1.0, rel=1e-6)
    assert cent[v["水库"]] == pytest.approx(cent[v["大坝"]])  # a short member = the description
    assert cent[v["水库"]] == pytest.approx(np.sqrt(2) * cent[v["轴承"]], rel=1e-5)
    assert cent[v["水库"]] / cent[v["轴承"]] > 2 * doc[v["水库"]] / doc[v["轴承"]]
    empty = centroids(experts, own, [np.zeros(0, np.int64)]).toarray()[0]
    assert empty == pytest.approx(own.toarray()[0])  # no members: the description alone


def test_char_centroids_are_the_unit_sums_of_members_and_description():
    """Per society, its members' rows plus its own summed and scaled to unit length (in
    place: at a million experts the rows are gigabytes), an empty one left empty."""
    rng = np.random.default_rng(3)
    experts = sp.random(30, 20, density=0.3, format="csr", dtype=np.float32, random_state=rng)
    own = sp.random(4, 20, density=0.3, format="csr", dtype=np.float32, random_state=rng)
    own = sp.csr_matrix(sp.vstack([own[:3], sp.csr_matrix((1, 20), dtype=np.float32)]))
    members = [np.array([0, 5, 7]), np.array([1]), np.arange(10, 30), np.zeros(0, np.int64)]
    got = centroids(experts, own, members)
    assert got.dtype == np.float32 and got.has_canonical_format
    for s, rows in enumerate(members):
        total = experts.toarray()[rows].sum(axis=0) + own.toarray()[s]
        norm = np.linalg.norm(total)
        want = total / norm if norm else total
        np.testing.assert_allclose(got.toarray()[s], want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(("block", "values"), [(1, 7), (3, 1 << 23), (100, 40)])
def test_member_sums_in_blocks_of_societies_are_the_whole_product(
    monkeypatch, tmp_path, block, values
):
    """Society documents and centroids sum members a few societies at a time (to scratch
    files in a build), from a copy of the members' rows made a few rows at a time: the
    very matrix of one product, row by row (an expert in several societies too)."""
    from matcher import scratch
    from matcher.ranking.evidence import assignment, member_sums

    rng = np.random.default_rng(4)
    experts = sp.random(40, 25, density=0.3, format="csr", dtype=np.float32, random_state=rng)
    own = sp.random(7, 25, density=0.2, format="csr", dtype=np.float32, random_state=rng)
    members = [rng.choice(40, size=k, replace=False) for k in (0, 3, 9, 1, 20, 5, 2)]
    assign = assignment(members, 7, 40)
    want = sp.csr_matrix(assign @ experts + own)
    want.sort_indices()
    assert max(np.bincount(np.concatenate(members))) > 1
    monkeypatch.setattr("matcher.ranking.evidence.SOCIETY_BLOCK", block)
    monkeypatch.setattr("matcher.ranking.evidence.MEMBERSHIP_VALUES", values)
    monkeypatch.setattr(scratch, "SPILL_BYTES", 1)
    with scratch.spilling(tmp_path):
        got = member_sums(assign, experts, own)
    assert scratch.is_spilled(got.data) or block >= 7  # (one block: stacked in memory)
    assert got.dtype == np.float32 and got.shape == want.shape and got.has_canonical_format
    assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)
    # a refresh redoes a few societies: only their members' rows are copied
    few = assignment([members[2], members[4]], 2, 40)
    sub = member_sums(few, experts, own[[2, 4]])
    assert np.array_equal(sub.toarray(), got[[2, 4]].toarray())


def test_society_batch_ranks_like_one_query_at_a_time():
    experts, societies, evidence = _society_world()
    cfg = RankingConfig(society_top_m=1)
    queries = [
        Query(["大坝"], np.array([1.0, 0.0], np.float32), ["大坝"], text="大坝渗流"),
        Query(["催化剂"], np.array([0.0, 1.0], np.float32), [], city="郑州", text="催化剂"),
    ]
    batch = rank_societies_many(queries, societies, experts, evidence, {10: 0.5}, cfg, 2)
    for q, ranked in zip(queries, batch, strict=True):
        (one,) = rank_societies_many([q], societies, experts, evidence, {10: 0.5}, cfg, 2)
        assert [(r.id, r.components) for r in ranked] == [(r.id, r.components) for r in one]
    assert [r.id for r in batch[0]] == [20, 10] and [r.id for r in batch[1]] == [10, 20]


def test_tfidf_space_is_cosine_with_society_idf():
    space = TfidfSpace([["轴承", "齿轮"], ["齿轮", "水库"]])
    m = space.transform([["轴承", "轴承", "齿轮"], ["未知"]])
    assert np.linalg.norm(m[0].toarray()) == pytest.approx(1.0, rel=1e-6)
    assert m[1].nnz == 0
    row = m[0].toarray().ravel()
    assert row[space.vocab["轴承"]] > row[space.vocab["齿轮"]]  # rarer across societies


def test_industry_fit_overlap():
    assert industry_fit("机械制造", "机械工程") > industry_fit("机械制造", "水利工程") == 0


def test_ivf_recall_against_exact(tmp_path):
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(40, 32))
    data = l2_normalize(centers[rng.integers(0, 40, 5000)] + 0.3 * rng.normal(size=(5000, 32)))
    ids = np.arange(5000, dtype=np.int64) + 7
    ann = VectorIndex.build(ids, data, ann_threshold=1000)
    exact = VectorIndex.build(ids, data, ann_threshold=10**9)
    assert ann.approximate and not exact.approximate
    queries = l2_normalize(rng.normal(size=(200, 32)) + centers[rng.integers(0, 40, 200)])
    _, got = ann.search(queries, 10)
    _, truth = exact.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, truth, strict=True)])
    assert recall >= 0.95
    ann.save(tmp_path / "ann.faiss")
    back = VectorIndex.load(tmp_path / "ann.faiss")
    assert back.index.nprobe == ann.index.nprobe and back.approximate


def test_ivf_update_in_place_moves_changed_rows_and_keeps_recall():
    rng = np.random.default_rng(2)
    centers = rng.normal(size=(40, 32))
    data = l2_normalize(centers[rng.integers(0, 40, 5000)] + 0.3 * rng.normal(size=(5000, 32)))
    ids = np.arange(5000, dtype=np.int64) + 7
    ann = VectorIndex.build(ids, data, ann_threshold=1000)
    new = data.copy()
    new[10] = l2_normalize(centers[:1] * -1.0)[0]  # one row moves far away
    new_ids, new = np.delete(ids, 20), np.delete(new, 20, axis=0)  # one row leaves
    new_ids = np.append(new_ids, 99_999)  # one row arrives
    new = np.vstack([new, l2_normalize(centers[1:2])])
    updated = ann.updated(ids, data, new_ids, new, ann_threshold=1000)
    assert updated.approximate and updated.ntotal == 5000
    assert updated.index.nprobe == ann.index.nprobe and ann.ntotal == 5000  # old one untouched
    _, top = updated.search(np.vstack([new[10], new[-1]]), 1)
    assert top[:, 0].tolist() == [17, 99_999]
    _, all_ids = updated.search(data[20:21], 5000)
    assert 27 not in all_ids[0]
    queries = l2_normalize(rng.normal(size=(200, 32)) + centers[rng.integers(0, 40, 200)])
    _, got = updated.search(queries, 10)
    _, truth = VectorIndex.build(new_ids, new, ann_threshold=10**9).search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, truth, strict=True)])
    assert recall >= 0.95
    assert not ann.updated(ids, data, ids[:100], data[:100], ann_threshold=1000).approximate


def test_a_stated_discipline_lifts_the_society_that_lists_it():
    assert discipline_fit("机械工程", "河南省机械工程学会 机械设计") == 1.0
    assert discipline_fit("工学", "水利学会 水利工程 工学") == 1.0
    assert discipline_fit("化学工程", "水利学会 水利工程") == 0.0  # sharing 工程 is no match
    experts, societies, evidence = _society_world()
    societies.fit_texts = ["化学学会 化学工程", "水利学会 水利工程"]
    cfg = RankingConfig(society_top_m=1)
    q = Query(["渗流"], np.array([1.0, 0.0], np.float32), [], text="渗流")
    (plain,) = rank_societies_many([q], societies, experts, evidence, {}, cfg, 2)
    q.discipline = "化学工程"  # the enterprise says which discipline it expects
    (hinted,) = rank_societies_many([q], societies, experts, evidence, {}, cfg, 2)
    by_id = {r.id: r for r in hinted}
    assert by_id[10].components["discipline_fit"] == 1.0
    assert by_id[20].components["discipline_fit"] == 0.0
    before = {r.id: r.components["fused"] for r in plain}
    assert by_id[10].components["fused"] > before[10]


def test_products_by_column_equal_the_full_products():
    """Channels multiply only the columns of the queries' terms, in blocks of queries: the
    same numbers as the full sparse × dense product, for one query and for many."""
    import scipy.sparse as sp

    from matcher.ranking import evidence

    matrix = sp.random(50, 400, density=0.05, random_state=1, dtype=np.float32)
    queries = sp.random(600, 400, density=0.02, random_state=2, dtype=np.float32).tocsr()
    queries[3] = 0.0  # a query with no known term scores 0 everywhere
    want = (matrix @ queries.T).toarray()
    got = evidence.by_columns(sp.csc_matrix(matrix), queries)
    assert got.shape == (50, 600) and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    one = evidence.by_columns(sp.csc_matrix(matrix), queries[5:6])
    np.testing.assert_allclose(one, want[:, 5:6], rtol=1e-5, atol=1e-6)


def _overlapping_world(n_queries: int):
    """Forty experts in five societies of twelve (some in several), and queries."""
    rng = np.random.default_rng(3)
    words = ["大坝", "渗流", "催化剂", "轴承", "齿轮", "水库", "传感器", "土壤", "育种", "芯片"]
    texts = ["".join(rng.choice(words, 4)) for _ in range(40)]
    experts = _corpus([[t] for t in texts], rng.normal(size=(40, 16)))
    members = [np.sort(rng.choice(40, 12, replace=False)) for _ in range(5)]
    own = ["学会" + words[s] for s in range(5)]
    society_texts = [own[s] + "".join(texts[i] for i in m) for s, m in enumerate(members)]
    societies = _corpus([[t] for t in own], rng.normal(size=(5, 16)))
    evidence = SocietyEvidence.build(
        society_chars12=[char_unigrams_bigrams(t) for t in society_texts],
        society_chars=[char_bigrams(t) for t in society_texts],
        society_words=[[t] for t in own],
        expert_chars=[char_bigrams(t) for t in texts],
        own_chars=[char_bigrams(t) for t in own],
        members=members,
    )
    queries = [
        Query([w], l2_normalize(rng.normal(size=(1, 16)))[0].astype(np.float32), [w], text=w)
        for w in rng.choice(words, n_queries)
    ]
    return queries, societies, experts, evidence


@pytest.mark.parametrize("n_queries", [1, 3])
def test_societies_rank_alike_with_and_without_member_order_copies(n_queries, monkeypatch):
    """A store too large for the member-order copies of its experts' vectors and character
    rows (none kept; a serving process's rows held by column only) gathers each query's
    expert scores instead: the same societies, explanations and scores (to float32
    rounding)."""
    from matcher.ranking import evidence as module

    cfg = RankingConfig(society_top_m=3)
    world = _overlapping_world(n_queries)
    copied = rank_societies_many(*world, {}, cfg, 5)
    assert world[3]._member_vectors is not None and "char_members" in world[3]._by_column
    monkeypatch.setattr(module, "MEMBER_COPY_BYTES", 0)
    world = _overlapping_world(n_queries)
    rows = world[3].char_experts
    world[3].serve_only()  # (as a process that only serves loads it)
    gathered = rank_societies_many(*world, {}, cfg, 5)
    ev = world[3]
    assert ev._member_vectors is None and "char_members" not in ev._by_column
    assert ev.char_experts.format == "csc" and (ev.expert_rows() != rows).nnz == 0
    for a, b in zip(copied, gathered, strict=True):
        assert [r.id for r in a] == [r.id for r in b]
        for x, y in zip(a, b, strict=True):
            assert x.score == pytest.approx(y.score, abs=0.11)
            for channel in ("dense_experts", "char_experts"):
                assert x.components[channel] == pytest.approx(y.components[channel], abs=1e-5)
            assert [e["id"] for e in x.components["top_experts"]] == [
                e["id"] for e in y.components["top_experts"]
            ]
