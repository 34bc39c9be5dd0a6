"""The hand-set ranking recipe: the fallback when a store is too small to fit the fusion on
its own labelled profiles (``matcher.matching.fusion_fit``), plus what is never fitted
(candidate counts, expert fusion, how many experts an explanation shows)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RankingConfig:
    """Societies: every channel is scored over all societies and standardised per query
    (z-score); the fallback fusion is ``temperature · Σ w_c·z_c / Σ w_c`` over the channels
    char12_doc, char_doc, char_centroid, word_doc, char_experts, dense_doc, dense_experts
    (``*_experts`` = mean of the ``society_top_m`` best member experts; ``char_centroid`` =
    mean of the members' and the description's unit vectors) plus the priors
    ``city_weight·same_city + industry_weight·industry_fit + discipline_weight·discipline_fit``
    (also × temperature). Capacity
    does not change a score (it is the assignment's constraint); it is shown as a detail.

    ``char12_doc`` (character 1–2-grams, one document per society) is the strongest simple
    baseline on its own; the fallback recipe averages it with the centroid and word channels
    and gives the dense channel a small weight. Stores with enough labelled experts replace
    these weights by fitted ones (``matcher.ranking.fusion``).

    Experts: ``dense_weight·cosine + bm25_weight·bm25/max(bm25)`` plus the same city and
    industry priors (dense alone ranked experts best on CSL, so BM25 only explains)."""

    char12_doc_weight: float = 1.0
    char_doc_weight: float = 0.0
    char_centroid_weight: float = 1.0
    word_doc_weight: float = 1.0
    char_experts_weight: float = 1.0
    dense_doc_weight: float = 0.5
    dense_experts_weight: float = 0.0
    society_top_m: int = 5
    dense_weight: float = 1.0
    bm25_weight: float = 0.0
    candidates: int = 200
    city_weight: float = 0.1
    industry_weight: float = 0.2
    served_weight: float = 1.0
    """Best rating-weighted cosine with a need the society served well (rating ≥ 4):
    learning from outcomes (``matcher.ranking.feedback``, ``matcher.matching.outcomes``).
    Fitted stores set it to 0 (``fusion_fit.NO_SERVED_WEIGHT``: it did not help in
    ``scripts/benchmark_quality.py --feedback``)."""
    declined_weight: float = -1.0
    """…and near-duplicate similarity to a need it declined, answered "not suitable" or
    served poorly (zero below ``feedback.DECLINED_THRESHOLD``; fitted stores keep it, rescaled)."""
    discipline_weight: float = 1.0
    """The stated 学科分类 naming a society's discipline: a strong hint (pseudo-needs carry
    none, so it is never fitted; CSL with hints: ``scripts/benchmark_quality.py --hints``)."""
    top_experts_shown: int = 3
    temperature: float = 1.5
    """Scale of the default fused z-score before the softmax (fitted stores learn theirs;
    1.5 is the sum of the channel weights they typically learn)."""

    def channel_weights(self) -> dict[str, float]:
        return {
            "char12_doc": self.char12_doc_weight,
            "char_doc": self.char_doc_weight,
            "char_centroid": self.char_centroid_weight,
            "word_doc": self.word_doc_weight,
            "char_experts": self.char_experts_weight,
            "dense_doc": self.dense_doc_weight,
            "dense_experts": self.dense_experts_weight,
        }
