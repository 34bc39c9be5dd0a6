"""A refresh that patches the previous version ranks exactly as a build from scratch of the
same store: edits, additions, removals and membership changes; it falls back to a full build
when the patch does not apply."""

from __future__ import annotations

import json
from itertools import combinations

import numpy as np
import pytest
import scipy.sparse as sp
from sqlalchemy import select

from matcher.embeddings import vector_index
from matcher.matching import (
    incremental,
    indexes,
    kept_rows,
    lifecycle,
    persist,
    profiles,
    row_delta,
    saved_state,
)
from matcher.matching.indexes import build_state
from matcher.matching.results import _queries, rank_queries
from matcher.matching.saved_state import load_state, load_tokens
from matcher.matching.service import MatchingRuntime, ensure_indexes
from matcher.models import Expert, Society, TargetKind, TechNeed
from matcher.ranking import evidence
from matcher.ranking.evidence import document_counts
from matcher.text.counts import SPACES, restrict_columns, take_rows, widen

from .factories import seed

TOLERANCE = 1e-5
"""Matrices are float32 and a patched vocabulary orders its columns differently (new terms
last), so sums run in another order: scores agree to float32 rounding, not bit for bit."""

EXTRA_NEEDS = [
    ("N-4", "精馏塔能耗高", "共沸物分离工艺优化，化工过程模拟"),
    ("N-5", "焊接机器人路径规划", "智能焊接机器人与数控机床协同"),
    ("N-6", "灌区水资源调度", "引黄灌区节水灌溉与水库调度"),
]


def _no_refits(monkeypatch) -> None:
    """Refits switched off, so a refresh patches: new words would refit a tiny model, and one
    labelled expert less the fusion."""
    monkeypatch.setattr(lifecycle, "DRIFT_REFIT", 1.0)
    monkeypatch.setattr(lifecycle, "REFIT_CHANGE", 1.0)


def _full_build(runtime: MatchingRuntime, session, patched):
    """The state a build from scratch gives for the store now, with the patched state's
    fusion (a refresh keeps the fitted weights)."""
    experts, societies = profiles.expert_rows(session), profiles.society_rows(session)
    tokens = runtime.segmenter.tokens_many
    state, _ = build_state(
        signature=patched.signature,
        experts=experts,
        societies=societies,
        memberships=profiles.memberships(session),
        e_tokens=tokens([r.text for r in experts]),
        s_tokens=tokens([r.text for r in societies]),
        encoder=runtime.encoder,
        vectors={},
        ann_threshold=runtime.settings.ann_threshold,
        segmenter_id=runtime.segmenter_id,
    )
    state.fusion, state.expert_calibration = patched.fusion, patched.expert_calibration
    return state


def _assert_ranks_alike(runtime, session, patched, full) -> None:
    needs = list(session.scalars(select(TechNeed).order_by(TechNeed.id)))
    queries = _queries(runtime, needs, patched)
    assert [q.keywords for q in queries] == [q.keywords for q in _queries(runtime, needs, full)]
    assert np.array_equal(patched.experts.ids, full.experts.ids)
    assert np.array_equal(patched.experts.vectors, full.experts.vectors)
    assert np.allclose(patched.societies.vectors, full.societies.vectors, atol=TOLERANCE)
    for target in (TargetKind.EXPERT, TargetKind.SOCIETY):
        a = rank_queries(runtime, queries, target, 10, state=patched)
        b = rank_queries(runtime, queries, target, 10, state=full)
        for got, want in zip(a, b, strict=True):
            assert [r.id for r in got] == [r.id for r in want]
            for x, y in zip(got, want, strict=True):
                assert x.matched_keywords == y.matched_keywords
                assert abs(x.score - y.score) <= 0.1  # the 0–100 score is rounded to 0.1
                for name, value in x.components.items():
                    if isinstance(value, float):
                        assert value == pytest.approx(y.components[name], abs=1e-4), name
        for query in queries:  # every BM25 score, not only the top ones
            for part in ("experts", "societies"):
                bm_a = getattr(patched, part).bm25.scores(query.tokens)
                bm_b = getattr(full, part).bm25.scores(query.tokens)
                assert np.allclose(bm_a, bm_b, atol=TOLERANCE)
    for space in SPACES:  # society documents, term by term
        ta, tb = getattr(patched.evidence, space), getattr(full.evidence, space)
        assert set(ta.vocab) == set(tb.vocab)
        order = [ta.vocab[t] for t in tb.vocab]
        assert np.allclose(ta.idf[order], tb.idf, atol=TOLERANCE)
        docs_a = getattr(patched.evidence, f"{space}_docs")[:, order].toarray()
        docs_b = getattr(full.evidence, f"{space}_docs").toarray()
        assert np.allclose(docs_a, docs_b, atol=TOLERANCE)
    order = [patched.evidence.char.vocab[t] for t in full.evidence.char.vocab]
    for name in ("char_experts", "char_centroids"):
        got = getattr(patched.evidence, name)[:, order].toarray()
        assert np.allclose(got, getattr(full.evidence, name).toarray(), atol=TOLERANCE)
    assert [m.tolist() for m in patched.evidence.members] == [
        m.tolist() for m in full.evidence.members
    ]


