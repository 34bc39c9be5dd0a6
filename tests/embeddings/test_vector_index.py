"""The approximate index: nprobe tuned on held-out queries, cumulative in-place changes
trigger a retrain, the compressed (IVF-PQ) kind keeps recall by re-ranking exactly."""

from __future__ import annotations

import numpy as np

from matcher.embeddings import vector_index
from matcher.embeddings.encoders import l2_normalize
from matcher.embeddings.vector_index import (
    REBUILD_SHARE,
    RECALL_TARGET,
    WINDOW_CHARS,
    VectorIndex,
    exact_top,
    need_like_texts,
    recall_at,
)


def _data(n=5000, dim=32, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(40, dim))
    data = l2_normalize(centers[rng.integers(0, 40, n)] + 0.3 * rng.normal(size=(n, dim)))
    queries = l2_normalize(centers[rng.integers(0, 40, 300)] + 0.4 * rng.normal(size=(300, dim)))
    return np.arange(n, dtype=np.int64) + 7, data, queries


def test_nprobe_is_tuned_on_held_out_queries_and_holds_on_others():
    ids, data, queries = _data()
    ann = VectorIndex.build(ids, data, ann_threshold=1000, queries=queries[:150])
    assert ann.info.kind == "ivf" and ann.info.tuned_recall >= 0.97
    assert recall_at(ann, data, ids, queries[150:]) >= 0.95  # queries it was not tuned on


