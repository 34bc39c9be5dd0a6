"""Ids to dense integer codes (vectorised where the ids allow it)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.assignment.inputs import Id


def codes(
    values: np.ndarray | Sequence[Id | None], index: dict[Id, int], *, grow: bool
) -> np.ndarray:
    """The code of every value in ``index``; ``None`` and (unless ``grow``) unknown ids → -1.

    With ``grow`` unknown ids are appended to ``index`` in order of first appearance (sorted
    order for numeric and string arrays, which are factorised with ``np.unique``).
    """
    array = np.asarray(values) if not isinstance(values, np.ndarray) else values
    if len(array) == 0:
        return np.zeros(0, dtype=np.int64)
    if array.dtype.kind in "iuUS":
        uniques, inverse = np.unique(array, return_inverse=True)
        keys: list[Id | None] = uniques.tolist()
    else:
        local: dict[Id | None, int] = {}
        items = array.tolist()
        inverse = np.fromiter(
            (local.setdefault(v, len(local)) for v in items), dtype=np.int64, count=len(items)
        )
        keys = list(local)
    mapped = np.empty(len(keys), dtype=np.int64)
    for i, key in enumerate(keys):
        if key is None:
            mapped[i] = -1
        elif key in index:
            mapped[i] = index[key]
        elif grow:
            mapped[i] = index[key] = len(index)
        else:
            mapped[i] = -1
    return mapped[np.asarray(inverse).reshape(-1)]


def pair_keys(first: np.ndarray, second: np.ndarray, n_second: int) -> np.ndarray:
    """One int64 key per (first, second) code pair."""
    return first.astype(np.int64) * max(n_second, 1) + second.astype(np.int64)


def key_set(pairs: Sequence[tuple[int, int]], n_second: int) -> np.ndarray:
    """Keys of known code pairs (pairs with a -1 code are dropped)."""
    kept = [(a, b) for a, b in pairs if a >= 0 and b >= 0]
    if not kept:
        return np.zeros(0, dtype=np.int64)
    array = np.asarray(kept, dtype=np.int64)
    return pair_keys(array[:, 0], array[:, 1], n_second)


def lookup(values: np.ndarray, index: np.ndarray, missing: object) -> np.ndarray:
    """``values[index]``, with ``missing`` where ``index`` is -1."""
    out = np.full(len(index), missing, dtype=values.dtype)
    known = index >= 0
    out[known] = values[index[known]]
    return out


def unique_pairs(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (first, second) pairs of non-negative codes, sorted by first then second."""
    if not len(first):
        return first.astype(np.int64), second.astype(np.int64)
    n_second = int(second.max()) + 1
    keys = np.unique(pair_keys(first, second, n_second))
    return keys // n_second, keys % n_second