def _edit_store(s) -> None:
    """An edited profile, a new expert (in two societies), a removed one, a membership moved,
    an edited society description and a need about the new words."""
    by_ext = {e.external_id: e for e in s.scalars(select(Expert))}
    socs = {x.external_id: x for x in s.scalars(select(Society))}
    by_ext["S-WATER-E1"].profile = "加氢催化剂失活机理 固定床加氢反应器 催化剂寿命 加氢催化剂再生"
    by_ext["S-WATER-E1"].research_areas = ["加氢", "催化剂"]
    s.delete(by_ext["S-MECH-E1"])
    moved = by_ext["S-CHEM-E1"]
    moved.societies.remove(socs["S-CHEM"])
    moved.societies.append(socs["S-WATER"])
    new = Expert(
        external_id="S-MECH-E9",
        name="周焊",
        research_areas=["焊接机器人", "路径规划"],
        profile="智能焊接机器人路径规划与焊缝跟踪，激光视觉传感",
        city="郑州",
    )
    new.societies.extend([socs["S-MECH"], socs["S-CHEM"]])
    s.add(new)
    socs["S-WATER"].description = "水资源 灌溉 水库 大坝 防洪 渗流 引黄灌区 泥沙"
    for ext, title, desc in EXTRA_NEEDS:
        s.add(TechNeed(external_id=ext, title=title, description=desc, keywords=[]))


@pytest.mark.parametrize("member_copy", [evidence.MEMBER_COPY_BYTES, 0])
def test_patched_refresh_ranks_as_a_full_build(settings, store, monkeypatch, member_copy):
    """``member_copy`` 0: a store too large to lay its experts out by member: a process that
    only serves it (``follow``) holds their character rows by column only, and ranks alike."""
    _no_refits(monkeypatch)
    monkeypatch.setattr(evidence, "MEMBER_COPY_BYTES", member_copy)
    with store.transaction() as s:
        seed(s)
    runtime = MatchingRuntime.load(settings)
    with store.transaction() as s:
        assert ensure_indexes(session=s, runtime=runtime).action == "built"
    with store.transaction() as s:
        _edit_store(s)
    with store.transaction() as s:
        status = ensure_indexes(session=s, runtime=runtime)
        assert status.action == "refreshed" and status.patched
        assert status.encoded == 3  # the edited and the new expert, the edited society
        _assert_ranks_alike(runtime, s, runtime.state, _full_build(runtime, s, runtime.state))
    fresh = MatchingRuntime.load(settings)  # another process patches what it loaded
    with store.transaction() as s:
        water = s.scalar(select(Expert).where(Expert.external_id == "S-WATER-E0"))
        water.profile += " 焊接机器人 大坝安全监测"
    with store.transaction() as s:
        fresh.follow(force=True)
        status = ensure_indexes(session=s, runtime=fresh)
        assert status.patched and status.encoded == 1
        _assert_ranks_alike(fresh, s, fresh.state, _full_build(fresh, s, fresh.state))
        replica = MatchingRuntime.load(settings.model_copy(update={"index_refresher": "follow"}))
        replica.follow(force=True)
        _assert_ranks_alike(replica, s, replica.state, fresh.state)
    for process, by_column in ((fresh, False), (replica, member_copy == 0)):
        ev = process.state.evidence
        assert (ev.char_experts.format == "csc") == by_column
        assert ("char_members" in ev._by_column) != by_column
    saved = load_tokens(settings.index_dir, fresh.state.name, fresh.segmenter_id)
    assert set(fresh.state.e_hashes + fresh.state.s_hashes) <= set(saved.entries)
    saved_dir = settings.index_dir / fresh.state.name
    for base in ("tokens.ids.npy", "counts.experts.char12.data.npy"):
        assert (saved_dir / base).stat().st_nlink >= 2  # an earlier version's, linked
    assert (saved_dir / "counts.delta.experts.rows.npy").is_file()  # and the rows since


