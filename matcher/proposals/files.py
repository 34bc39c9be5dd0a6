"""Proposal documents on disk: ``$MATCHER_DATA_DIR/documents/proposals/WS-00007.docx``.

A document is never edited in place: each version is written to a temp file in the same
directory (mode 0600) and renamed over the old one, so a reader sees the old or the new
file, never half of one. The proposal keeps the path (relative to the data directory, so a
restored backup finds it) and the SHA-256 of what was written.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from matcher.config import Settings
from matcher.private import clean_stale_temp_files, private_dir

SUBDIR = Path("documents") / "proposals"


def number(proposal_id: int) -> str:
    return f"WS-{proposal_id:05d}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_document(settings: Settings, proposal_id: int, data: bytes) -> tuple[str, str]:
    """Write (or replace) a proposal's document atomically; (relative path, SHA-256)."""
    relative = SUBDIR / f"{number(proposal_id)}.docx"
    target = settings.data_dir / relative
    private_dir(settings.data_dir / "documents")  # parents first: each gets mode 0700
    clean_stale_temp_files(private_dir(target.parent))
    atomic_write(target, data)
    return relative.as_posix(), sha256(data)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file (mode 0600) beside ``path``, then rename it over."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_document(settings: Settings, relative: str | None, checksum: str | None) -> bytes | None:
    """The stored document when it is there and intact (its checksum matches), else None."""
    if not relative or not checksum:
        return None
    path = (settings.data_dir / relative).resolve()
    if settings.data_dir.resolve() not in path.parents:
        return None  # a stored path never leaves the data directory
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if sha256(data) == checksum else None
