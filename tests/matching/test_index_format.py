"""The saved index: a version directory per build behind an atomically switched pointer, no
pickle (a planted one never runs), damaged or foreign files rebuilt, bounded caches; only
ranked columns mark it stale; other processes follow new versions without building."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time

import numpy as np
import pytest
from sqlalchemy import select, text

from matcher.matching import lifecycle, persist
from matcher.matching.profiles import signature, text_hash
from matcher.matching.saved_state import STATE_FILE, load_state, load_tokens
from matcher.matching.service import MatchingRuntime, ensure_indexes, get_matches, ready
from matcher.models import Expert, Society, TechNeed

from .factories import seed

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class Payload:
    """What an attacker pickles: unpickling it would create ``marker``."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _build(settings, store):
    runtime = MatchingRuntime.load(settings)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
    return runtime


def _forge(version_dir, filename: str, data: bytes) -> None:
    """Replace a file and fix its manifest entry, as someone who can write the directory
    could: only the format itself protects the reader then."""
    (version_dir / filename).write_bytes(data)
    manifest = json.loads((version_dir / "manifest.json").read_text())
    manifest["files"][filename] = [hashlib.sha256(data).hexdigest(), len(data)]
    (version_dir / "manifest.json").write_text(json.dumps(manifest))


@sqlite_only
def test_a_version_per_build_behind_a_pointer_old_ones_removed_after_grace(settings, store):
    with store.transaction() as s:
        seed(s)
    runtime = _build(settings, store)
    first = persist.current_name(settings.index_dir)
    vdir = settings.index_dir / first
    assert (settings.index_dir / STATE_FILE).read_text() == first
    assert {p.suffix for p in vdir.iterdir()} <= {".npy", ".json", ".faiss"}
    assert not list(settings.index_dir.rglob("*.pkl"))
    with store.transaction() as s:
        s.scalar(select(Expert).where(Expert.external_id == "S-MECH-E0")).profile += "，焊接"
    with store.transaction() as s:
        assert ensure_indexes(session=s, runtime=runtime).action == "refreshed"
    second = persist.current_name(settings.index_dir)
    assert second != first and vdir.is_dir()  # kept for its grace period
    assert persist.remove_old_versions(settings.index_dir, grace=3600) == []
    assert persist.remove_old_versions(settings.index_dir, grace=0) == [first]
    assert load_state(settings.index_dir).name == second


@sqlite_only
def test_a_lazy_load_reads_what_it_uses_and_maps_its_large_arrays(settings, store):
    with store.transaction() as s:
        seed(s)
    eager = _build(settings, store).state
    lazy = load_state(settings.index_dir, eager=False)
    parts = {"experts", "societies", "evidence", "names", "external_ids", "memberships"}
    assert not parts & set(vars(lazy)), "nothing but the small meta is read up front"
    assert not lazy.experts.vectors.flags.writeable  # mapped, read-only
    assert "evidence" not in vars(lazy) and "names" not in vars(lazy)
    assert np.array_equal(lazy.experts.vectors, eager.experts.vectors)
    for part in ("names", "external_ids", "memberships", "e_hashes", "s_hashes"):
        assert getattr(lazy, part) == getattr(eager, part), part


@sqlite_only
def test_a_version_saved_with_its_maps_in_meta_still_loads(settings, store):
    with store.transaction() as s:
        seed(s)
    eager = _build(settings, store).state
    vdir = settings.index_dir / persist.current_name(settings.index_dir)
    meta = json.loads((vdir / "meta.json").read_text())
    for part in ("names", "external_ids", "memberships"):  # the layout before they moved out
        meta[part] = json.loads((vdir / f"{part}.json").read_text())
    _forge(vdir, "meta.json", json.dumps(meta).encode())
    old = load_state(settings.index_dir, eager=False)
    assert old.names == eager.names and old.memberships == eager.memberships


@sqlite_only
def test_a_planted_pickle_never_runs_and_the_index_is_rebuilt(settings, store, tmp_path):
    with store.transaction() as s:
        seed(s)
    _build(settings, store)
    marker = tmp_path / "pwned"
    vdir = settings.index_dir / persist.current_name(settings.index_dir)
    hostile = np.empty(1, dtype=object)
    hostile[0] = Payload(str(marker))
    path = tmp_path / "hostile.npy"
    np.save(path, hostile, allow_pickle=True)  # an object array: pickled inside the .npy
    _forge(vdir, "experts.ids.npy", path.read_bytes())
    legacy = settings.index_dir / "engine_state.v7.pkl"  # the old layout's name
    legacy.write_bytes(pickle.dumps(Payload(str(marker))))
    assert load_state(settings.index_dir) is None  # refused, not unpickled
    fresh = MatchingRuntime.load(settings)
    with store.transaction() as s:
        assert ensure_indexes(session=s, runtime=fresh).action == "built"
        need = s.scalar(select(TechNeed).where(TechNeed.external_id == "N-1"))
        assert get_matches(session=s, runtime=fresh, need=need, target="society")
    assert not marker.exists() and not legacy.exists()