def _assert_documents_patched(state, patched_calls: list) -> None:
    """The state's society documents came from a patch, and are exactly the recount."""
    assert patched_calls and patched_calls[-1] is not None
    counts = state.counts
    full = document_counts(counts.own, counts.experts, state.evidence.members)
    for key in SPACES:
        assert (counts.docs[key] != full[key]).nnz == 0, key
        assert np.array_equal(np.bincount(counts.docs[key].indices), np.bincount(full[key].indices))


def test_society_documents_are_patched_exactly(settings, store, monkeypatch):
    """Edited, added and removed experts and moved memberships (no society text changed):
    the documents are patched from the previous ones, in memory and from a loaded version,
    and equal a recount entry for entry (no term left behind with a zero count)."""
    _no_refits(monkeypatch)
    calls: list = []
    real = indexes.patched_documents

    def spy(*args):
        calls.append(real(*args))
        return calls[-1]

    monkeypatch.setattr(indexes, "patched_documents", spy)
    with store.transaction() as s:
        seed(s)
    runtime = MatchingRuntime.load(settings)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
    with store.transaction() as s:
        by_ext = {e.external_id: e for e in s.scalars(select(Expert))}
        socs = {x.external_id: x for x in s.scalars(select(Society))}
        by_ext["S-MECH-E0"].profile = "全新的文本 只有这些词 焊缝跟踪"  # its old words leave
        s.delete(by_ext["S-WATER-E1"])
        by_ext["S-CHEM-E0"].societies.append(socs["S-MECH"])
        by_ext["S-CHEM-E1"].societies.remove(socs["S-CHEM"])
        new = Expert(external_id="S-X-E9", name="新", research_areas=["泥沙"], profile="泥沙")
        new.societies.append(socs["S-WATER"])
        s.add(new)
    with store.transaction() as s:
        assert ensure_indexes(session=s, runtime=runtime).patched
        _assert_documents_patched(runtime.state, calls)
        _assert_ranks_alike(runtime, s, runtime.state, _full_build(runtime, s, runtime.state))
    fresh = MatchingRuntime.load(settings)  # from the saved documents
    with store.transaction() as s:
        added = s.scalar(select(Expert).where(Expert.external_id == "S-X-E9"))
        added.societies.clear()
    with store.transaction() as s:
        fresh.follow(force=True)
        assert ensure_indexes(session=s, runtime=fresh).patched
        _assert_documents_patched(fresh.state, calls)
        _assert_ranks_alike(fresh, s, fresh.state, _full_build(fresh, s, fresh.state))


def test_full_build_when_the_patch_does_not_apply(settings, store, monkeypatch):
    with store.transaction() as s:
        seed(s)
    runtime = MatchingRuntime.load(settings)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
    monkeypatch.setattr(incremental, "PATCH_MIN", 0)  # 1% of 9 rows: no change is small
    with store.transaction() as s:
        s.scalar(select(Expert).where(Expert.external_id == "S-MECH-E0")).profile += " 齿轮"
    with store.transaction() as s:
        status = ensure_indexes(session=s, runtime=runtime)
        assert status.action == "refreshed" and not status.patched
    monkeypatch.undo()
    version = runtime.state.name  # its counts damaged on disk: a new process rebuilds
    path = settings.index_dir / version / "counts.experts.word.data.npy"
    path.write_bytes(path.read_bytes()[:-4] + b"\0\0\0\0")
    fresh = MatchingRuntime.load(settings)
    with store.transaction() as s:
        s.scalar(select(Expert).where(Expert.external_id == "S-MECH-E0")).profile += " 轴承"
    with store.transaction() as s:
        fresh.follow(force=True)
        status = ensure_indexes(session=s, runtime=fresh)
        assert status.action == "refreshed" and not status.patched
        _assert_ranks_alike(fresh, s, fresh.state, _full_build(fresh, s, fresh.state))


