"""How society channels become one score: a conditional-logit (softmax) model over the
per-query z-scores of the channels plus the priors, fitted on labelled pseudo-needs, and an
isotonic calibration of its probabilities, so that a score means the same for every need.

Plain numpy/scipy: features in, weights and calibration knots out (JSON-serialisable)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from matcher.ranking.config import RankingConfig
from matcher.ranking.feedback import THRESHOLDS

CHANNEL_FEATURES = (
    "char12_doc",
    "char_doc",
    "char_centroid",
    "word_doc",
    "char_experts",
    "dense_doc",
    "dense_experts",
)
PRIOR_FEATURES = ("city", "industry_fit", "discipline_fit", "served", "declined")
FEATURES = CHANNEL_FEATURES + PRIOR_FEATURES
L2 = 1.0
"""Ridge penalty of the softmax fit (per pseudo-need); 0.1–10 measured alike on CSL."""
KNOTS = 40
"""At most this many points are kept of the isotonic calibration curve."""


def zscore(values: np.ndarray, axis: int = 0) -> np.ndarray:
    """Per-query standardisation along ``axis`` (societies), so channels on different scales
    can be combined."""
    values = np.asarray(values, np.float64)
    if values.shape[axis] < 2:
        return np.zeros_like(values)
    mean = values.mean(axis=axis, keepdims=True)
    return (values - mean) / (values.std(axis=axis, keepdims=True) + 1e-9)


def design(raw: Mapping[str, np.ndarray], priors: Mapping[str, np.ndarray]) -> np.ndarray:
    """Feature tensor societies × queries × ``FEATURES``: z-scored channels, raw priors. The
    channels are z-scored together, one more axis in front (a few numpy calls, not a few per
    channel): each channel's sums run along the societies as ``zscore`` of it alone runs
    them, so the numbers are the same."""
    first = next(iter(raw.values()))
    out = np.zeros((*np.shape(first), len(FEATURES)))
    have = [i for i, c in enumerate(CHANNEL_FEATURES) if c in raw]
    if have:
        z = zscore(np.stack([np.asarray(raw[CHANNEL_FEATURES[i]]) for i in have]), axis=1)
        out[..., have] = np.moveaxis(z, 0, -1)
    for i, p in enumerate(PRIOR_FEATURES, start=len(CHANNEL_FEATURES)):
        if p in priors:
            out[..., i] = priors[p]
    return out


def softmax(scores: np.ndarray, axis: int = 0) -> np.ndarray:
    shifted = scores - scores.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


@dataclass
class Fusion:
    """Weights per feature and the calibration curve (probability → share right)."""

    weights: dict[str, float]
    calibration_x: list[float] = field(default_factory=lambda: [0.0, 1.0])
    calibration_y: list[float] = field(default_factory=lambda: [0.0, 1.0])
    source: str = "default"  # default | fitted
    trained_on: int = 0  # pseudo-needs
    fit_accuracy: float | None = None  # Acc@1 of the fit on its held-out pseudo-needs
    encoder: str = ""  # model id the weights were fitted with
    outcome_thresholds: dict[str, float] = field(default_factory=lambda: dict(THRESHOLDS))
    """Similarity thresholds of the ``served`` / ``declined`` priors (``ranking.feedback``)."""

    @classmethod
    def default(cls, cfg: RankingConfig | None = None) -> Fusion:
        """The hand-set recipe of ``RankingConfig`` (used below ``MIN_LABELLED``)."""
        cfg = cfg or RankingConfig()
        channel = cfg.channel_weights()
        total = sum(channel.values()) or 1.0
        weights = {c: channel.get(c, 0.0) / total * cfg.temperature for c in CHANNEL_FEATURES}
        weights |= {
            "city": cfg.city_weight * cfg.temperature,
            "industry_fit": cfg.industry_weight * cfg.temperature,
            "discipline_fit": cfg.discipline_weight * cfg.temperature,
            "served": cfg.served_weight * cfg.temperature,
            "declined": cfg.declined_weight * cfg.temperature,
        }
        return cls(weights)

    def vector(self) -> np.ndarray:
        return np.array([self.weights.get(f, 0.0) for f in FEATURES])

    def fused(self, features: np.ndarray) -> np.ndarray:
        """Linear scores (societies × queries) of a ``design`` tensor."""
        return features @ self.vector()

    def probabilities(self, fused: np.ndarray) -> np.ndarray:
        """The model's probability that each society is the right one, per query."""
        return softmax(fused, axis=0)

    def calibrated(self, probabilities: np.ndarray) -> np.ndarray:
        """Scores 0–100: the share of pseudo-needs at that probability whose society was
        right (piecewise linear through the isotonic curve, so monotone)."""
        return 100.0 * np.interp(probabilities, self.calibration_x, self.calibration_y)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> Fusion:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def fit_weights(
    features: np.ndarray, truth: np.ndarray, l2: float = L2, base: np.ndarray | None = None
) -> np.ndarray:
    """Maximum-likelihood softmax weights (L-BFGS, ridge ``l2``) for a societies × queries ×
    features tensor and the right society row of each query; ``base`` (societies × queries)
    are fixed scores the weighted features add to (none by default)."""
    from scipy.optimize import minimize  # fitting only: a reader never imports it

    _, n_q, n_f = features.shape
    cols = np.arange(n_q)
    right = features[truth, cols]  # queries × features
    fixed = 0.0 if base is None else base

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = features @ w + fixed
        s = s - s.max(axis=0)
        log_z = np.log(np.exp(s).sum(axis=0))
        p = np.exp(s - log_z)
        nll = -(s[truth, cols] - log_z).sum() + 0.5 * l2 * (w @ w)
        grad = -(right - np.einsum("sq,sqf->qf", p, features)).sum(axis=0) + l2 * w
        return nll / n_q, grad / n_q

    return minimize(loss, np.full(n_f, 0.1), jac=True, method="L-BFGS-B").x