def test_tuned_nprobe_is_within_a_sixteenth_of_the_smallest_that_reaches_the_target():
    ids, data, queries = _data()
    ann = VectorIndex.build(ids, data, ann_threshold=1000, queries=queries)
    smallest = next(
        p
        for p in range(1, ann.index.nlist + 1)
        if _recall_with(ann, p, data, ids, queries) >= RECALL_TARGET
    )
    assert smallest <= ann.info.nprobe <= smallest + max(1, ann.info.nprobe // 16)
    assert ann.index.nprobe == ann.info.nprobe


def test_recall_read_off_the_probe_curve_equals_recall_searched_at_each_nprobe():
    ids, data, queries = _data()
    ann = VectorIndex.build(ids, data, ann_threshold=1000, queries=queries)
    truth = exact_top(data, ids, queries, 10)
    curve = ann.probe_curve(np.asarray(queries, np.float32), truth)
    assert len(curve) == ann.index.nlist and curve[-1] == 1.0
    searched = [_recall_with(ann, p, data, ids, queries) for p in range(1, ann.index.nlist + 1)]
    np.testing.assert_allclose(curve, searched, atol=1 / truth.size)


def _recall_with(ann: VectorIndex, nprobe: int, data, ids, queries) -> float:
    ann.index.nprobe = nprobe
    try:
        return recall_at(ann, data, ids, queries)
    finally:
        ann.index.nprobe = ann.info.nprobe


def test_tuning_queries_are_made_only_when_an_approximate_index_is_trained():
    ids, data, queries = _data()
    made = []

    def tuning():
        made.append(1)
        return queries

    flat = VectorIndex.build(ids[:500], data[:500], ann_threshold=1000, queries=tuning)
    assert flat.info.kind == "flat" and not made
    ann = VectorIndex.build(ids, data, ann_threshold=1000, queries=tuning)
    assert ann.info.kind == "ivf" and len(made) == 1
    moved = data.copy()
    moved[:5] = data[5:10]  # a few rows changed: updated in place, not trained again
    ann.updated(ids, data, ids, moved, ann_threshold=1000, queries=tuning)
    assert len(made) == 1


def test_need_like_texts_are_single_short_sentences_of_the_texts():
    texts = [
        f"第{i}位专家研究数控机床主轴精度。主持焊接机器人项目{i}项；发表论文若干篇" * 3
        for i in range(50)
    ]
    got = need_like_texts(texts, n=20, seed=1)
    assert len(got) == 20 and got == need_like_texts(texts, n=20, seed=1)
    assert all(8 <= len(t) <= WINDOW_CHARS and "。" not in t and "；" not in t for t in got)
    assert all(any(t in x for x in texts) for t in got)


def test_cumulative_small_changes_trigger_a_retrain():
    ids, data, _ = _data(seed=3)
    ann = VectorIndex.build(ids, data, ann_threshold=1000)
    rng = np.random.default_rng(4)
    current = data.copy()
    step = int(REBUILD_SHARE * len(ids) / 4)  # each update alone stays under the share
    retrained = False
    for _ in range(6):
        before = current.copy()
        rows = rng.choice(len(ids), step, replace=False)
        current[rows] = l2_normalize(rng.normal(size=(step, data.shape[1])))
        ann = ann.updated(ids, before, ids, current, ann_threshold=1000)
        if ann.info.changed == 0:
            retrained = True
            break
        assert ann.info.changed > 0
    assert retrained, "changes since training accumulate until the index is trained again"


def test_compressed_index_keeps_recall_by_exact_re_ranking(monkeypatch):
    """…re-ranking its candidates a block of queries at a time, alike."""
    ids, data, queries = _data(n=12000, dim=64, seed=5)
    pq = VectorIndex.build(ids, data, ann_threshold=1000, compress_threshold=4000)
    assert pq.info.kind == "ivfpq"
    assert recall_at(pq, data, ids, queries) >= 0.9
    whole = pq.search(queries, 10)
    monkeypatch.setattr(vector_index, "REFINE_BLOCK", 1)  # re-ranked one query at a time
    assert all(np.array_equal(a, b) for a, b in zip(pq.search(queries, 10), whole, strict=True))


def test_a_mapped_index_searches_alike_and_is_copied_to_be_updated(tmp_path):
    ids, data, queries = _data()
    for threshold in (1000, 10_000):  # approximate, exact
        ann = VectorIndex.build(ids, data, ann_threshold=threshold, queries=queries)
        ann.save(tmp_path / f"{threshold}.faiss")
        mapped = VectorIndex.load(tmp_path / f"{threshold}.faiss", mapped=True)
        assert mapped.info == ann.info
        assert np.array_equal(mapped.search(queries, 10)[1], ann.search(queries, 10)[1])
    assert mapped.mapped_from is None  # exact: mapped codes, rebuilt rather than updated
    ivf = VectorIndex.load(tmp_path / "1000.faiss", mapped=True)
    assert ivf.mapped_from is not None
    moved = data.copy()
    moved[:5] = data[5:10]
    updated = ivf.updated(ids, data, ids, moved, ann_threshold=1000)
    assert updated.info.changed == 10 and updated.ntotal == len(ids)
    assert recall_at(updated, moved, ids, queries) >= 0.95


def test_an_index_trained_on_one_thread_is_the_same_index():
    """A build beside the fusion fit trains and tunes with one OpenMP thread: the same
    clusters, lists and nprobe; the thread count comes back after."""
    import threading

    import faiss

    from matcher.embeddings import vector_index

    ids, data, queries = _data()
    want = VectorIndex.build(ids, data, ann_threshold=1000, queries=queries[:150])
    seen = []

    def elsewhere():  # another thread keeps its own count
        seen.append(vector_index._threads())

    with vector_index.omp_threads(1):
        got = VectorIndex.build(ids, data, ann_threshold=1000, queries=queries[:150])
        assert vector_index._threads() == 1
        other = threading.Thread(target=elsewhere)
        other.start()
        other.join()
    assert seen == [vector_index.THREADS] and vector_index._threads() == vector_index.THREADS
    assert got.info == want.info and got.info.kind == "ivf"
    assert bytes(faiss.serialize_index(got.index)) == bytes(faiss.serialize_index(want.index))


def test_rows_gathered_in_ascending_order_are_the_rows_asked_for():
    """The training sample is read from the vectors in row order (a scratch file is read
    sequentially), and handed over in the order drawn: the same sample, the same index."""
    from matcher.embeddings.vector_index import gathered

    vectors = np.random.default_rng(1).standard_normal((40, 3)).astype(np.float32)
    rows = np.array([31, 2, 17, 0, 39, 5])
    got = gathered(vectors, rows)
    assert got.dtype == np.float32 and np.array_equal(got, vectors[rows])


def test_a_compressed_index_is_tuned_on_the_recall_of_what_it_returns():
    """Tuning reads a compressed index's recall off its candidates (their vectors are not
    gathered): the very recall its re-ranked results have at the ``nprobe`` chosen."""
    ids, data, queries = _data(n=12000, dim=64, seed=5)
    pq = VectorIndex.build(ids, data, ann_threshold=1000, compress_threshold=4000, queries=queries)
    assert pq.info.kind == "ivfpq" and pq.info.nprobe > 1
    truth = exact_top(data, ids, queries, 10)
    got = vector_index.hit_rate(pq.search(queries, 10)[1], truth)
    assert pq.info.tuned_recall == round(got, 4) >= RECALL_TARGET