def test_take_rows_is_a_row_gather_of_old_then_fresh():
    rng = np.random.default_rng(0)
    for case in range(100):
        n, m = int(rng.integers(1, 40)), int(rng.integers(1, 30))
        old = sp.random(n, 20, density=0.2, format="csr", dtype=np.float32, random_state=case)
        src = np.sort(rng.integers(-1, n, m)) if case % 2 else rng.integers(-1, n, m)
        if case % 5 == 0:  # every old row, then new ones: a run crossing into fresh
            src = np.concatenate([np.arange(n), [-1, -1]])
        k = int((src < 0).sum())
        fresh = sp.random(k, 25, density=0.3, format="csr", dtype=np.float32, random_state=case)
        both = sp.vstack([widen(old, 30), widen(fresh, 30)], format="csr")
        pick = src.copy()
        pick[src < 0] = n + np.arange(k)
        got = take_rows(old, fresh, src, 30)
        assert got.shape == (m if case % 5 else n + 2, 30)
        assert (got != both[pick]).nnz == 0


def _bulk_experts(s, n: int) -> None:
    """``n`` more experts of recombined words (an approximate dense index past 200 rows)."""
    words = ["数控", "机床", "齿轮", "轴承", "催化剂", "精馏", "反应器", "大坝", "渗流"]
    words += ["灌溉", "水库", "焊接", "机器人", "振动"]
    socs = list(s.scalars(select(Society).order_by(Society.id)))
    for i, picked in zip(
        range(n), combinations(words, 4), strict=False
    ):  # distinct texts and vectors
        expert = Expert(
            external_id=f"B-{i}", name=f"批{i}", research_areas=picked[:2], profile="".join(picked)
        )
        expert.societies.append(socs[i % len(socs)])
        s.add(expert)


def _assert_loads_as_held(settings, held) -> MatchingRuntime:
    """A new process loading the saved version holds the very arrays and index results."""
    fresh = MatchingRuntime.load(settings)
    fresh.follow(force=True)
    got = fresh.state
    assert got.name == held.name
    assert np.array_equal(got.experts.vectors, held.experts.vectors)
    assert (got.evidence.char_experts != held.evidence.char_experts).nnz == 0
    for part in ("memberships", "external_ids", "names"):  # written, or linked when equal
        assert getattr(got, part) == getattr(held, part), part
    for part in ("experts", "societies"):
        a, b = getattr(got, part), getattr(held, part)
        assert (a.cities, a.fit_texts, a.bm25.vocab) == (b.cities, b.fit_texts, b.bm25.vocab)
        assert np.array_equal(a.ids, b.ids)
    for space in SPACES:
        assert getattr(got.evidence, space).vocab == getattr(held.evidence, space).vocab
        assert (got.counts.docs[space] != held.counts.docs[space]).nnz == 0
    assert got.experts.ann.info == held.experts.ann.info
    assert got.experts.ann.ntotal == held.experts.ann.ntotal
    queries = np.ascontiguousarray(held.experts.vectors[::7])
    (d_got, i_got), (d_held, i_held) = (x.experts.ann.search(queries, 10) for x in (got, held))
    assert np.array_equal(d_got, d_held)
    for d, a, b in zip(d_held, i_got, i_held, strict=True):  # ties may come in another order
        assert set(a[d > d[-1]]) == set(b[d > d[-1]])
    return fresh


def _indexed(settings, store, monkeypatch, n: int) -> MatchingRuntime:
    """The seed plus ``n`` bulk experts, indexed, with refits switched off (every refresh
    patches)."""
    _no_refits(monkeypatch)
    with store.transaction() as s:
        seed(s)
        _bulk_experts(s, n)
    runtime = MatchingRuntime.load(settings)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
    return runtime


