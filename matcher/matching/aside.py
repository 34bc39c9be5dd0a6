"""Work started in a thread of its own while the caller goes on (numpy, scipy, FAISS,
hashing and SQLite release the GIL: on two cores both run at once)."""

from __future__ import annotations

import contextvars
from concurrent.futures import Future, ThreadPoolExecutor


def aside(fn, /, **kwargs) -> Future:
    """``fn(**kwargs)`` run in a thread of its own while the caller goes on; the future's
    ``result`` waits for it and raises what it raised."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-aside")
    try:  # (in the caller's context: e.g. whether the build spills, ``matcher.scratch``)
        return pool.submit(contextvars.copy_context().run, fn, **kwargs)
    finally:
        pool.shutdown(wait=False)
