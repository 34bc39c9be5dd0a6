"""Fitting the fusion on a store's labelled experts (held-out folds as pseudo-needs)."""

from __future__ import annotations

import random

import pytest

from matcher.matching.fusion_fit import MIN_LABELLED, fit_store_fusion
from matcher.matching.profiles import Row
from matcher.ranking.config import RankingConfig
from matcher.ranking.fusion import CHANNEL_FEATURES, Fusion
from matcher.text.segmenter import Segmenter

TOPICS = ("数控机床主轴精度齿轮轴承热变形", "催化剂加氢反应器分离寿命", "水库大坝渗流灌溉节水监测")


def _store(per_society: int):
    rng = random.Random(1)
    societies = [Row(i + 1, f"S{i}", f"学会{i}", t[:4], None, t[:4]) for i, t in enumerate(TOPICS)]
    experts, members = [], {}
    for s, topic in enumerate(TOPICS):
        for i in range(per_society):
            eid = 100 * (s + 1) + i
            text = "".join(rng.choice(topic) for _ in range(30))
            experts.append(Row(eid, f"X{eid}", f"专家{eid}", text, None, ""))
            members[eid] = [s + 1]
    return experts, societies, members


def _inputs(per_society: int) -> dict:
    seg = Segmenter(None)
    experts, societies, members = _store(per_society)
    return dict(
        experts=experts,
        societies=societies,
        memberships=members,
        e_tokens=seg.tokens_many([r.text for r in experts]),
        s_tokens=seg.tokens_many([r.text for r in societies]),
        segmenter=seg,
        encoder=None,
        embedded=True,
        cfg=RankingConfig(),
    )


def _fit(per_society: int):
    return fit_store_fusion(**_inputs(per_society))


def test_a_fit_started_aside_equals_the_fit_in_line_and_raises_its_errors():
    """A build from scratch fits the fusion in a thread while it builds the indexes."""
    from matcher.matching.lifecycle import _aside

    aside = _aside(fit_store_fusion, **_inputs(25))
    got, want = aside.result(), _fit(25)
    assert got.fusion.to_dict() == want.fusion.to_dict()
    assert got.experts.to_dict() == want.experts.to_dict() and got.labelled == want.labelled
    broken = _aside(fit_store_fusion, **{**_inputs(25), "memberships": None})
    with pytest.raises(AttributeError):
        broken.result()


def test_a_store_with_enough_labelled_experts_gets_fitted_weights():
    got = _fit(25)
    assert got.labelled == 75 >= MIN_LABELLED
    assert got.fusion.source == "fitted" and got.fusion.trained_on == 150  # full + short
    assert got.fusion.fit_accuracy > 0.8  # three well separated topics
    assert max(got.fusion.weights, key=got.fusion.weights.get) != "city"
    assert got.experts.source == "fitted" and got.experts.slope > 0
    assert got.fusion.weights["served"] == 0.0  # served needs are members instead
    # pseudo-needs never decline: the hand-set demotion, rescaled to the fitted channels
    channels = sum(max(got.fusion.weights[c], 0.0) for c in CHANNEL_FEATURES)
    default = Fusion.default(RankingConfig())
    expected = (
        default.weights["declined"] * channels / sum(default.weights[c] for c in CHANNEL_FEATURES)
    )
    assert expected < 0 and got.fusion.weights["declined"] == pytest.approx(expected)


def test_a_small_store_keeps_the_default_recipe():
    got = _fit(5)
    assert got.labelled == 15 and got.fusion.source == "default"
    assert got.experts.source == "default"


def test_pseudo_needs_scored_in_blocks_give_the_same_fit(monkeypatch):
    from matcher.matching import fusion_fit

    whole = _fit(25)
    monkeypatch.setattr(fusion_fit, "QUERY_BLOCK", 7)
    blocks = _fit(25)
    # the same up to the last bits a matrix product of another shape may round differently
    assert blocks.fusion.weights == pytest.approx(whole.fusion.weights, rel=1e-6)
    assert blocks.fusion.calibration_y == pytest.approx(whole.fusion.calibration_y, rel=1e-6)
    assert blocks.experts.slope == pytest.approx(whole.experts.slope, rel=1e-6)
    assert blocks.experts.intercept == pytest.approx(whole.experts.intercept, rel=1e-6)
