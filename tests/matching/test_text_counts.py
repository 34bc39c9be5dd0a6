"""Per-text counts patched by a refresh are the counts of the texts now, whether a matrix is
gathered at once or left to its sources (``text_counts.DEFERRED``)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from matcher.matching import text_counts
from matcher.matching.text_counts import DEFERRED, TextCounts
from matcher.text.counts import SPACES, RowGather, rows_holding, rows_of

SOCIETIES = ["机械工程学会 数控 机床", "化工学会 精馏 催化"]
EXPERTS = ["数控 机床 齿轮", "精馏 塔 节能", "齿轮 轴承 寿命", "催化剂 反应器", "大坝 渗流"]


def _count(texts: list[str], societies: list[str] = SOCIETIES) -> TextCounts:
    return TextCounts.count(
        e_texts=texts,
        s_texts=societies,
        e_tokens=[t.split() for t in texts],
        s_tokens=[t.split() for t in societies],
    )


def _patch(counts: TextCounts, src: list[int], texts: list[str]) -> TextCounts:
    """``counts`` patched: row ``i`` keeps row ``src[i]``, or (-1) counts the next text."""
    n_s = counts.n_rows("own")
    return counts.patched(
        e_src=np.array(src, np.int64),
        s_src=np.arange(n_s),
        e_new=(texts, [t.split() for t in texts]),
        s_new=([], []),
    )


def _terms(counts: TextCounts, key: str, m: sp.csr_matrix) -> list[dict[str, float]]:
    """Each row's counts by term (vocabularies order their columns differently)."""
    words = list(counts.vocab[key])
    return [
        dict(zip([words[j] for j in m.indices[a:b]], m.data[a:b].tolist(), strict=True))
        for a, b in zip(m.indptr[:-1], m.indptr[1:], strict=True)
    ]


def test_patched_counts_defer_the_largest_matrix_and_equal_a_recount():
    first = _count(EXPERTS)
    texts1 = [EXPERTS[1], "焊接 机器人 路径", EXPERTS[3], EXPERTS[4], "水库 调度"]
    once = _patch(first, [1, -1, 3, 4, -1], ["焊接 机器人 路径", "水库 调度"])
    texts2 = [texts1[0], texts1[1], "激光 熔覆 涂层", texts1[3], texts1[4], EXPERTS[0]]
    twice = _patch(once, [0, 1, -1, 3, 4, -1], ["激光 熔覆 涂层", EXPERTS[0]])
    for counts in (once, twice):  # neither gathered yet: twice's rows come from once's sources
        assert {"char12", "char"} <= set(DEFERRED["experts"])  # the largest matrices
        for part, keys in DEFERRED.items():
            held = getattr(counts, part)
            assert all(k not in held and k in held.sources for k in keys)
    for counts, texts in ((twice, texts2), (once, texts1)):
        recount = _count(texts)
        assert counts.n_rows("experts") == len(texts)
        for key in SPACES:
            rows = np.array([4, 0, 1])
            taken = counts.take("experts", key, rows)
            whole = counts.experts[key]  # (a deferred one gathered here)
            assert whole.shape == (len(texts), max(len(counts.vocab[key]), 1))
            assert _terms(counts, key, whole) == _terms(recount, key, recount.experts[key])
            assert (taken != whole[rows]).nnz == 0
            assert _terms(counts, key, counts.own[key]) == _terms(recount, key, recount.own[key])


def test_no_rows_taken():
    counts = _patch(_count(EXPERTS), [0, 1, 2, 3, 4], [])
    for key in SPACES:
        got = counts.take("experts", key, np.zeros(0, np.int64))
        assert got.shape == (0, max(len(counts.vocab[key]), 1))


def test_rows_holding_terms_are_found_in_the_sources_as_in_the_gathered_matrix():
    once = _patch(_count(EXPERTS), [1, -1, 3, 4, -1], ["焊接 机器人 路径", "水库 调度"])
    twice = _patch(once, [4, 0, 1, -1, 2], ["激光 熔覆 涂层"])  # rows reordered
    lazy = twice.rows("experts")["char"]
    assert isinstance(lazy, RowGather) and len(lazy.sources) == 3
    m = lazy.whole()
    rng = np.random.default_rng(0)
    for _ in range(30):
        flag = rng.random(m.shape[1] + 1) < 0.05
        ends = zip(m.indptr[:-1], m.indptr[1:], strict=True)
        want = [bool(flag[m.indices[a:b]].any()) for a, b in ends]
        assert rows_holding(m, flag).tolist() == want
        assert rows_holding(lazy, flag).tolist() == want
    rows = np.array([3, 1])
    assert (rows_of(lazy, rows) != m[rows]).nnz == 0


def test_deferred_sources_stay_bounded_over_many_patches(monkeypatch):
    """Each patch adds a source to a deferred matrix; past ``MAX_SOURCES`` the patch gathers
    it (the next ones defer again from there), and the counts stay a recount's."""
    monkeypatch.setattr(text_counts, "MAX_SOURCES", 3)
    counts, texts = _count(EXPERTS), list(EXPERTS)
    gathered = 0
    for i in range(8):
        texts[i % 5] = f"{EXPERTS[i % 5]} 第{i}次"
        src = [-1 if j == i % 5 else j for j in range(5)]
        counts = _patch(counts, src, [texts[i % 5]])
        for key in DEFERRED["experts"]:
            if key in counts.experts:
                gathered += 1
            else:
                assert len(counts.experts.sources[key][0]) <= 3
    assert gathered
    recount = _count(texts)
    for key in SPACES:
        got = counts.experts[key]
        assert _terms(counts, key, got) == _terms(recount, key, recount.experts[key])


def test_a_gathered_matrix_lets_its_sources_go():
    """Once a deferred matrix is gathered, its sources (a previous state's whole matrix
    among them) are no longer held; rows are then taken from the gathered matrix."""
    first = _count(EXPERTS)
    once = _patch(first, [1, -1, 3, 4, -1], ["焊接 机器人 路径", "水库 调度"])
    assert "char" in once.experts.sources
    whole = once.experts["char"]
    assert "char" not in once.experts.sources
    rows = np.array([2, 0])
    assert (once.take("experts", "char", rows) != whole[rows]).nnz == 0
    assert (once.experts.take("char", rows) != whole[rows]).nnz == 0
    assert once.experts.get("char") is whole and once.experts.get("nothing") is None
    twice = _patch(once, [0, 1, 2, 3, -1], ["大坝 渗流"])  # deferred again, from the gathered
    assert twice.experts.sources["char"][0][0] is whole