def fit_calibration(probabilities: np.ndarray, right: np.ndarray) -> tuple[list, list]:
    """Isotonic map probability → share right, reduced to at most ``KNOTS`` points."""
    from scipy.optimize import isotonic_regression

    order = np.argsort(probabilities, kind="stable")
    x = probabilities[order]
    y = isotonic_regression(right[order].astype(np.float64)).x
    pick = np.unique(np.linspace(0, len(x) - 1, KNOTS).round().astype(int))
    xs, ys = [0.0, *x[pick].tolist(), 1.0], [0.0, *y[pick].tolist(), float(max(y[-1], 0.0))]
    ys = np.maximum.accumulate(np.asarray(ys)).tolist()
    return xs, ys


def fit_fusion(
    features: np.ndarray,
    truth: np.ndarray,
    *,
    defaults: Fusion,
    calibrate_on: np.ndarray,
    encoder: str = "",
) -> Fusion:
    """Fit weights on the pseudo-needs not in ``calibrate_on`` (a boolean mask over queries)
    and the calibration on those in it, then refit the weights on all. A feature that never
    varies (e.g. no pseudo-need has a city) keeps its default weight, rescaled."""
    varies = np.array([np.ptp(features[..., i]) > 1e-9 for i in range(len(FEATURES))])
    fit_part, cal_part = ~calibrate_on, calibrate_on
    w = np.zeros(len(FEATURES))
    w[varies] = fit_weights(features[:, fit_part][..., varies], truth[fit_part])
    probs = softmax(features[:, cal_part] @ w, axis=0)
    cal_truth = truth[cal_part]
    right = np.zeros_like(probs, dtype=bool)
    right[cal_truth, np.arange(len(cal_truth))] = True
    xs, ys = fit_calibration(probs.ravel(), right.ravel())
    accuracy = float((probs.argmax(axis=0) == cal_truth).mean())
    w[varies] = fit_weights(features[..., varies], truth)
    scale = w[: len(CHANNEL_FEATURES)].clip(min=0).sum() / max(
        sum(defaults.weights.get(c, 0.0) for c in CHANNEL_FEATURES), 1e-9
    )
    weights = {
        f: float(w[i]) if varies[i] else defaults.weights.get(f, 0.0) * scale
        for i, f in enumerate(FEATURES)
    }
    return Fusion(weights, xs, ys, "fitted", len(truth), accuracy, encoder)


@dataclass
class ExpertCalibration:
    """Platt scaling of the expert fusion: ``100·σ(slope·fused + intercept)`` is the share
    of experts at that score who belong to a right society (defaults: uncalibrated)."""

    slope: float = 8.0
    intercept: float = -4.0
    source: str = "default"

    def score(self, fused: np.ndarray) -> np.ndarray:
        return 100.0 / (1.0 + np.exp(-(self.slope * np.asarray(fused) + self.intercept)))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def fit(cls, fused: np.ndarray, right: np.ndarray) -> ExpertCalibration:
        """Maximum-likelihood slope and intercept (lightly regularised)."""
        from scipy.optimize import minimize

        x, y = np.asarray(fused, np.float64), np.asarray(right, np.float64)

        def loss(p: np.ndarray) -> tuple[float, np.ndarray]:
            z = p[0] * x + p[1]
            q = 1.0 / (1.0 + np.exp(-z))
            nll = np.logaddexp(0, z).sum() - (y * z).sum() + 1e-3 * p[0] ** 2
            g = q - y
            return nll / len(x), np.array([(g * x).sum() + 2e-3 * p[0], g.sum()]) / len(x)

        p = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B").x
        return cls(float(p[0]), float(p[1]), "fitted")
