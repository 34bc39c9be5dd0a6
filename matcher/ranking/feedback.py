"""Outcome priors: how similar a need is to the needs each society served well, and to those
it declined — per need, the best match among them, never a society-wide centroid.

``served``: per society, ``near(rating / 5 · cosine)`` of the need it served that is most
similar; ``declined``: ``near(cosine)`` of the most similar need it declined, where
``near(x) = max(0, (x − threshold) / (1 − threshold))`` — only needs more similar than the
threshold count (a decline demotes a society for near-duplicates of what it declined, not
for its whole field). Both are zero for a society without outcomes. The hand-set recipe
weighs both (``RankingConfig``); a fitted store keeps the ``declined`` weight (rescaled) and
gives ``served`` none, as its needs are members of their society by then
(``matcher.matching.fusion_fit.NO_SERVED_WEIGHT``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

THRESHOLDS = {"served": 0.0, "declined": 0.5}
"""Default similarity thresholds (character 1–2-gram cosine) of the two priors."""
DECLINED_THRESHOLD = THRESHOLDS["declined"]


def max_per_row(values: np.ndarray, rows: np.ndarray, n_rows: int) -> np.ndarray:
    """``values`` (queries × items), each item owned by ``rows[item]`` → the per-row maximum
    over its items (n_rows × queries; zero for a row owning none)."""
    out = np.zeros((n_rows, values.shape[0]))
    if not len(rows):
        return out
    order = np.argsort(rows, kind="stable")
    owner = np.asarray(rows)[order]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    out[owner[starts]] = np.maximum.reduceat(values[:, order].T, starts, axis=0)
    return out


def near(similarity: np.ndarray, threshold: float) -> np.ndarray:
    """``max(0, (similarity − threshold) / (1 − threshold))``."""
    return np.clip((np.asarray(similarity) - threshold) / (1 - threshold), 0, None)


def outcome_priors(
    similarity_served: np.ndarray,
    served_rows: np.ndarray,
    served_weights: np.ndarray,
    similarity_declined: np.ndarray,
    declined_rows: np.ndarray,
    n_societies: int,
    thresholds: Mapping[str, float] = THRESHOLDS,
) -> dict[str, np.ndarray]:
    """The ``served`` and ``declined`` priors (societies × queries) from the cosines of the
    queries with the served needs (queries × served) and the declined ones."""
    weighted = np.asarray(similarity_served) * np.asarray(served_weights)[None, :]
    return {
        "served": max_per_row(near(weighted, thresholds["served"]), served_rows, n_societies),
        "declined": max_per_row(
            near(similarity_declined, thresholds["declined"]), declined_rows, n_societies
        ),
    }
