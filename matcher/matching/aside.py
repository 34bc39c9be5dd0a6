"""Work started in a thread of its own while the caller goes on (numpy, scipy, FAISS,
hashing and SQLite release the GIL: on two cores both run at once)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor


def aside(fn, /, **kwargs) -> Future:
    """``fn(**kwargs)`` run in a thread of its own while the caller goes on; the future's
    ``result`` waits for it and raises what it raised."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-aside")
    try:
        return pool.submit(fn, **kwargs)
    finally:
        pool.shutdown(wait=False)
