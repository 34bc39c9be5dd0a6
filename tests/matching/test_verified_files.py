"""A saved version's files are hashed once per process while they stay as they were; a file
changed in place is hashed again and refused, even with its modification time put back."""

from __future__ import annotations

import os

import numpy as np
import pytest

from matcher.matching import persist


@pytest.fixture
def version_dir(tmp_path):
    bundle = persist.Bundle({"m": 1}, {}, {"a": np.arange(1000, dtype=np.int64)})
    name = persist.write_version(tmp_path, bundle, version="v")
    return tmp_path, name


def _hashed(monkeypatch) -> list[str]:
    calls: list[str] = []
    digest = persist._digest
    monkeypatch.setattr(persist, "_digest", lambda p: calls.append(p.name) or digest(p))
    return calls


def test_a_file_read_again_is_not_hashed_again(version_dir, monkeypatch):
    index_dir, name = version_dir
    persist._verified.clear()
    calls = _hashed(monkeypatch)
    first = persist.Version(index_dir, name).array("a")
    again = persist.Version(index_dir, name).array("a")  # another reader of the same file
    assert np.array_equal(first, again)
    assert calls == ["a.npy"]


def test_a_file_changed_in_place_is_hashed_again_and_refused(version_dir, monkeypatch):
    index_dir, name = version_dir
    persist._verified.clear()
    persist.Version(index_dir, name).array("a")
    path = index_dir / name / "a.npy"
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # the same size; the modification time put back
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    calls = _hashed(monkeypatch)
    with pytest.raises(persist.Refused):
        persist.Version(index_dir, name).array("a")
    assert calls == ["a.npy"]


def test_the_oldest_remembered_files_are_forgotten(version_dir, monkeypatch):
    index_dir, name = version_dir
    persist._verified.clear()
    monkeypatch.setattr(persist, "VERIFIED_MAX", 1)
    persist.Version(index_dir, name).json("meta")
    persist.Version(index_dir, name).array("a")
    assert len(persist._verified) == 1
