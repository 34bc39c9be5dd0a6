"""FAISS inner-product index with id mapping: exact (IndexFlatIP in IndexIDMap2) for small
collections, IVF (nprobe tuned to ≥0.95 recall@10 against exact) above a threshold."""

from __future__ import annotations

import faiss
import numpy as np

RECALL_TARGET = 0.97
THREADS = faiss.omp_get_max_threads()
REBUILD_SHARE = 0.1
"""An approximate index is trained again when more than this share of its rows changed."""


class VectorIndex:
    def __init__(self, index: faiss.Index, approximate: bool) -> None:
        self.index = index
        self.approximate = approximate

    @classmethod
    def build(
        cls, ids: np.ndarray, vectors: np.ndarray, *, ann_threshold: int, seed: int = 0
    ) -> VectorIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.asarray(ids, dtype=np.int64)
        n, dim = vectors.shape
        if n <= ann_threshold or n < 200:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
            index.add_with_ids(vectors, ids)
            return cls(index, False)
        nlist = int(min(max(4 * np.sqrt(n), 8), n // 39))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(seed)
        sample = vectors[rng.choice(n, size=min(n, 64 * nlist), replace=False)]
        index.train(sample)
        index.add_with_ids(vectors, ids)
        out = cls(index, True)
        out.tune(vectors, ids, seed=seed)
        return out

    def updated(
        self,
        old_ids: np.ndarray,
        old_vectors: np.ndarray,
        ids: np.ndarray,
        vectors: np.ndarray,
        ann_threshold: int,
    ) -> VectorIndex:
        """The index of (``ids``, ``vectors``), given that this one holds (``old_ids``,
        ``old_vectors``): an approximate index keeps its trained clusters and only removes and
        adds the rows that changed; anything else (exact, a switch of kind, more than
        ``REBUILD_SHARE`` changed) is built anew."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.asarray(ids, dtype=np.int64)
        approximate = not (len(ids) <= ann_threshold or len(ids) < 200)
        if not (self.approximate and approximate and old_vectors.shape[1:] == vectors.shape[1:]):
            return VectorIndex.build(ids, vectors, ann_threshold=ann_threshold)
        _, new_at, old_at = np.intersect1d(ids, old_ids, assume_unique=True, return_indices=True)
        same = np.all(vectors[new_at] == old_vectors[old_at], axis=1)
        keep_old = np.zeros(len(old_ids), bool)
        keep_old[old_at[same]] = True
        add = np.ones(len(ids), bool)
        add[new_at[same]] = False
        if (~keep_old).sum() + add.sum() > REBUILD_SHARE * len(ids):
            return VectorIndex.build(ids, vectors, ann_threshold=ann_threshold)
        index = faiss.clone_index(self.index)
        index.nprobe = self.index.nprobe
        if not keep_old.all():
            index.remove_ids(np.ascontiguousarray(old_ids[~keep_old], dtype=np.int64))
        if add.any():
            index.add_with_ids(vectors[add], ids[add])
        return VectorIndex(index, True)

    def tune(self, vectors: np.ndarray, ids: np.ndarray, *, seed: int = 0, k: int = 10) -> None:
        """Smallest power-of-two nprobe reaching the recall target on sampled queries."""
        rng = np.random.default_rng(seed)
        queries = vectors[rng.choice(len(vectors), size=min(200, len(vectors)), replace=False)]
        exact = faiss.IndexFlatIP(vectors.shape[1])
        exact.add(vectors)
        _, truth = exact.search(queries, k)
        truth_ids = ids[truth]
        nprobe = 1
        while True:
            self.index.nprobe = nprobe
            _, got = self.index.search(queries, k)
            hits = sum(len(set(a) & set(b)) for a, b in zip(got, truth_ids, strict=True))
            if hits / truth_ids.size >= RECALL_TARGET or nprobe >= self.index.nlist:
                return
            nprobe *= 2

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = max(1, min(k, self.index.ntotal))
        # one query: OpenMP start-up costs more than its search; a batch: every core
        faiss.omp_set_num_threads(1 if len(queries) == 1 else THREADS)
        return self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    def to_bytes(self) -> bytes:
        nprobe = int(self.index.nprobe) if self.approximate else 0
        return nprobe.to_bytes(4, "little") + faiss.serialize_index(self.index).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, approximate: bool) -> VectorIndex:
        index = faiss.deserialize_index(np.frombuffer(data[4:], dtype=np.uint8))
        if approximate:
            index.nprobe = int.from_bytes(data[:4], "little")
        return cls(index, approximate)
