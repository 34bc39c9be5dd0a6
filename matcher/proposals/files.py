"""Proposal documents on disk: ``$MATCHER_DATA_DIR/documents/proposals/WS-00007.docx``.

A document is never edited in place: each version is written to a temp file in the same
directory (mode 0600) and renamed over the old one, so a reader sees the old or the new
file, never half of one. The rename waits for the transaction that stores the proposal to
commit (a rollback, or a process killed before the commit, leaves no document of a proposal
that was never stored; a temp file a killed process left is removed by the next writer). The
proposal keeps the path (relative to the data directory, so a restored backup finds it) and
the SHA-256 of what was written.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from matcher.config import Settings
from matcher.private import clean_stale_temp_files, private_dir, temp_tag

log = logging.getLogger(__name__)
SUBDIR = Path("documents") / "proposals"
_PENDING = "matcher.proposals.pending_documents"
"""``session.info`` key: target path → temp file, renamed when the session commits."""


def number(proposal_id: int) -> str:
    return f"WS-{proposal_id:05d}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_document(
    settings: Settings, proposal_id: int, data: bytes, session: Session
) -> tuple[str, str]:
    """Write (or replace) a proposal's document atomically when ``session`` commits;
    (relative path, SHA-256)."""
    relative = SUBDIR / f"{number(proposal_id)}.docx"
    target = settings.data_dir / relative
    private_dir(settings.data_dir / "documents")  # parents first: each gets mode 0700
    clean_stale_temp_files(private_dir(target.parent))
    pending = session.info.setdefault(_PENDING, {})
    replaced = pending.pop(target, None)
    if replaced is not None:  # written twice in one transaction: the last one counts
        replaced.unlink(missing_ok=True)
    pending[target] = _temp_copy(target, data)
    if not event.contains(session, "after_commit", _publish):
        event.listen(session, "after_commit", _publish)
        event.listen(session, "after_rollback", _discard)
    return relative.as_posix(), sha256(data)


def _publish(session: Session) -> None:
    for target, tmp in session.info.pop(_PENDING, {}).items():
        try:
            os.replace(tmp, target)
        except OSError as exc:  # the proposal is stored: its document is rendered on read
            log.warning("document %s not written: %s", target.name, exc)
            tmp.unlink(missing_ok=True)


def _discard(session: Session) -> None:
    for tmp in session.info.pop(_PENDING, {}).values():
        tmp.unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file (mode 0600) beside ``path``, then rename it over."""
    os.replace(_temp_copy(path, data), path)


def _temp_copy(path: Path, data: bytes) -> Path:
    """``data`` in a new temp file (mode 0600) beside ``path``, on disk; named with this
    process's id, so that once the process is gone the next writer removes a leftover."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".tmp{temp_tag()}")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


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