def _format(version_dir) -> int:
    return json.loads((version_dir / "manifest.json").read_text("utf-8"))["format"]


def test_code_that_predates_row_deltas_refuses_a_patched_version(settings, store, monkeypatch):
    """A reader that knows only whole versions (format 2, as before row deltas) would read a
    delta version's linked base rows as its own: the version's format makes it refuse and
    rebuild instead, while whole versions stay readable to it."""
    runtime = _indexed(settings, store, monkeypatch, 60)
    monkeypatch.setattr(persist, "READABLE", (persist.FORMAT,))
    assert load_state(settings.index_dir) is not None  # a whole version: still readable
    with store.transaction() as s:
        s.scalar(select(Expert).where(Expert.external_id == "B-0")).profile += " 焊缝跟踪"
    with store.transaction() as s:
        assert ensure_indexes(session=s, runtime=runtime).patched
    assert _format(settings.index_dir / runtime.state.name) == persist.DELTA_FORMAT
    assert load_state(settings.index_dir) is None  # refused: the old reader rebuilds
    monkeypatch.setattr(persist, "READABLE", (persist.FORMAT, persist.DELTA_FORMAT))
    assert load_state(settings.index_dir).name == runtime.state.name


@pytest.mark.parametrize("threshold", [100, 50_000])
def test_patched_versions_save_row_deltas_and_load_back(settings, store, monkeypatch, threshold):
    """A patched version writes only the changed rows of the expert vectors, character-bigram
    rows and society documents and of the dense index (approximate: the base's file linked,
    the rows since removed and added; exact: built again from the vectors); loading it,
    also along a chain of patches, gives what the refreshing process holds."""
    settings = settings.model_copy(update={"ann_threshold": threshold})
    runtime = _indexed(settings, store, monkeypatch, 240)
    kind = "ivf" if threshold == 100 else "flat"
    assert runtime.state.experts.ann.info.kind == kind
    assert _format(settings.index_dir / runtime.state.name) == persist.FORMAT
    for step in range(3):
        with store.transaction() as s:
            by_ext = {e.external_id: e for e in s.scalars(select(Expert))}
            by_ext[f"B-{step}"].profile += f" 新词{step} 焊缝跟踪"
            if step < 2:  # (the last step only edits: every map by id unchanged)
                s.delete(by_ext[f"B-{100 + step}"])
                s.add(Expert(external_id=f"N-{step}", name="新", research_areas=[], profile="泥沙"))
        with store.transaction() as s:
            assert ensure_indexes(session=s, runtime=runtime).patched
        held = runtime.state
        saved = settings.index_dir / held.name
        for key in row_delta.ROWS_OF:  # every key, in every space
            assert (saved / f"{key}.delta.rows.npy").is_file(), key
        assert (
            not (saved / "experts.vectors.npy").is_file()
            or (saved / "experts.vectors.npy").stat().st_nlink >= 2
        )
        assert (saved / "experts.faiss").is_file() == (kind == "ivf")
        assert (saved / "societies.rows.json").stat().st_nlink >= 2  # unchanged: linked
        assert (saved / "names.json").stat().st_nlink >= 2 or step < 2
        assert _format(saved) == persist.DELTA_FORMAT
        fresh = _assert_loads_as_held(settings, held)
        if kind == "flat":  # (an approximate index built anew is trained anew: not alike)
            with store.transaction() as s:
                _assert_ranks_alike(fresh, s, fresh.state, _full_build(fresh, s, held))
        runtime = fresh  # the loaded version is patched in turn


def test_restrict_columns_is_a_column_selection():
    rng = np.random.default_rng(1)
    for case in range(40):
        m = sp.random(12, 30, density=0.2, format="csr", dtype=np.float32, random_state=case)
        used = np.flatnonzero(np.bincount(m.indices, minlength=30))
        keep = used if case % 2 else np.sort(rng.choice(30, 20, replace=False))  # drops entries
        got, want = restrict_columns(m, keep), sp.csr_matrix(m[:, keep])
        assert got.shape == want.shape and (got != want).nnz == 0
        assert got.has_canonical_format


