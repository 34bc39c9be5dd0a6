"""Hybrid ranking of one query against expert and society collections (no database)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matcher.embeddings.vector_index import VectorIndex
from matcher.ranking.bm25 import BM25
from matcher.ranking.config import RankingConfig
from matcher.ranking.evidence import SocietyEvidence, zscore
from matcher.text.ngrams import char_bigrams
from matcher.text.normalize import normalize


@dataclass
class Corpus:
    """One target collection: rows aligned with ``ids``."""

    ids: np.ndarray
    tokens: list[list[str]]
    vectors: np.ndarray
    cities: list[str | None]
    fit_texts: list[str]
    ann_threshold: int = 50_000
    bm25: BM25 = field(init=False)
    ann: VectorIndex = field(init=False)
    pos: dict[int, int] = field(init=False)
    fit_bigrams: list[set[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.fit_bigrams = [_bigrams(t) for t in self.fit_texts]
        self.bm25 = BM25(self.tokens)
        self.ann = VectorIndex.build(self.ids, self.vectors, ann_threshold=self.ann_threshold)
        self.pos = {int(i): p for p, i in enumerate(self.ids)}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["ann"] = self.ann.to_bytes(), self.ann.approximate
        return state

    def __setstate__(self, state: dict) -> None:
        data, approximate = state.pop("ann")
        self.__dict__.update(state)
        self.ann = VectorIndex.from_bytes(data, approximate)


@dataclass
class Query:
    tokens: list[str]
    vector: np.ndarray
    keywords: list[str]
    city: str | None = None
    industry: str | None = None
    text: str = ""


@dataclass
class Scored:
    id: int
    score: float
    components: dict
    matched_keywords: list[str]


def _bigrams(text: str) -> set[str]:
    text = normalize(text).replace(" ", "")
    return {text[i : i + 2] for i in range(len(text) - 1)}


def industry_fit(industry: str | None, fit_text: str | set[str]) -> float:
    """Dice overlap of character bigrams between the need's industry and the target's fields."""
    a = _bigrams(industry or "")
    b = fit_text if isinstance(fit_text, set) else _bigrams(fit_text)
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def text_scores(corpus: Corpus, query: Query, cfg: RankingConfig) -> dict[int, tuple[float, float]]:
    """(dense cosine, BM25 / max BM25) of the candidate rows: the dense top-N, joined by the
    BM25 top-N when BM25 has a weight (else BM25 is normalised over the candidates)."""
    n = len(corpus.ids)
    if not n:
        return {}
    k = min(cfg.candidates, n)
    _, ids = corpus.ann.search(query.vector[None, :], k)
    cand = {corpus.pos[int(i)] for i in ids[0] if i >= 0}
    if cfg.bm25_weight:  # BM25 ranks too: its top-N join the candidates
        bm = corpus.bm25.scores(query.tokens)
        if bm.any():
            cand.update(np.argpartition(-bm, k - 1)[:k].tolist())
        rows = np.fromiter(cand, dtype=np.int64)
        bm_rows = bm[rows]
    else:  # BM25 only explains: score the dense candidates alone
        rows = np.fromiter(cand, dtype=np.int64)
        bm_rows = corpus.bm25.scores(query.tokens, rows)
    top = max(float(bm_rows.max()), 1e-9) if len(rows) else 1.0
    dense = corpus.vectors[rows] @ query.vector
    return {
        int(r): (float(d), float(b / top)) for r, d, b in zip(rows, dense, bm_rows, strict=True)
    }


def _priors(corpus: Corpus, row: int, query: Query) -> dict[str, float]:
    city = corpus.cities[row]
    same = bool(query.city and city and normalize(query.city) == normalize(city))
    return {
        "city": 1.0 if same else 0.0,
        "industry_fit": industry_fit(query.industry, corpus.fit_bigrams[row]),
    }


def _matched(query: Query, tokens: list[str]) -> list[str]:
    have = set(tokens)
    return [k for k in query.keywords if k in have]


def rank_experts(query: Query, experts: Corpus, cfg: RankingConfig, top_k: int) -> list[Scored]:
    """Experts by fused dense + BM25 score plus priors."""
    out = []
    for row, (dense, bm) in text_scores(experts, query, cfg).items():
        comp = {"dense": dense, "bm25": bm} | _priors(experts, row, query)
        fused = cfg.dense_weight * dense + cfg.bm25_weight * bm
        fused += cfg.city_weight * comp["city"] + cfg.industry_weight * comp["industry_fit"]
        comp["fused"] = fused
        out.append(Scored(int(experts.ids[row]), fused, comp, _matched(query, experts.tokens[row])))
    out.sort(key=lambda s: (-s.score, s.id))
    return out[:top_k]


def rank_societies(
    query: Query,
    societies: Corpus,
    experts: Corpus,
    evidence: SocietyEvidence,
    capacity_share: dict[int, float],
    cfg: RankingConfig,
    top_k: int,
    expert_names: dict[int, str] | None = None,
) -> list[Scored]:
    """Societies by the z-score fusion of their document and member-expert channels (see
    ``RankingConfig``), plus priors; each result explains itself."""
    n = len(societies.ids)
    if not n:
        return []
    expert_dense = experts.vectors @ query.vector if len(experts.ids) else np.zeros(0)
    raw = evidence.channels(
        query_chars=char_bigrams(query.text),
        query_words=query.tokens,
        query_vector=query.vector,
        society_vectors=societies.vectors,
        expert_dense=expert_dense,
        top_m=cfg.society_top_m,
    )
    weights = cfg.channel_weights()
    total = sum(weights.values()) or 1.0
    fused = sum(w * zscore(raw[c]) for c, w in weights.items() if w) / total
    priors = [_priors(societies, row, query) for row in range(n)]
    sids = societies.ids.tolist()
    capacity = np.array([capacity_share.get(int(sid), 1.0) for sid in sids])
    fused = (
        fused
        + cfg.capacity_weight * capacity
        + np.array(
            [cfg.city_weight * p["city"] + cfg.industry_weight * p["industry_fit"] for p in priors]
        )
    )
    order = sorted(range(n), key=lambda r: (-fused[r], sids[r]))[:top_k]
    names = expert_names or {}
    out = []
    for row in order:
        comp = {c: round(float(raw[c][row]), 4) for c in raw} | priors[row]
        comp["capacity"] = float(capacity[row])
        comp["fused"] = float(fused[row])
        members = evidence.members[row]
        best = members[np.argsort(-expert_dense[members])[: cfg.top_experts_shown]]
        comp["top_experts"] = [
            {
                "id": int(experts.ids[e]),
                "name": names.get(int(experts.ids[e]), ""),
                "score": round(float(expert_dense[e]), 4),
            }
            for e in best
        ]
        out.append(
            Scored(int(sids[row]), float(fused[row]), comp, _matched(query, societies.tokens[row]))
        )
    return out
