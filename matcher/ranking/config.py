"""Every ranking weight, in one place. Defaults = the recipe measured on the CSL benchmark
(``scripts/benchmark_quality.py``); change them here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RankingConfig:
    """Societies: every channel is scored over all societies and standardised per query
    (z-score); ``fused = Σ w_c·z_c / Σ w_c`` over the channels char_doc, char_centroid,
    word_doc, char_experts, dense_doc, dense_experts (``*_experts`` = mean of the
    ``society_top_m`` best member experts; ``char_centroid`` = mean of the members' and the
    description's unit vectors); then the priors are added in z units:
    ``city_weight·same_city + industry_weight·industry_fit + capacity_weight·capacity_share``.

    Measured on CSL (5-fold, society Acc@1 abstract / title needs): the five channels at
    weight 1 scored 0.491 / 0.403. The char centroid alone scores 0.511 / 0.415, the best
    single channel (one document per society: 0.472 / 0.378, as long profiles dominate it),
    and it makes char_doc redundant (weight 0). The dense channels add nothing on CSL, where
    needs and profiles share their wording (dense_experts duplicates dense_doc: weight 0);
    dense_doc keeps a small weight for needs phrased unlike any profile. These weights:
    0.516 / 0.432, better in every fold.

    Experts: ``dense_weight·cosine + bm25_weight·bm25/max(bm25)`` plus the same city and
    industry priors (dense alone ranked experts best on CSL, so BM25 only explains)."""

    char_doc_weight: float = 0.0
    char_centroid_weight: float = 2.0
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
    capacity_weight: float = 0.1
    top_experts_shown: int = 3

    def channel_weights(self) -> dict[str, float]:
        return {
            "char_doc": self.char_doc_weight,
            "char_centroid": self.char_centroid_weight,
            "word_doc": self.word_doc_weight,
            "char_experts": self.char_experts_weight,
            "dense_doc": self.dense_doc_weight,
            "dense_experts": self.dense_experts_weight,
        }
