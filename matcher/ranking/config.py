"""Every ranking weight, in one place. Defaults = the recipe in use; change them here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RankingConfig:
    """Fusion: ``fused = dense_weight·dense + bm25_weight·bm25/max(bm25)`` per target; for a
    society the text part is ``self_weight·own + experts_weight·mean(top-m member experts)``;
    then the priors are added: ``city_weight·same_city + industry_weight·industry_fit +
    capacity_weight·remaining_capacity_share``."""

    dense_weight: float = 0.5
    bm25_weight: float = 0.5
    candidates: int = 200
    society_self_weight: float = 0.5
    society_experts_weight: float = 0.5
    society_top_m: int = 3
    city_weight: float = 0.05
    industry_weight: float = 0.05
    capacity_weight: float = 0.05
    top_experts_shown: int = 3
