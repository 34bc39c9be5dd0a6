"""Outcome priors: best match per society, declines only for near-duplicates."""

from __future__ import annotations

import numpy as np

from matcher.ranking.feedback import DECLINED_THRESHOLD, max_per_row, outcome_priors


def test_max_per_row_takes_each_societys_best_item_and_zero_without_items():
    values = np.array([[0.1, 0.5, 0.3], [0.2, 0.1, 0.9]])  # 2 queries × 3 items
    got = max_per_row(values, np.array([2, 0, 2]), 4)
    assert got.tolist() == [[0.5, 0.1], [0.0, 0.0], [0.3, 0.9], [0.0, 0.0]]
    assert max_per_row(np.zeros((2, 0)), np.array([], int), 3).tolist() == [[0, 0]] * 3


def test_served_is_weighted_by_rating_and_declined_counts_only_above_the_threshold():
    served_sim = np.array([[0.8, 0.8]])  # one query; two served needs of societies 0 and 1
    declined_sim = np.array([[1.0, DECLINED_THRESHOLD - 0.01]])  # declined by 0 and by 2
    got = outcome_priors(
        served_sim, np.array([0, 1]), np.array([1.0, 0.8]), declined_sim, np.array([0, 2]), 3
    )
    assert np.allclose(got["served"][:, 0], [0.8, 0.64, 0.0])
    assert np.allclose(got["declined"][:, 0], [1.0, 0.0, 0.0])  # 2's decline is not similar