def test_the_first_refresh_after_a_load_reads_the_previous_parts_aside(
    settings, store, monkeypatch
):
    """The parts of a loaded version a patch reads are read in a thread of their own while
    the store's rows are read, before the patch; the refresh ranks as a full build."""
    import threading

    _no_refits(monkeypatch)
    with store.transaction() as s:
        seed(s)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=MatchingRuntime.load(settings))
    read_in: dict[str, str] = {}
    load_part = saved_state._load_part

    def recorded(version, part, **kwargs):
        read_in.setdefault(part, threading.current_thread().name)
        return load_part(version, part, **kwargs)

    monkeypatch.setattr(saved_state, "_load_part", recorded)
    fresh = MatchingRuntime.load(settings)
    with store.transaction() as s:
        s.scalar(select(Expert).where(Expert.external_id == "S-MECH-E0")).profile += " 齿轮"
    with store.transaction() as s:
        fresh.follow(force=True)
        assert saved_state.unread(fresh.state)
        status = ensure_indexes(session=s, runtime=fresh)
        assert status.patched
        _assert_ranks_alike(fresh, s, fresh.state, _full_build(fresh, s, fresh.state))
    for part in ("counts", "e_hashes", "row_bases"):
        assert read_in[part].startswith("index-aside"), (part, read_in)


def test_a_failed_build_waits_for_the_fit_started_aside():
    """A build that fails lets go of the build lock only once the fusion fit it started
    aside has ended (a retry would otherwise fit beside it); the error is raised."""
    import time

    from matcher.matching.aside import aside

    def slow_fit() -> int:
        time.sleep(0.3)
        return 1

    fitting = aside(slow_fit)
    with pytest.raises(ValueError, match="build failed"), lifecycle._joined_on_error(fitting):
        raise ValueError("build failed")
    assert fitting.done() and fitting.result() == 1


def _stamps(s) -> dict[str, int]:
    return {e.external_id: e.revision for e in s.scalars(select(Expert))}


def test_triggers_stamp_the_rows_whose_ranked_columns_change(store):
    """Migration 0012: an insert or a change to a ranked column stamps the row with the
    profile revision it bumped to (per statement on PostgreSQL, per row on SQLite); a phone
    number changes neither."""
    with store.transaction() as s:
        seed(s)
    with store.transaction() as s:
        before, at = _stamps(s), profiles.read_at(profiles.signature(s))[1]
        assert min(before.values()) > 0 and max(before.values()) <= at  # (memberships bump too)
        by_ext = {e.external_id: e for e in s.scalars(select(Expert))}
        by_ext["S-MECH-E1"].phone = "0371-12345678"
    with store.transaction() as s:
        assert _stamps(s) == before and profiles.read_at(profiles.signature(s))[1] == at
        s.scalar(select(Expert).where(Expert.external_id == "S-MECH-E1")).profile += " 焊接"
        s.add(Expert(external_id="S-NEW", name="新", research_areas=[], profile="泥沙"))
    with store.transaction() as s:
        after, now = _stamps(s), profiles.read_at(profiles.signature(s))[1]
        changed = {k: v for k, v in after.items() if v > at}
        assert changed.keys() == {"S-MECH-E1", "S-NEW"} and max(changed.values()) == now


