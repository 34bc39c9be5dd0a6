"""The saved index: one version directory per build, a pointer to the current one, no pickle.

    index/CURRENT                      the current version's directory name (atomically replaced)
    index/v2-20261205T101500123-<id>/  one build:
        manifest.json                  format, created, every other file's SHA-256 and size
        meta.json                      signature, model, version, fusion, ids → names …
        experts.faiss (+ .json)        FAISS's own format (faiss.write_index)
        *.npy                          arrays (loaded with allow_pickle=False)
        vocab.*.json                   vocabularies, in column order
        counts.*, vocab.counts.*       per-text term counts (read only when refreshing)
        tokens.*                       the token cache (read only when building); a patched
                                       refresh links the previous version's and adds
                                       tokens.extra.* (the texts new since)
        *.delta.*                      a patched version's changed rows of the large
                                       expert-row arrays, vectors, dense index and society
                                       document counts (``row_delta``; the base's linked)

A build is written to ``<name>.tmp<pid>@<host>`` and renamed when complete, then the pointer is
switched; readers in other processes keep what they loaded. Files a build did not change
are hard links to the previous version's (``reuse``), listed with the digest that
version's manifest gives them, so they are checked as any other file when read. Versions
other than the current one are removed once older than ``GRACE_SECONDS``. Anything missing,
damaged (checksum), foreign (another format) or holding objects (a pickled array) is
refused: the caller rebuilds. Nothing read from disk is ever executed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from filelock import FileLock

from matcher import faults
from matcher.private import temp_tag

FORMAT = 2
"""A version whose every array is in its own files."""
DELTA_FORMAT = 3
"""A version holding row deltas on a base's linked files (``row_delta``): code that predates
deltas refuses it (another format) and rebuilds, where it would read the base's rows as this
version's — a rolling upgrade never ranks with shifted vectors."""
READABLE = (FORMAT, DELTA_FORMAT)
STATE_FILE = "CURRENT"
"""The pointer file (what the crash tests look for: absent until a first build completes)."""
GRACE_SECONDS = 600
"""Old versions stay this long after they stop being current (other processes may be
reading them)."""
MAX_JSON_BYTES = 1 << 30
_NAME = re.compile(r"^v\d+-\d{8}T\d{6,12}-[0-9a-f]{12}$")
_FILE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
LEGACY = ("engine_state.v*.pkl*",)
"""Files of the pickled layout: never read, removed on sight."""


class Refused(Exception):
    """A saved version that may not be used (missing, damaged, foreign)."""


UNREADABLE = (Refused, KeyError, TypeError, ValueError, OSError)
"""What reading a saved version may raise when it cannot be used (the caller rebuilds)."""


@dataclass
class Bundle:
    """What one version holds: JSON documents and arrays, by name."""

    meta: dict
    json: dict[str, object]
    arrays: dict[str, np.ndarray]


def put_sparse(arrays: dict, name: str, m: sp.spmatrix) -> None:
    m = sp.csr_matrix(m)
    arrays[f"{name}.data"] = m.data
    arrays[f"{name}.indices"] = m.indices
    arrays[f"{name}.indptr"] = m.indptr
    arrays[f"{name}.shape"] = np.array(m.shape, np.int64)


def get_sparse(arrays, name: str) -> sp.csr_matrix:
    shape = tuple(int(x) for x in arrays[f"{name}.shape"])
    return sp.csr_matrix(
        (arrays[f"{name}.data"], arrays[f"{name}.indices"], arrays[f"{name}.indptr"]), shape=shape
    )


