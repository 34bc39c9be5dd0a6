"""Scratch arrays: a build's large arrays in unlinked, mapped files (``matcher.scratch``)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matcher import scratch
from matcher.matching.aside import aside
from matcher.text.counts import count_matrix, spilled


def test_outside_a_build_arrays_are_ordinary(tmp_path) -> None:
    big = scratch.empty(scratch.SPILL_BYTES, np.uint8)
    assert not scratch.active() and not scratch.is_spilled(big)
    array = np.arange(5)
    assert scratch.spill(array, min_bytes=0) is array


def test_large_arrays_are_mapped_files_that_leave_nothing_on_disk(tmp_path) -> None:
    with scratch.spilling(tmp_path):
        big = scratch.zeros((scratch.SPILL_BYTES // 8, 2), np.float32)
        small = scratch.empty(16, np.float32)
        moved = scratch.spill(np.arange(10, dtype=np.int64), min_bytes=0)
    assert scratch.is_spilled(big) and not scratch.is_spilled(small)
    assert big.shape == (scratch.SPILL_BYTES // 8, 2) and not big.any()
    big[-1] = 7  # writable, after the build's context too
    assert big[-1].tolist() == [7, 7]
    assert scratch.is_spilled(moved) and moved.tolist() == list(range(10))
    assert list(tmp_path.iterdir()) == []  # unlinked as soon as mapped


def test_the_setting_follows_the_build_into_its_aside_threads(tmp_path) -> None:
    with scratch.spilling(tmp_path):
        assert aside(scratch.active).result() is True
    assert aside(scratch.active).result() is False


def test_spilled_counts_are_the_same_matrix(tmp_path) -> None:
    m = sp.csr_matrix(np.array([[0, 2, 0], [1, 0, 3]], np.float32))
    with scratch.spilling(tmp_path):
        out = spilled(m)
    assert scratch.is_spilled(out.data) and scratch.is_spilled(out.indices)
    assert (out != m).nnz == 0 and out.has_canonical_format
    assert spilled(m) is m  # (not spilling: as it is)


@pytest.mark.parametrize("chunk", [1, 3, 1000])
def test_counting_in_chunks_gives_the_matrix_of_one_pass(monkeypatch, tmp_path, chunk) -> None:
    docs = [["a", "b", "a"], [], ["c"], ["b", "x", "b"], ["a"]] * 7
    vocab = {"a": 0, "b": 1, "c": 2}
    whole = count_matrix(docs, vocab)
    monkeypatch.setattr("matcher.text.counts.COUNT_CHUNK", chunk)
    with scratch.spilling(tmp_path):
        parts = count_matrix(docs, vocab)
    assert parts.shape == whole.shape and (parts != whole).nnz == 0
    assert parts.has_canonical_format
    assert parts.indices.dtype == whole.indices.dtype and parts.dtype == whole.dtype
