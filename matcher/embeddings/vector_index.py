"""FAISS inner-product index with id mapping, and its files.

Exact (``IndexFlatIP`` in ``IndexIDMap2``) for small collections; IVF above a threshold, with
``nprobe`` tuned on held-out queries that look like the real ones (the builder passes one
sentence of each of a sample of the texts, encoded as a query: ``need_like_texts``) to reach
``RECALL_TARGET`` recall@10 against exact search; IVF-PQ (compressed, re-ranked exactly on
the caller's vectors) above a second threshold. In-place updates (changed rows out and in) keep
the trained clusters until the rows changed since training pass ``REBUILD_SHARE``; then the
index is trained again. Saved with ``faiss.write_index`` plus a small JSON of its settings.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

RECALL_TARGET = 0.97
"""Tuned on held-out queries; the benchmark checks ≥ 0.95 on other held-out queries (the
stored needs): the margin covers the sampling error of ``TUNING_QUERIES`` queries."""
TUNING_QUERIES = 500
"""How many held-out queries ``nprobe`` is tuned on."""
THREADS = faiss.omp_get_max_threads()
_held = threading.local()  # a thread's own FAISS thread count (``omp_threads``)


def _threads() -> int:
    return getattr(_held, "threads", THREADS)


@contextmanager
def omp_threads(n: int) -> Iterator[None]:
    """FAISS searches and trains with ``n`` OpenMP threads inside (in the calling thread
    only): a build beside another busy thread (the fusion fit) trains on one core, as two
    OpenMP threads sharing a core with it wait on each other (at 100,000 experts, IVF
    training and tuning took 11 s of CPU with two threads, 7 with one; the same index)."""
    before = getattr(_held, "threads", None)
    _held.threads = n
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        if before is None:
            del _held.threads
        else:
            _held.threads = before
        faiss.omp_set_num_threads(_threads())


REBUILD_SHARE = 0.1
"""An approximate index is trained again when the rows changed in place since it was
trained (removed + added, cumulated over updates) pass this share of its rows."""
PQ_REFINE = 10
"""A compressed index fetches this many times ``k`` candidates, re-ranked exactly."""
REFINE_BLOCK = 1 << 24
"""Candidate vector values a compressed search gathers at once to re-rank (64 MiB: a batch of
512 needs' 2,000 candidates each, gathered together, would take 1 GiB)."""


Queries = np.ndarray | Callable[[], np.ndarray] | None
"""Held-out tuning queries, or a function making them (called only when an approximate index
is trained: a refresh that keeps its clusters does not encode them)."""


@dataclass
class IndexInfo:
    """What the FAISS file does not hold: kind, tuned nprobe, changes since training."""

    kind: str = "flat"  # flat | ivf | ivfpq
    nprobe: int = 0
    changed: int = 0
    trained_rows: int = 0
    tuned_recall: float | None = None


class VectorIndex:
    def __init__(self, index: faiss.Index, info: IndexInfo, path: Path | None = None) -> None:
        self.index = index
        self.info = info
        self.mapped_from = path  # the file a memory-mapped index reads its lists from
        self.refine: np.ndarray | None = None  # ivfpq: the exact vectors, row order of ids
        self.refine_ids: np.ndarray | None = None
        self.in_place = False  # ``updated`` from a previous index (not built anew)

    @property
    def approximate(self) -> bool:
        return self.info.kind != "flat"

    @classmethod
    def build(
        cls,
        ids: np.ndarray,
        vectors: np.ndarray,
        *,
        ann_threshold: int,
        compress_threshold: int | None = None,
        queries: Queries = None,
        seed: int = 0,
    ) -> VectorIndex:
        """``queries``: held-out query vectors to tune ``nprobe`` on (default: midpoints of
        random pairs of rows — not rows themselves, but nearer the data than real queries:
        they under-estimate the ``nprobe`` real queries need)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.asarray(ids, dtype=np.int64)
        n, dim = vectors.shape
        if n <= ann_threshold or n < 200:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
            index.add_with_ids(vectors, ids)
            return cls(index, IndexInfo("flat", 0, 0, n))
        nlist = int(min(max(4 * np.sqrt(n), 8), n // 39))
        quantizer = faiss.IndexFlatIP(dim)
        compressed = compress_threshold is not None and n > compress_threshold and dim % 4 == 0
        if compressed:
            index = faiss.IndexIVFPQ(quantizer, dim, nlist, dim // 4, 8, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(seed)
        sample = gathered(vectors, rng.choice(n, size=min(n, 64 * nlist), replace=False))
        faiss.omp_set_num_threads(_threads())  # (not a one-query search's 1 left over)
        index.train(sample)
        index.add_with_ids(vectors, ids)
        out = cls(index, IndexInfo("ivfpq" if compressed else "ivf", 1, 0, n))
        if compressed:
            out.attach(ids, vectors)
        queries = queries() if callable(queries) else queries
        if queries is None or not len(queries):
            queries = held_out_queries(vectors, rng)
        out.tune(vectors, ids, queries)
        return out

    def attach(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """The exact vectors a compressed index re-ranks its candidates with."""
        self.refine_ids = np.asarray(ids, np.int64)
        self.refine = vectors

    def updated(
        self,
        old_ids: np.ndarray,
        old_vectors: np.ndarray,
        ids: np.ndarray,
        vectors: np.ndarray,
        *,
        ann_threshold: int,
        compress_threshold: int | None = None,
        queries: Queries = None,
    ) -> VectorIndex:
        """The index of (``ids``, ``vectors``), given that this one holds (``old_ids``,
        ``old_vectors``): an approximate index keeps its trained clusters and only removes and
        adds the rows that changed; anything else (exact, a switch of kind, changes since
        training past ``REBUILD_SHARE``) is built anew."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.asarray(ids, dtype=np.int64)
        rebuild = dict(
            ann_threshold=ann_threshold, compress_threshold=compress_threshold, queries=queries
        )
        fresh = VectorIndex.kind_for(len(ids), vectors.shape[1], ann_threshold, compress_threshold)
        if not (
            self.approximate
            and fresh == self.info.kind
            and old_vectors.shape[1:] == vectors.shape[1:]
        ):
            return VectorIndex.build(ids, vectors, **rebuild)
        if np.array_equal(ids, old_ids):  # the usual refresh: the same rows, a few edited
            new_at = old_at = np.arange(len(ids))
            same = ~(vectors != old_vectors).any(axis=1)
        else:
            _, new_at, old_at = np.intersect1d(
                ids, old_ids, assume_unique=True, return_indices=True
            )
            same = np.all(vectors[new_at] == old_vectors[old_at], axis=1)
        keep_old = np.zeros(len(old_ids), bool)
        keep_old[old_at[same]] = True
        add = np.ones(len(ids), bool)
        add[new_at[same]] = False
        changed = self.info.changed + int((~keep_old).sum() + add.sum())
        if changed > REBUILD_SHARE * max(self.info.trained_rows, 1):
            return VectorIndex.build(ids, vectors, **rebuild)
        index = self._copy()
        index.nprobe = self.index.nprobe
        if not keep_old.all():
            index.remove_ids(np.ascontiguousarray(old_ids[~keep_old], dtype=np.int64))
        if add.any():
            index.add_with_ids(vectors[add], ids[add])
        out = VectorIndex(index, IndexInfo(**{**asdict(self.info), "changed": changed}))
        out.in_place = True
        if self.info.kind == "ivfpq":
            out.attach(ids, vectors)
        return out

    def _copy(self) -> faiss.Index:
        """A modifiable copy of the FAISS index (a mapped one is read again from its file:
        FAISS cannot clone mapped lists)."""
        if self.mapped_from is not None:
            return faiss.read_index(str(self.mapped_from))
        return faiss.clone_index(self.index)

    @staticmethod
    def kind_for(n: int, dim: int, ann_threshold: int, compress_threshold: int | None) -> str:
        if n <= ann_threshold or n < 200:
            return "flat"
        if compress_threshold is not None and n > compress_threshold and dim % 4 == 0:
            return "ivfpq"
        return "ivf"

    def tune(self, vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int = 10):
        """Smallest ``nprobe`` whose recall@k against exact search on ``queries`` (held out:
        not rows of the index) reaches ``RECALL_TARGET``: doubled until it does, then bisected
        between the last two tries to within a sixteenth (recall never falls as ``nprobe``
        grows: more lists, more candidates)."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        truth = exact_top(vectors, ids, queries, k)
        tried: dict[int, float] = {}
        curve = self.probe_curve(queries, truth) if self.info.kind == "ivf" else None

        def recall(nprobe: int) -> float:
            if curve is not None:  # read off, instead of searching again at each try
                tried[nprobe] = float(curve[nprobe - 1])
                return tried[nprobe]
            self.index.nprobe = nprobe
            tried[nprobe] = hit_rate(self.search(queries, k, rerank=False)[1], truth)
            return tried[nprobe]

        low, high = 0, 1
        while recall(high) < RECALL_TARGET and high < self.index.nlist:
            low, high = high, min(2 * high, self.index.nlist)
        while high - low > max(1, high // 16):
            mid = (low + high) // 2
            low, high = (low, mid) if recall(mid) >= RECALL_TARGET else (mid, high)
        self.index.nprobe = high
        self.info.nprobe, self.info.tuned_recall = high, round(tried[high], 4)

    def probe_curve(self, queries: np.ndarray, truth: np.ndarray) -> np.ndarray:
        """Recall of ``truth`` (the ids of each query's exact neighbours) at every ``nprobe``
        (entry ``nprobe - 1``) of an IVF index, from one ranking of its lists per query: an
        uncompressed IVF search finds a true neighbour exactly when it probes its list."""
        inv, nlist = self.index.invlists, self.index.nlist
        sizes = np.array([inv.list_size(i) for i in range(nlist)], np.int64)
        held = [faiss.rev_swig_ptr(inv.get_ids(i), int(n)).copy() for i, n in enumerate(sizes)]
        held_ids = np.concatenate([np.zeros(0, np.int64), *held])
        by_id = np.argsort(held_ids)
        at = by_id[np.searchsorted(held_ids, truth, sorter=by_id)]
        home = np.repeat(np.arange(nlist), sizes)[at]  # each true neighbour's list
        faiss.omp_set_num_threads(_threads())
        _, probed = self.index.quantizer.search(queries, nlist)  # each query's lists, in order
        rank = np.empty_like(probed)
        np.put_along_axis(rank, probed, np.broadcast_to(np.arange(nlist), probed.shape), 1)
        found_at = np.take_along_axis(rank, home, 1)  # the nprobe - 1 that finds each one
        return np.cumsum(np.bincount(found_at.ravel(), minlength=nlist)) / max(truth.size, 1)

    def search(
        self, queries: np.ndarray, k: int, *, rerank: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores and ids of each query's ``k`` nearest rows. A compressed index fetches
        ``PQ_REFINE`` times more candidates and re-ranks them exactly; ``rerank=False``
        returns those candidates (for recall: the re-ranking keeps every true top-``k``
        neighbour among them, so theirs is the recall of its results, ties aside, read
        without gathering their vectors — at a million rows, from a scratch file the kernel
        cannot keep cached, a page cluster per candidate)."""
        k = max(1, min(k, self.index.ntotal))
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        # one query: OpenMP start-up costs more than its search; a batch: every core
        faiss.omp_set_num_threads(1 if len(queries) == 1 else _threads())
        if self.info.kind != "ivfpq" or self.refine is None:
            return self.index.search(queries, k)
        wide = min(k * PQ_REFINE, self.index.ntotal)
        scores, found = self.index.search(queries, wide)
        if not rerank:
            return scores, found
        rows = np.searchsorted(self.refine_ids, np.where(found >= 0, found, self.refine_ids[0]))
        exact = np.empty(found.shape, np.float32)
        step = max(1, REFINE_BLOCK // (wide * queries.shape[1]))  # (the gathered candidates)
        for a in range(0, len(queries), step):
            b = slice(a, a + step)
            exact[b] = np.einsum("qkd,qd->qk", self.refine[rows[b]], queries[b])
        exact[found < 0] = -np.inf
        best = np.argsort(-exact, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(exact, best, 1), np.take_along_axis(found, best, 1)

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    def save(self, path: Path) -> list[Path]:
        """``path`` (FAISS's own format) and ``path.json`` (settings); the files written."""
        faiss.write_index(self.index, str(path))
        return [path, self.save_settings(path)]

    def save_settings(self, path: Path) -> Path:
        """``path.json``: the index's settings (``IndexInfo``) alone; the file written."""
        meta = path.with_name(path.name + ".json")
        meta.write_text(json.dumps(asdict(self.info)), encoding="utf-8")
        return meta

    @classmethod
    def load(cls, path: Path, *, mapped: bool = False) -> VectorIndex:
        """Read with FAISS's reader (data only: nothing in the file is executed).
        ``mapped``: the vectors stay in the file, memory-mapped read-only (a one-off search
        reads only the lists it probes)."""
        info = IndexInfo(**json.loads(path.with_name(path.name + ".json").read_text("utf-8")))
        if info.kind not in ("flat", "ivf", "ivfpq"):
            raise ValueError(f"unknown index kind {info.kind!r}")
        flags = 0
        if mapped:
            flags = faiss.IO_FLAG_MMAP_IFC if info.kind == "flat" else faiss.IO_FLAG_MMAP
            flags |= faiss.IO_FLAG_READ_ONLY
        index = faiss.read_index(str(path), flags)
        if info.kind != "flat":
            index.nprobe = max(1, info.nprobe)
        return cls(index, info, path if mapped and info.kind != "flat" else None)


def gathered(vectors: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``vectors[rows]``, read in ascending row order: a random quarter of a million rows of
    a scratch file the kernel cannot keep cached, read in random order, is read a page
    cluster per row (at a million experts, tens of gigabytes)."""
    order = np.argsort(rows, kind="stable")
    out = np.empty((len(rows), vectors.shape[1]), vectors.dtype)
    for lo in range(0, len(rows), GATHER_ROWS):  # (not a second copy of the whole sample)
        at = order[lo : lo + GATHER_ROWS]
        out[at] = vectors[rows[at]]
    return out


GATHER_ROWS = 1 << 14
"""Rows ``gathered`` copies at once."""


def held_out_queries(vectors: np.ndarray, rng: np.random.Generator, n: int = 200) -> np.ndarray:
    """Unit midpoints of random pairs of rows: near the data, but not rows of the index."""
    a = vectors[rng.integers(0, len(vectors), n)]
    b = vectors[rng.integers(0, len(vectors), n)]
    mid = a + b
    return mid / np.maximum(np.linalg.norm(mid, axis=1, keepdims=True), 1e-12)


_SENTENCE_END = re.compile(r"[。；;！？!?\n]")
WINDOW_CHARS = 120
"""A tuning window is one sentence of a text, cut to this many characters (a need is a
title and a sentence or two)."""


def need_like_texts(texts: Sequence[str], n: int = TUNING_QUERIES, seed: int = 0) -> list[str]:
    """One random sentence (≥ 8 characters, else the text's start) of each of ``n`` random
    texts: short, like a need, and no indexed text as a whole. Their query vectors give the recall
    real needs get (a profile's whole vector, or midpoints of rows, lie nearer the data and
    over-state it: at 30,000 realistic profiles, 0.98 and 0.93 where needs got 0.89)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in rng.choice(len(texts), size=min(n, len(texts)), replace=False):
        text = texts[i]
        sentences = [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) >= 8]
        pick = sentences[rng.integers(len(sentences))] if sentences else text
        out.append(pick[:WINDOW_CHARS])
    return out


def exact_top(vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """The ids of each query's ``k`` best rows by exact inner product (FAISS's brute force
    on the very array: a flat index would copy a million vectors, a GB, to search them)."""
    faiss.omp_set_num_threads(_threads())
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    _, rows = faiss.knn(queries, vectors, min(k, len(ids)), metric=faiss.METRIC_INNER_PRODUCT)
    return np.asarray(ids)[rows]


def hit_rate(got: np.ndarray, truth: np.ndarray) -> float:
    """Share of the true neighbours found (rows aligned)."""
    hits = sum(len(set(a.tolist()) & set(b.tolist())) for a, b in zip(got, truth, strict=True))
    return hits / max(truth.size, 1)


def recall_at(
    index: VectorIndex, vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int = 10
) -> float:
    """Recall@k of ``index`` against exact inner-product search over (``ids``, ``vectors``)."""
    if not len(queries) or not len(ids):
        return 1.0
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    return hit_rate(index.search(queries, k)[1], exact_top(vectors, ids, queries, k))