def current_name(index_dir: Path) -> str | None:
    """The current version's directory name, or None (no pointer, or a foreign one)."""
    try:
        name = (index_dir / STATE_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if _NAME.match(name) else None


def write_version(
    index_dir: Path,
    bundle: Bundle,
    *,
    version: str,
    extra: dict[str, object] | None = None,
    reuse: tuple[Version, list[str]] | None = None,
    fmt: int = FORMAT,
) -> str:
    """Write a new version directory and make it current; returns its name. ``extra``:
    objects that save themselves (``save(path) -> list[Path]``, e.g. FAISS indexes);
    ``reuse``: files of another version taken as they are (hard links, else copies);
    ``fmt``: ``DELTA_FORMAT`` when it holds row deltas."""
    index_dir.mkdir(parents=True, exist_ok=True)
    _remove_legacy(index_dir)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"{time.time_ns() % 10**9:09d}"[:3]
    name = f"v{fmt}-{stamp}-{hashlib.sha1(version.encode()).hexdigest()[:12]}"
    tmp = index_dir / f"{name}.tmp{temp_tag()}"
    tmp.mkdir()
    files: list[Path] = []
    for key, value in bundle.arrays.items():
        path = tmp / f"{key}.npy"
        np.save(path, np.ascontiguousarray(value), allow_pickle=False)
        files.append(path)
    for key, value in {"meta": bundle.meta, **bundle.json}.items():
        path = tmp / f"{key}.json"
        write_json(path, value)
        files.append(path)
    for key, obj in (extra or {}).items():
        files += obj.save(tmp / key)
    listed = {p.name: [_digest(p), p.stat().st_size] for p in files}
    if reuse is not None:
        try:
            listed |= _link(reuse[0], reuse[1], tmp)
        except (Refused, OSError):
            shutil.rmtree(tmp, ignore_errors=True)
            raise Refused("files to reuse are gone or changed") from None
    manifest = {"format": fmt, "version": version, "created": time.time(), "files": listed}
    (tmp / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    _fsync_dir(tmp)
    faults.point("index:before_rename")
    with FileLock(str(index_dir / "write.lock")):
        previous = current_name(index_dir)
        if previous and (index_dir / previous).is_dir():
            os.utime(index_dir / previous)  # its grace period starts now
        os.rename(tmp, index_dir / name)
        pointer = index_dir / f"{STATE_FILE}.tmp{temp_tag()}"
        with pointer.open("w", encoding="ascii") as fh:
            fh.write(name)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(pointer, index_dir / STATE_FILE)
        _fsync_dir(index_dir)
    remove_old_versions(index_dir)
    return name


class Version:
    """A saved version, its manifest checked; files are verified as they are read (once per
    process while unchanged: ``_holds``)."""

    def __init__(self, index_dir: Path, name: str) -> None:
        if not _NAME.match(name):
            raise Refused(f"not a version name: {name!r}")
        self.dir = index_dir / name
        self.name = name
        try:
            manifest = json.loads(_read_limited(self.dir / "manifest.json"))
        except (OSError, ValueError) as exc:
            raise Refused(f"manifest unreadable: {exc}") from None
        if not isinstance(manifest, dict) or manifest.get("format") not in READABLE:
            raise Refused("another format")
        files = manifest.get("files")
        if not isinstance(files, dict) or not all(_FILE.match(str(k)) for k in files):
            raise Refused("bad file list")
        self.files: dict[str, list] = files
        self.version = str(manifest.get("version", ""))
        self.created = float(manifest.get("created", 0.0))
        self._checked: set[str] = set()

    def path(self, filename: str) -> Path:
        """The file, once its size and SHA-256 match the manifest."""
        entry = self.files.get(filename)
        if entry is None:
            raise Refused(f"{filename} is not in the manifest")
        path = self.dir / filename
        if filename not in self._checked:
            try:
                stat = path.stat()
            except OSError:
                raise Refused(f"{filename} is missing") from None
            if stat.st_size != entry[1] or not _holds(path, stat, entry[0]):
                raise Refused(f"{filename} is damaged")
            self._checked.add(filename)
        return path

    def json(self, key: str):
        try:
            return json.loads(_read_limited(self.path(f"{key}.json")))
        except ValueError as exc:
            raise Refused(f"{key}.json: {exc}") from None

    def array(self, key: str, *, mapped: bool = False) -> np.ndarray:
        """``mapped``: read-only and memory-mapped (pages are read when touched; version
        directories are never changed once written)."""
        try:  # allow_pickle=False: an object array is refused, never unpickled
            array = np.load(
                self.path(f"{key}.npy"), mmap_mode="r" if mapped else None, allow_pickle=False
            )
        except ValueError as exc:
            raise Refused(f"{key}.npy: {exc}") from None
        return np.asarray(array)  # a plain ndarray (a view of the map when mapped)

    def arrays(self, prefix: str, *, mapped: Collection[str] = ()) -> dict[str, np.ndarray]:
        """The arrays whose names start with ``prefix`` (those in ``mapped``: mapped)."""
        return {
            f[:-4]: self.array(f[:-4], mapped=f[:-4] in mapped)
            for f in self.files
            if f.endswith(".npy") and f.startswith(prefix)
        }


def open_current(index_dir: Path) -> Version | None:
    """The current version, or None when there is none or it is refused."""
    name = current_name(index_dir)
    if name is None:
        return None
    try:
        return Version(index_dir, name)
    except Refused:
        return None


def remove_old_versions(index_dir: Path, *, grace: float = GRACE_SECONDS) -> list[str]:
    """Remove versions that stopped being current more than ``grace`` seconds ago (their
    directory's age; foreign directories matching no version name are left alone)."""
    current = current_name(index_dir)
    removed = []
    now = time.time()
    for entry in index_dir.iterdir() if index_dir.is_dir() else ():
        if entry.name == current or not _NAME.match(entry.name) or not entry.is_dir():
            continue
        try:
            stale = now - entry.stat().st_mtime > grace
        except OSError:
            continue
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def _link(source: Version, names: list[str], into: Path) -> dict[str, list]:
    """Hard-link (else copy) these files of ``source`` into ``into``; their manifest entries
    (the source's: a damaged file stays detectable). A file whose size is not its entry's is
    refused."""
    out = {}
    for name in names:
        entry = source.files.get(name)
        path = source.dir / name
        if entry is None or path.stat().st_size != entry[1]:
            raise Refused(f"{name} cannot be reused")
        try:
            os.link(path, into / name)
        except OSError:
            shutil.copyfile(path, into / name)
        out[name] = list(entry)
    return out


def _remove_legacy(index_dir: Path) -> None:
    for pattern in LEGACY:
        for old in index_dir.glob(pattern):
            old.unlink(missing_ok=True)


VERIFIED_MAX = 4096
"""Files whose digest this process checked, remembered (the oldest forgotten past this)."""
SETTLED_NS = 2 * 10**9
"""A file is remembered only when its change time was this much older than the hash: a
change in the clock tick of the last one (1 or 2 s on some file systems) would leave the
change time as it was (git's "racily clean" entries)."""
_verified: dict[tuple[int, ...], str] = {}
_verified_lock = threading.Lock()


def _holds(path: Path, stat: os.stat_result, digest: str) -> bool:
    """Whether the file's SHA-256 is ``digest``; hashed once per process while the file is
    as it was then (device, inode, size, modification and change times: any write, even one
    that puts the modification time back, changes the change time). A version's files are
    never changed once written, so a second read (a new ``Version`` of the same directory, or
    of one linking the file) is not hashed again, until a link to the file is made or removed
    (a patched version saved, an old one removed): that changes its change time too. A file
    changed less than ``SETTLED_NS`` before is not remembered."""
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    if _verified.get(key) == digest:
        return True
    hashed_at = time.time_ns()
    if _digest(path) != digest:
        return False
    if hashed_at - stat.st_ctime_ns < SETTLED_NS:  # (changed just now: not remembered)
        return True
    with _verified_lock:  # (a refresh reads parts in a second thread)
        while len(_verified) >= VERIFIED_MAX:
            _verified.pop(next(iter(_verified)))
        _verified[key] = digest
    return True


def write_json(path: Path, value: object) -> None:
    """``json.dumps(value, ensure_ascii=False)`` to ``path`` in parts: a long list (a million
    experts' texts) is written ``JSON_ITEMS`` items at a time, never as one string (which,
    with its parts and its UTF-8 copy, would take gigabytes)."""
    with path.open("w", encoding="utf-8") as fh:
        for part in _json_parts(value):
            fh.write(part)


def _json_parts(value: object) -> Iterator[str]:
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        yield "{"
        for i, (k, v) in enumerate(value.items()):
            yield (", " if i else "") + json.dumps(k, ensure_ascii=False) + ": "
            yield from _json_parts(v)
        yield "}"
    elif isinstance(value, list) and len(value) > JSON_ITEMS:
        yield "["
        for lo in range(0, len(value), JSON_ITEMS):
            yield (", " if lo else "") + json.dumps(
                value[lo : lo + JSON_ITEMS], ensure_ascii=False
            )[1:-1]
        yield "]"
    else:
        yield json.dumps(value, ensure_ascii=False)


JSON_ITEMS = 10_000
"""Items of a long list that ``write_json`` encodes at once."""


def _digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _read_limited(path: Path) -> str:
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ValueError("too large")
    return path.read_text(encoding="utf-8")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