@sqlite_only
@pytest.mark.parametrize("pointer", ["../../etc", "v2-20260101T000000-zzz", "", "\x00"])
def test_a_foreign_pointer_is_refused(settings, store, pointer):
    with store.transaction() as s:
        seed(s)
    _build(settings, store)
    (settings.index_dir / STATE_FILE).write_text(pointer)
    assert load_state(settings.index_dir) is None
    with store.transaction() as s:
        assert ensure_indexes(session=s, runtime=MatchingRuntime.load(settings)).action == "built"


@sqlite_only
def test_a_damaged_embedded_model_is_not_trusted(settings, store):
    from matcher.embeddings.encoders import current_embedded_path

    with store.transaction() as s:
        seed(s)
    _build(settings, store)
    path = current_embedded_path(settings.models_dir)
    weights = next(path.rglob("model.safetensors"))
    weights.write_bytes(weights.read_bytes()[:-8])  # half-written
    assert current_embedded_path(settings.models_dir) is None
    runtime = MatchingRuntime.load(settings)
    assert runtime.encoder is None  # refitted at the next build, never read damaged


@sqlite_only
def test_caches_hold_only_texts_of_the_store(settings, store):
    with store.transaction() as s:
        seed(s)
    runtime = _build(settings, store)
    with store.transaction() as s:
        gone = s.scalar(select(Expert).where(Expert.external_id == "S-WATER-E1"))
        old_hash = text_hash(" ".join([*gone.research_areas, gone.profile]))
        s.delete(gone)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
    state = runtime.state
    saved = load_tokens(settings.index_dir, state.name, runtime.segmenter_id)
    assert old_hash not in saved.entries and old_hash not in runtime.tokens.entries
    assert old_hash not in state.vectors_by_hash()
    assert set(saved.entries) == set(state.e_hashes) | set(state.s_hashes)


def test_only_ranked_columns_mark_the_indexes_stale(store):
    with store.transaction() as s:
        seed(s)
    with store.transaction() as s:
        before = signature(s)
    with store.transaction() as s:
        s.execute(text("UPDATE societies SET contact_phone = '0371-12345678', email = 'a@b.cn'"))
        s.execute(text("UPDATE experts SET phone = '13800000000', title = '教授'"))
    with store.transaction() as s:
        assert signature(s) == before
        soc = s.scalar(select(Society).where(Society.external_id == "S-MECH"))
        soc.contact_name = "王五"
    with store.transaction() as s:
        assert signature(s) == before
        s.scalar(select(Society).where(Society.external_id == "S-MECH")).description += "，焊接"
    with store.transaction() as s:
        assert signature(s) != before


@sqlite_only
def test_requests_never_build_and_other_processes_follow_from_disk(settings, store, monkeypatch):
    with store.transaction() as s:
        seed(s)
    builder = _build(settings, store)
    reader = MatchingRuntime.load(settings)  # another worker
    with store.transaction() as s:
        assert ready(session=s, runtime=reader).name == builder.state.name  # loaded, not built
    with store.transaction() as s:
        s.scalar(select(Expert).where(Expert.external_id == "S-MECH-E0")).profile += "，焊接"

    def no_build(*args, **kwargs):
        raise AssertionError("a request built an index")

    monkeypatch.setattr(lifecycle, "_build", no_build)
    with store.transaction() as s:
        held = ready(session=s, runtime=reader)
        assert held.name == builder.state.name and reader.refresh_wanted.is_set()
        need = s.scalar(select(TechNeed).where(TechNeed.external_id == "N-1"))
        assert get_matches(session=s, runtime=reader, need=need, target="society")
    monkeypatch.undo()
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=builder)  # the refresher's job
    time.sleep(1.1)  # readers look at the pointer about once a second
    with store.transaction() as s:
        assert ready(session=s, runtime=reader).name == builder.state.name != held.name


def test_long_documents_and_token_ids_are_written_a_part_at_a_time(tmp_path, monkeypatch):
    """At a million experts a version's documents and token ids are written in parts: the
    very JSON ``json.dumps`` gives, and every text's tokens (empty ones too) in order."""
    from matcher.matching.tokens import TokenCache

    monkeypatch.setattr(persist, "JSON_ITEMS", 3)
    monkeypatch.setattr("matcher.matching.tokens.PUT_TEXTS", 2)
    value = {
        "rows": {"cities": ["郑州", None] * 5, "fit_texts": [f"文本{i}" for i in range(7)]},
        "memberships": [[1, 2]] * 4,
        "by_id": {1: "甲"},
        "empty": [],
    }
    persist.write_json(tmp_path / "d.json", value)
    assert (tmp_path / "d.json").read_text(encoding="utf-8") == json.dumps(
        value, ensure_ascii=False
    )
    entries = {"a": ["轴承", "齿轮"], "b": [], "c": [], "d": ["齿轮", "水库"], "e": []}
    arrays, docs = {}, {}
    TokenCache(dict(entries)).put(arrays, docs)
    words = np.array(docs["vocab.tokens"], dtype=object)[arrays["tokens.ids"]].tolist()
    ends = np.cumsum(arrays["tokens.lengths"]).tolist()
    got = {h.decode(): words[e - n : e] for h, n, e in zip(
        arrays["tokens.hashes"], arrays["tokens.lengths"].tolist(), ends, strict=True
    )}  # fmt: skip
    assert got == entries
