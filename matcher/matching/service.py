"""The matching engine as the store sees it, in three concerns:

- ``matcher.matching.runtime``: what a process loads once (segmenter, encoder, current index);
- ``matcher.matching.lifecycle``: building, refreshing and loading index versions;
- ``matcher.matching.results``: ranking needs and storing their results.

This module re-exports their public names for callers that import the service as a whole.
"""

from __future__ import annotations

from matcher.matching.lifecycle import IndexStatus, ensure_indexes, ready
from matcher.matching.results import (
    NEEDS_DETAIL_FLOOR,
    SEEKING,
    Ranked,
    external_id_of,
    get_matches,
    match_need,
    match_open_needs,
    rank_needs,
    rank_queries,
    rerank,
    rerank_stale,
    store_ranked,
    target_names,
    too_vague,
)
from matcher.matching.runtime import MatchingRuntime

__all__ = [
    "NEEDS_DETAIL_FLOOR",
    "SEEKING",
    "IndexStatus",
    "MatchingRuntime",
    "Ranked",
    "ensure_indexes",
    "external_id_of",
    "get_matches",
    "match_need",
    "match_open_needs",
    "rank_needs",
    "rank_queries",
    "ready",
    "rerank",
    "rerank_stale",
    "store_ranked",
    "target_names",
    "too_vague",
]
