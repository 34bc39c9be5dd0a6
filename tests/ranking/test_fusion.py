"""The fitted fusion: softmax weights, isotonic calibration, defaults, and the store fit."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.ranking.config import RankingConfig
from matcher.ranking.fusion import (
    FEATURES,
    ExpertCalibration,
    Fusion,
    fit_calibration,
    fit_fusion,
    fit_weights,
    softmax,
)


def _planted(n_soc=8, n_q=1500, seed=0):
    """Queries whose right society is drawn from a softmax of known weights."""
    rng = np.random.default_rng(seed)
    w = np.array([2.0, -1.0, 0.0, 0.5])
    x = rng.normal(size=(n_soc, n_q, len(w)))
    p = softmax(x @ w)
    truth = np.array([rng.choice(n_soc, p=p[:, j]) for j in range(n_q)])
    return x, truth, w


def test_fit_weights_recovers_planted_weights():
    x, truth, w = _planted()
    got = fit_weights(x, truth, l2=0.1)
    assert np.allclose(got, w, atol=0.25)
    assert np.sign(got[:2]).tolist() == [1, -1]


def test_calibration_is_monotone_and_matches_frequencies():
    rng = np.random.default_rng(1)
    p = rng.random(20_000)
    right = rng.random(20_000) < p**2  # the model is overconfident
    xs, ys = fit_calibration(p, right)
    assert xs[0] == 0.0 and xs[-1] == 1.0 and np.all(np.diff(ys) >= 0)
    assert np.interp(0.5, xs, ys) == pytest.approx(0.25, abs=0.05)
    assert np.interp(0.9, xs, ys) == pytest.approx(0.81, abs=0.05)


def test_fit_fusion_keeps_default_weight_for_a_feature_that_never_varies():
    n_soc, n_q = 6, 600
    rng = np.random.default_rng(2)
    features = np.zeros((n_soc, n_q, len(FEATURES)))
    features[..., 0] = rng.normal(size=(n_soc, n_q))  # char12_doc decides
    truth = features[..., 0].argmax(axis=0)
    defaults = Fusion.default(RankingConfig())
    fused = fit_fusion(
        features, truth, defaults=defaults, calibrate_on=rng.random(n_q) < 0.3, encoder="m"
    )
    assert fused.source == "fitted" and fused.trained_on == n_q and fused.encoder == "m"
    assert fused.weights["char12_doc"] > 2
    assert fused.weights["city"] > 0  # not learnable here: the default, rescaled
    assert fused.fit_accuracy == 1.0
    back = Fusion.from_dict(fused.to_dict())
    assert back == fused
    probs = back.probabilities(back.fused(features[:, :5]))
    scores = back.calibrated(probs)
    assert np.all((scores >= 0) & (scores <= 100))
    order = np.argsort(-back.fused(features[:, :5]), axis=0)
    ranked_scores = np.take_along_axis(scores, order, axis=0)
    assert np.all(np.diff(ranked_scores, axis=0) <= 1e-9)  # monotone in rank


def test_expert_calibration_fits_a_rising_curve():
    rng = np.random.default_rng(3)
    fused = rng.random(5000)
    right = rng.random(5000) < fused
    cal = ExpertCalibration.fit(fused, right)
    assert cal.source == "fitted" and cal.slope > 0
    assert cal.score(np.array([0.1]))[0] < 30 < 70 < cal.score(np.array([0.9]))[0]


@pytest.mark.parametrize(("n_soc", "n_q"), [(67, 1), (67, 5), (300, 1), (300, 64), (1, 3), (9, 2)])
def test_design_z_scores_channels_together_as_one_at_a_time_bit_for_bit(n_soc, n_q):
    """``design``'s one z-scoring of every channel gives the tensor of the plain form (each
    channel alone, stacked), to the last bit: float32 channels, one missing, priors given
    as bools, float32 and float64, one missing."""
    from matcher.ranking.fusion import CHANNEL_FEATURES, PRIOR_FEATURES, design, zscore

    rng = np.random.default_rng(n_soc * 100 + n_q)
    raw = {
        c: (rng.random((n_soc, n_q)) ** (1 + i)).astype(np.float32)
        for i, c in enumerate(CHANNEL_FEATURES)
        if c != "char_centroid"
    }
    priors = {
        "city": rng.random((n_soc, n_q)) < 0.3,
        "industry_fit": rng.random((n_soc, n_q)).astype(np.float32),
        "served": rng.random((n_soc, n_q)),
    }
    zeros = np.zeros((n_soc, n_q))
    cols = [zscore(raw[c]) if c in raw else zeros for c in CHANNEL_FEATURES]
    cols += [np.asarray(priors.get(p, zeros), np.float64) for p in PRIOR_FEATURES]
    want = np.stack(cols, axis=-1)
    got = design(raw, priors)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want)
    weights = Fusion.default().vector()
    assert np.array_equal(Fusion.default().fused(got), want @ weights)
