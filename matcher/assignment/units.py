"""The integer unit every solver counts in, and the stand-in for "no limit"."""

from __future__ import annotations

import numpy as np

SCALE = 1000
"""Scores are optimised in integer units of 1/SCALE (flow, MIP and greedy alike)."""
UNLIMITED = 1 << 40
"""Room of a resource without a limit (far above any count of edges)."""


def to_units(scores: np.ndarray | float) -> np.ndarray:
    """Scores as integer units: ``round(score * SCALE)``."""
    return np.rint(np.asarray(scores, dtype=np.float64) * SCALE).astype(np.int64)


def to_score(units: int | np.integer) -> float:
    """Units back to a score, rounded to the unit."""
    return round(int(units) / SCALE, 3)
