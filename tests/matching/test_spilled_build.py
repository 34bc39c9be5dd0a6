"""A build whose large arrays go to scratch files (``matcher.scratch``: how a million
experts' index is built in a few GiB) saves the very version an in-memory build saves, and
leaves no file behind."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matcher import scratch
from matcher.demo.generator import write_demo_files
from matcher.imports.service import import_file
from matcher.matching import persist
from matcher.matching.service import MatchingRuntime, ensure_indexes

TIMES = ("built_at", "build_seconds")
SMALL = {"societies": 12, "experts": 260, "enterprises": 10, "needs": 20}


def _saved(index_dir) -> dict[str, object]:
    """Every file of the current version by name (arrays, JSON without the build's times,
    FAISS bytes)."""
    vdir = index_dir / persist.current_name(index_dir)
    out: dict[str, object] = {}
    for path in sorted(vdir.iterdir()):
        if path.suffix == ".npy":
            out[path.name] = np.load(path, allow_pickle=False)
        elif path.name == "meta.json":
            meta = json.loads(path.read_text())
            out[path.name] = {k: v for k, v in meta.items() if k not in TIMES}
        elif path.name != "manifest.json":
            out[path.name] = path.read_bytes()
    return out


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_spilling_build_saves_what_an_in_memory_build_saves(
    settings, store, tmp_path, monkeypatch
) -> None:
    paths = write_demo_files(tmp_path / "demo", seed=5, **SMALL)
    with store.transaction() as s:
        for kind in ("societies", "experts", "enterprises", "needs"):
            import_file(session=s, actor=None, kind=kind, filename=f"{kind}.csv", path=paths[kind])
    runtime = MatchingRuntime.load(settings)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
    assert not scratch.is_spilled(runtime.state.experts.vectors)  # (small: all in memory)
    in_memory = _saved(settings.index_dir)

    monkeypatch.setattr(scratch, "SPILL_BYTES", 1)  # every large-array path spills
    monkeypatch.setattr("matcher.text.char_counts.CHUNK", 17)  # counted in many blocks
    monkeypatch.setattr("matcher.text.counts.COUNT_CHUNK", 23)
    runtime.settings.scratch_dir = tmp_path / "scratch"  # (``MATCHER_SCRATCH_DIR``)
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime, refit=True)
    state = runtime.state
    assert scratch.is_spilled(state.experts.vectors)
    assert scratch.is_spilled(state.counts.experts["char12"].data)
    assert scratch.is_spilled(state.evidence.char_experts.data)
    assert scratch.is_spilled(state.experts.bm25.by_row.data)
    spilled = _saved(settings.index_dir)

    assert spilled.keys() == in_memory.keys()
    for name, value in in_memory.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(spilled[name], value), name
            assert spilled[name].dtype == value.dtype, name
        else:
            assert spilled[name] == value, name
    assert (tmp_path / "scratch").is_dir() and not list((tmp_path / "scratch").iterdir())
    assert not list(settings.index_dir.glob(".tmp-scratch-*"))