def test_a_refresh_reads_only_the_rows_changed_since(settings, store, monkeypatch):
    """The patch takes the unchanged experts from the previous state: only the edited and the
    added rows (also one under a reused id) are read with their text, and every row is what
    a full read gives (its text's hash in place of the text); an approximate index trained
    by that patch is tuned on every row's text, read when asked."""
    runtime = _indexed(settings.model_copy(update={"ann_threshold": 100}), store, monkeypatch, 240)
    monkeypatch.setattr(vector_index, "REBUILD_SHARE", 0.0)  # the patch retrains the index
    tuned_on: list[list[str]] = []
    need_like = indexes.need_like_texts
    monkeypatch.setattr(indexes, "need_like_texts", lambda t: tuned_on.append(t) or need_like(t))
    read = []
    merged = kept_rows.merged
    monkeypatch.setattr(kept_rows, "merged", lambda *a: read.append(merged(*a)) or read[-1])
    with store.transaction() as s:
        last = s.scalar(select(Expert).order_by(Expert.id.desc()).limit(1))
        last_id = last.id
        s.delete(last)  # its id may come back (SQLite) for the new expert below
        by_ext = {e.external_id: e for e in s.scalars(select(Expert))}
        by_ext["B-3"].profile += " 焊缝跟踪"
        by_ext["B-4"].phone = "0371-12345678"
        s.delete(by_ext["B-5"])
        s.flush()
        s.add(Expert(external_id="N-1", name="新", research_areas=["泥沙"], profile="泥沙"))
    with store.transaction() as s:
        assert ensure_indexes(session=s, runtime=runtime).patched
        full = profiles.expert_rows(s)
        ids = {r.external_id: r.id for r in full}
        assert ids["N-1"] == last_id or store.engine.dialect.name == "postgresql"
        rows = read[-1]
        assert [r.external_id for r in rows if r.text] == ["B-3", "N-1"]
        assert [(r.id, r.external_id, r.name, r.city, r.fit_text) for r in rows] == [
            (r.id, r.external_id, r.name, r.city, r.fit_text) for r in full
        ]
        assert [profiles.row_hash(r) for r in rows] == [profiles.text_hash(r.text) for r in full]
        assert tuned_on[-1] == [r.text for r in full + profiles.society_rows(s)]
        assert runtime.state.experts.ann.info.kind == "ivf"
        state = runtime.state
    fresh = _assert_loads_as_held(settings, state)
    assert np.array_equal(fresh.state.experts.ids, np.array(sorted(ids.values())))


def _rows_since(session, previous, signature):
    return kept_rows.merged(previous, kept_rows.read_since(session, previous, signature))


def test_rows_are_all_read_when_the_previous_state_cannot_tell(settings, store, monkeypatch):
    """Another store's state, or a row neither changed nor in the previous state (a store
    restored from an older backup): every row is read."""
    runtime = _indexed(settings, store, monkeypatch, 20)
    with store.transaction() as s:
        sig = profiles.signature(s)
        assert _rows_since(s, runtime.state, sig) is not None
        other = "0" * 32 + sig[sig.index(":") :]
        assert kept_rows.read_since(s, runtime.state, other) is None
        s.add(Expert(external_id="N-1", name="新", research_areas=[], profile="泥沙"))
        s.flush()
        s.execute(Expert.__table__.update().where(Expert.external_id == "N-1").values(revision=0))
        assert _rows_since(s, runtime.state, sig) is None


def test_a_refresh_after_a_restore_reads_every_row(settings, store, monkeypatch, tmp_path):
    """A restored store's profile revision went back (the rows' too), while the index kept
    in the data directory holds what was edited since the backup (edits after the restore
    take the revision past the index's): the restore gives the store a new identity, so the
    next refresh reads every row and holds the restored texts."""
    from matcher.backup.service import backup, restore

    runtime = _indexed(settings, store, monkeypatch, 20)
    archive = tmp_path / "store.tar.gz"
    backup(settings=settings, store=store, path=archive)
    with store.transaction() as s:
        s.scalar(select(Expert).where(Expert.external_id == "B-3")).profile += " 焊缝跟踪"
    with store.transaction() as s:
        assert ensure_indexes(session=s, runtime=runtime).patched
    restore(settings=settings, store=store, path=archive)
    at = profiles.read_at(runtime.state.signature)[1]
    for n in range(99):  # edits after the restore take the revision past the index's
        with store.transaction() as s:
            s.scalar(select(Expert).where(Expert.external_id == "B-5")).city = f"城{n}"
            if profiles.read_at(profiles.signature(s))[1] > at:
                break
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
        want = {r.id: profiles.text_hash(r.text) for r in profiles.expert_rows(s)}
    state = runtime.state
    got = dict(zip(state.experts.ids.tolist(), state.e_hashes, strict=True))
    assert {i: got[i] for i in want} == want


def test_rows_are_all_read_when_the_revision_went_back(settings, store, monkeypatch):
    """A store whose profile revision is behind the previous state's (its file restored by
    hand): every row is read."""
    runtime = _indexed(settings, store, monkeypatch, 20)
    with store.transaction() as s:
        sig = profiles.signature(s)
        store_id, revision = profiles.read_at(sig)
        assert kept_rows.read_since(s, runtime.state, f"{store_id}:{revision - 1}") is None
