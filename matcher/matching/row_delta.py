"""Large row-aligned arrays of a patched version saved as a delta on a base: the files of the
version that holds the whole array are linked (they keep that version's digests), and only
the rows that changed since are written — ``{key}.delta.rows`` (per row: its row in the base,
or -1) and ``{key}.delta.*`` (the rows without one, in order). Reading gathers the base's
rows and fills in the others. A dense index of a patched version is the base's index
with the rows since removed and added (``experts.faiss.delta.*``), or, exact, built from
its vectors again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from matcher.embeddings.vector_index import IndexInfo, VectorIndex
from matcher.matching import persist
from matcher.text.counts import SPACES, take_rows

FAISS = "experts.faiss"
ROWS_OF = {
    "experts.vectors": "experts",
    "evidence.char_experts": "experts",
    **{f"counts.docs.{space}": "societies" for space in SPACES},
    FAISS: "experts",
}
"""The arrays a patched version may save as a delta, and whose rows they are: one edited
expert changes one expert row, and the documents of its societies."""


@dataclass
class RowBase:
    """Version ``name`` holds the array whole, or links the files of the one that does;
    ``rows[i]``: row ``i``'s row there, or -1. ``removed``: (the dense index only) ids the
    base's index holds that this one does not hold as base rows."""

    name: str
    rows: np.ndarray
    removed: np.ndarray | None = None


def follow(base: RowBase | None, src: np.ndarray | None, ids: np.ndarray | None = None):
    """The base of an array whose row ``i`` is row ``src[i]`` of one with ``base`` (-1: a
    new row); ``ids``: the ids of that one's rows (the dense index's ``removed``)."""
    if base is None or src is None or (len(src) and int(src.max()) >= len(base.rows)):
        return None
    rows = np.full(len(src), -1, np.int64)
    kept = src >= 0
    rows[kept] = base.rows[src[kept]]
    removed = None
    if ids is not None and base.removed is not None:
        carried = np.zeros(len(base.rows), bool)
        carried[src[kept & (rows >= 0)]] = True
        dropped = ids[(base.rows >= 0) & ~carried]
        removed = np.union1d(base.removed, dropped).astype(np.int64)
    return RowBase(base.name, rows, removed)


def whole(name: str, n: int, *, index: bool = False) -> RowBase:
    """The base of an array version ``name`` saved whole."""
    return RowBase(name, np.arange(n), np.zeros(0, np.int64) if index else None)


def base_files(version: persist.Version, key: str) -> list[str]:
    """The files of ``version`` holding the base of ``key``."""
    return [f for f in version.files if f.startswith(f"{key}.") and ".delta." not in f]


def put(arrays: dict, key: str, value, base: RowBase, *, whole: dict | None = None) -> None:
    """``{key}.delta.*``: the rows of ``value`` without a base row, and every row's (the
    whole array's entries taken out of ``whole``)."""
    for name in (key, *(f"{key}.{a}" for a in ("data", "indices", "indptr", "shape"))):
        (whole if whole is not None else {}).pop(name, None)
    new = np.flatnonzero(base.rows < 0)
    arrays[f"{key}.delta.rows"] = base.rows
    if sp.issparse(value):
        persist.put_sparse(arrays, f"{key}.delta", sp.csr_matrix(value)[new])
    else:
        arrays[f"{key}.delta.values"] = np.asarray(value)[new]


def get(arrays: dict, key: str, *, sparse: bool):
    """The array ``key`` from ``arrays`` (a version's), its delta applied when it has one."""
    base = persist.get_sparse(arrays, key) if sparse else arrays[key]
    rows = arrays.get(f"{key}.delta.rows")
    if rows is None:
        return base
    new = int((rows < 0).sum())
    if len(rows) and (int(rows.max()) >= base.shape[0] or int(rows.min()) < -1):
        raise persist.Refused(f"{key}.delta.rows: out of range")
    if sparse:
        fresh = persist.get_sparse(arrays, f"{key}.delta")
        if fresh.shape[0] != new or fresh.shape[1] < base.shape[1]:
            raise persist.Refused(f"{key}.delta: not its rows' shape")
        return take_rows(base, fresh, rows, fresh.shape[1])
    fresh = arrays[f"{key}.delta.values"]
    if fresh.shape != (new, *base.shape[1:]):
        raise persist.Refused(f"{key}.delta: not its rows' shape")
    out = np.take(base, np.maximum(rows, 0), axis=0)
    out[rows < 0] = fresh
    return out


def saved_bases(version: persist.Version, n_rows: dict[str, int]) -> dict[str, RowBase]:
    """The row bases of a loaded version's arrays (what a version patched from it links);
    ``n_rows``: its experts and societies."""
    out = {}
    for key, part in ROWS_OF.items():
        name = f"{key}.delta.rows.npy"
        if key.startswith("counts.docs.") and f"{key}.shape.npy" not in version.files:
            continue
        rows = version.array(name[:-4]) if name in version.files else np.arange(n_rows[part])
        removed = None
        if key == FAISS:
            gone = f"{key}.delta.removed"
            held = f"{gone}.npy" in version.files
            removed = np.asarray(version.array(gone) if held else np.zeros(0), np.int64)
        out[key] = RowBase(version.name, np.asarray(rows, np.int64), removed)
    return out


class IndexSettings:
    """What a patched version saves of its dense index (``save``, as ``VectorIndex.save``
    does): its settings alone — the index is the base's with the rows since removed and
    added (``index_of``)."""

    def __init__(self, ann: VectorIndex) -> None:
        self.ann = ann

    def save(self, path: Path) -> list[Path]:
        return [self.ann.save_settings(path)]


def put_index(arrays: dict, base: RowBase) -> None:
    """Which rows the base's dense index lacks and which of its ids to remove."""
    arrays[f"{FAISS}.delta.rows"] = base.rows
    arrays[f"{FAISS}.delta.removed"] = base.removed


def index_of(version: persist.Version, ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
    """The dense index of a patched version: exact ones are built from the vectors (as a
    refresh does), approximate ones are the base's with the rows since removed and added."""
    info = IndexInfo(**json.loads(version.path(f"{FAISS}.json").read_text("utf-8")))
    if info.kind == "flat":
        return VectorIndex.build(ids, vectors, ann_threshold=max(len(ids), 1))
    ann = VectorIndex.load(version.path(FAISS))
    rows = version.array(f"{FAISS}.delta.rows")
    removed = version.array(f"{FAISS}.delta.removed")
    if len(rows) != len(ids):
        raise persist.Refused(f"{FAISS}.delta.rows: not one per row")
    if len(removed):
        ann.index.remove_ids(np.ascontiguousarray(removed, np.int64))
    new = np.flatnonzero(rows < 0)
    if len(new):
        ann.index.add_with_ids(np.ascontiguousarray(vectors[new], np.float32), ids[new])
    if ann.index.ntotal != len(ids):
        raise persist.Refused(f"{FAISS}: not one vector per row after its delta")
    ann.info = info
    if info.kind == "ivfpq":
        ann.attach(ids, vectors)
    return ann
