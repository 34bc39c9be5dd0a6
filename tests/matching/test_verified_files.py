"""A saved version's files are hashed once per process while they stay as they were; a file
changed in place is hashed again and refused, even with its modification time put back."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from matcher.matching import persist

COARSE_CLOCK = 0.02
"""Longer than a tick of the clock file times are taken from (a change within the tick the
file was written in would leave its change time as it was)."""


@pytest.fixture
def version_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(persist, "SETTLED_NS", 0)  # (files written just now remembered)
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
    time.sleep(COARSE_CLOCK)
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


def test_a_file_renamed_over_is_hashed_again_and_refused(version_dir, monkeypatch):
    """Another file put in its place (a rename over it: another inode) is hashed again."""
    index_dir, name = version_dir
    persist._verified.clear()
    persist.Version(index_dir, name).array("a")
    path = index_dir / name / "a.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # the same size
    other = index_dir / "other.npy"
    other.write_bytes(bytes(data))
    os.replace(other, path)
    calls = _hashed(monkeypatch)
    with pytest.raises(persist.Refused):
        persist.Version(index_dir, name).array("a")
    assert calls == ["a.npy"]


def test_a_link_made_to_a_file_has_it_hashed_again(version_dir, monkeypatch):
    """A link made (or removed) changes the file's change time: it is hashed again, as any
    file whose inode changed since it was hashed (the memo never outlives one)."""
    index_dir, name = version_dir
    persist._verified.clear()
    source = persist.Version(index_dir, name)
    source.array("a")
    time.sleep(COARSE_CLOCK)
    bundle = persist.Bundle({"m": 2}, {}, {})
    linked = persist.write_version(index_dir, bundle, version="w", reuse=(source, ["a.npy"]))
    calls = _hashed(monkeypatch)
    persist.Version(index_dir, linked).array("a")
    assert calls == ["a.npy"]


def test_a_file_changed_just_before_it_is_hashed_is_not_remembered(version_dir, monkeypatch):
    """A file whose change time is within ``SETTLED_NS`` of the hash is hashed on each read
    (a change in the same clock tick would not change its change time)."""
    index_dir, name = version_dir
    persist._verified.clear()
    monkeypatch.setattr(persist, "SETTLED_NS", 3600 * 10**9)
    calls = _hashed(monkeypatch)
    persist.Version(index_dir, name).array("a")
    persist.Version(index_dir, name).array("a")
    assert calls == ["a.npy", "a.npy"] and not persist._verified
