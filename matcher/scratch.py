"""Large arrays of an index build held in files, not in the process's own memory.

Within ``spilling(directory)``, every array of at least ``SPILL_BYTES`` that the build makes
through ``empty`` (or moves with ``spill``) is a shared mapping of a file there, unlinked as
soon as it is mapped: the kernel writes its pages out and reads them back as it needs, so a
build whose arrays pass the memory it may use (a million experts' counts, vectors and
weighed rows: over 6 GB) runs inside a container's limit; nothing is left on disk when the
process ends or is killed, and outside ``spilling`` (requests, small stores) arrays are
ordinary. The setting follows the build into its ``aside`` threads (a context variable).
"""

from __future__ import annotations

import contextlib
import mmap
import os
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

import numpy as np

from matcher.private import temp_tag

SPILL_BYTES = 64 << 20
"""Arrays below this stay in memory (a 100,000-expert store's largest count arrays pass it
only in the character spaces)."""

_directory: ContextVar[Path | None] = ContextVar("scratch_directory", default=None)


@contextlib.contextmanager
def spilling(directory: Path | None) -> Iterator[None]:
    """Large arrays made within are backed by files in ``directory`` (None: in memory)."""
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    token = _directory.set(directory)
    try:
        yield
    finally:
        _directory.reset(token)


def active() -> bool:
    """Whether large arrays made here go to files."""
    return _directory.get() is not None


def empty(shape: int | tuple[int, ...], dtype, *, min_bytes: int | None = None) -> np.ndarray:
    """``np.empty(shape, dtype)``, file-backed when spilling and at least ``min_bytes``
    (default ``SPILL_BYTES``; its pages start as zeros)."""
    shape = (shape,) if isinstance(shape, int | np.integer) else tuple(shape)
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    directory = _directory.get()
    if directory is None or nbytes < max(SPILL_BYTES if min_bytes is None else min_bytes, 1):
        return np.empty(shape, dtype)
    fd, path = tempfile.mkstemp(dir=directory, prefix=".tmp-scratch-", suffix=f"-{temp_tag()}")
    try:
        os.unlink(path)  # (the mapping keeps the file until it is let go)
        os.posix_fallocate(fd, 0, nbytes)  # (a full disk: OSError here, not SIGBUS later)
        buffer = mmap.mmap(fd, nbytes, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    finally:
        os.close(fd)
    return np.frombuffer(buffer, dtype).reshape(shape)


def zeros(shape: int | tuple[int, ...], dtype) -> np.ndarray:
    """``np.zeros``, file-backed as ``empty`` (a new file's pages are zeros)."""
    out = empty(shape, dtype)
    if not is_spilled(out):
        out.fill(0)
    return out


def spill(array: np.ndarray, *, min_bytes: int | None = None) -> np.ndarray:
    """``array`` moved to a file when spilling and at least ``min_bytes`` (the caller lets
    the original go: e.g. each of many blocks that together are large), else itself."""
    out = empty(array.shape, array.dtype, min_bytes=min_bytes)
    if not is_spilled(out):
        return array
    out[...] = array
    return out


def is_spilled(array: np.ndarray) -> bool:
    """Whether ``array``'s memory is a scratch file's mapping."""
    base = array
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    return isinstance(getattr(base, "obj", base), mmap.mmap)  # (``frombuffer``: a memoryview)
