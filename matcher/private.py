"""Files only this account may read: the data directory (0700), the signing key and the
SQLite store (0600), and the clean-up of temp files a killed process left behind."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import time
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
STALE_TEMP_SECONDS = 3600
"""Temp files without a process id of this machine are removed once older than this."""
HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:63] or "host"


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by this account only; an existing
    directory is left as it is (it may be shared on purpose, e.g. ``data/`` in a checkout)."""
    path = Path(path)
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        with contextlib.suppress(OSError):  # mkdir's mode is masked by the umask
            os.chmod(path, DIR_MODE)
    return path


def touch_private(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 unless it exists (never truncates)."""
    path = Path(path)
    private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        os.close(fd)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write a new file with mode 0600 (fails if it exists)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


# ---- temp files left by killed processes ---------------------------------------------------

_PID_TEMP = re.compile(  # name.tmp<pid>[@<host>], .tmp-<name>-<pid>[@<host>]
    r"(?:\.tmp|^\.tmp-.+-)(\d+)(?:@([A-Za-z0-9-]+))?$"
)
_AGE_TEMP = re.compile(r"^\.tmp-|\.tmp$")  # temp names without a process id


def temp_tag() -> str:
    """This process's mark for the temp files it writes, ``<pid>@<host>``: a leftover is
    removed as soon as its process is gone on this machine, and one another machine wrote
    into a shared data directory only once it is older than ``STALE_TEMP_SECONDS``."""
    return f"{os.getpid()}@{HOST}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _remove(path: Path) -> int:
    try:
        size = path.stat().st_size
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        return size
    except FileNotFoundError:
        return 0


def clean_stale_temp_files(*dirs: Path, now: float | None = None) -> list[Path]:
    """Remove temp files that a process killed while saving left in ``dirs``: those named
    ``*.tmp<pid>[@<host>]`` or ``.tmp-*-<pid>[@<host>]`` (``temp_tag``) whose process on this
    machine is gone, and other machines' and other ``.tmp-*``/``*.tmp`` entries once older
    than an hour (a live writer renames its temp file within seconds). Returns what was
    removed."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    for directory in dirs:
        if not Path(directory).is_dir():
            continue
        for entry in Path(directory).iterdir():
            match = _PID_TEMP.search(entry.name)
            if match and match.group(2) in (None, HOST):
                stale = not _alive(int(match.group(1)))
            elif match or _AGE_TEMP.search(entry.name):
                try:
                    stale = now - entry.lstat().st_mtime > STALE_TEMP_SECONDS
                except FileNotFoundError:
                    continue
            else:
                continue
            if stale:
                _remove(entry)
                removed.append(entry)
    return removed
