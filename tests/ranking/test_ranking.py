"""Ranking units: BM25, fusion math, society evidence, explanations, ANN recall."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.embeddings.encoders import l2_normalize
from matcher.embeddings.vector_index import VectorIndex
from matcher.ranking.bm25 import BM25
from matcher.ranking.config import RankingConfig
from matcher.ranking.rank import Corpus, Query, industry_fit, rank_experts, rank_societies


def _corpus(tokens, vectors, cities=None):
    n = len(tokens)
    return Corpus(
        ids=np.arange(1, n + 1, dtype=np.int64) * 10,
        tokens=tokens,
        vectors=l2_normalize(np.asarray(vectors, np.float32)),
        cities=cities or [None] * n,
        fit_texts=[""] * n,
    )


def test_bm25_prefers_rarer_matching_term():
    bm = BM25([["齿轮", "轴承"], ["齿轮", "机床"], ["齿轮", "水库"]])
    s = bm.scores(["轴承", "齿轮"])
    assert s.argmax() == 0 and s[1] == pytest.approx(s[2]) and s[0] > s[1] > 0
    assert bm.scores(["未知"]).sum() == 0


def test_fusion_math_and_explanation():
    cfg = RankingConfig(dense_weight=0.6, bm25_weight=0.4, city_weight=0.1, industry_weight=0)
    experts = _corpus([["轴承"], ["水库"]], [[1, 0], [0, 1]], cities=["郑州", "洛阳"])
    q = Query(["轴承"], l2_normalize(np.array([[1.0, 1.0]]))[0], ["轴承"], city="郑州")
    top = rank_experts(q, experts, cfg, 2)
    assert [t.id for t in top] == [10, 20]
    c = top[0].components
    assert c["dense"] == pytest.approx(np.sqrt(0.5), rel=1e-5) and c["bm25"] == 1.0
    assert c["city"] == 1.0
    assert top[0].score == pytest.approx(0.6 * c["dense"] + 0.4 * 1.0 + 0.1)
    assert top[0].matched_keywords == ["轴承"] and top[1].matched_keywords == []


def test_society_uses_member_expert_evidence():
    cfg = RankingConfig(society_top_m=1, capacity_weight=0.0)
    experts = _corpus([["渗流", "大坝"], ["催化剂"]], [[1, 0], [0, 1]])
    societies = _corpus([["学会"], ["学会"]], [[0.7, 0.7], [0.7, 0.7]])
    q = Query(["大坝"], np.array([1.0, 0.0], np.float32), ["大坝"])
    ranked = rank_societies(q, societies, experts, {10: [20], 20: [10]}, {}, cfg, 2, {10: "钱"})
    assert ranked[0].id == 20
    assert ranked[0].components["top_experts"][0] == {
        "id": 10,
        "name": "钱",
        "score": pytest.approx(ranked[0].components["experts"]),
    }
    assert ranked[0].components["experts"] > ranked[1].components["experts"]


def test_industry_fit_overlap():
    assert industry_fit("机械制造", "机械工程") > industry_fit("机械制造", "水利工程") == 0


def test_ivf_recall_against_exact():
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
    back = VectorIndex.from_bytes(ann.to_bytes(), True)
    assert back.index.nprobe == ann.index.nprobe
