"""``backup`` and ``restore``: one archive holding the database and the data directory's
documents, readable by this account only.

* SQLite: a consistent copy through SQLite's online backup API (the service may keep
  running while it is taken); PostgreSQL: ``pg_dump -Fc`` of the store's schema, restored
  with ``pg_restore`` in one transaction.
* The data directory's files go along, except what is rebuilt or must not travel: the
  SQLite files, the signing key, the indexes and fitted models, lock and temp files.
* The manifest names the schema revision; a restore refuses an archive from a newer
  schema (or another database kind), then migrates an older one to the newest schema.

Restore replaces the whole store: stop the API and the UI first.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from matcher.config import Settings
from matcher.db import Store, alembic_config, migrate
from matcher.errors import InvalidInputError, MatcherError
from matcher.private import FILE_MODE, temp_tag

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
PG_MEMBER = "database.pgdump"
FILES = "files"
SKIPPED_DIRS = frozenset({"index", "models", "dict", "examples"})
"""Top-level folders of the data directory left out: rebuilt, or shipped with the code."""


class BackupError(MatcherError):
    code = "backup_failed"
    status = 500


@dataclass(frozen=True)
class BackupReport:
    path: Path
    dialect: str
    revision: str
    files: int
    size: int


def _dialect(store: Store) -> str:
    return store.engine.dialect.name


def _revision(conn) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no alembic_version table: an empty or foreign database
        return None


def _head(store: Store) -> str:
    return ScriptDirectory.from_config(alembic_config(store.engine)).get_current_head()


def _known_revision(store: Store, revision: str) -> bool:
    script = ScriptDirectory.from_config(alembic_config(store.engine))
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several types for an unknown revision
        return False


def _sqlite_path(store: Store) -> Path:
    database = store.engine.url.database
    if not database or database == ":memory:":
        raise InvalidInputError("内存数据库无法备份", "an in-memory database cannot be backed up")
    return Path(database)


# ---- PostgreSQL command-line tools ----------------------------------------------------------


def _pg_target(store: Store) -> tuple[str, dict[str, str], str]:
    """A libpq URI without the password (which goes in the environment), its environment,
    and the store's schema."""
    url = make_url(store.engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    with store.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    return plain.render_as_string(hide_password=False), env, schema


def _run(tool: str, args: list[str], env: dict[str, str]) -> None:
    if shutil.which(tool) is None:
        raise BackupError(
            f"找不到 {tool}，请安装 PostgreSQL 客户端工具",
            f"{tool} not found; install the PostgreSQL client tools",
        )
    done = subprocess.run([tool, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BackupError(f"{tool} 失败：{' '.join(detail)}", f"{tool} failed: {' '.join(detail)}")


# ---- backup ---------------------------------------------------------------------------------


def _data_files(settings: Settings, exclude: Path) -> list[Path]:
    root = settings.data_dir
    if not root.is_dir():
        return []
    db = None
    if settings.is_sqlite:
        db = Path(settings.sqlalchemy_url.split("///", 1)[1]).resolve()
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        name = path.name
        if (
            not path.is_file()
            or path.is_symlink()
            or rel.parts[0] in SKIPPED_DIRS
            or name.startswith(".secret_key")
            or name.endswith((".lock", ".tmp"))
            or ".tmp" in name
            or (
                db is not None
                and path.resolve().name.startswith(db.name)
                and path.parent.resolve() == db.parent
            )
            or path.resolve() == exclude
        ):
            continue
        found.append(path)
    return found


def backup(*, settings: Settings, store: Store, path: Path) -> BackupReport:
    """Write the archive to ``path`` atomically (mode 0600)."""
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    dialect = _dialect(store)
    with tempfile.TemporaryDirectory(prefix=".matcher-backup-", dir=path.parent) as work:
        work_dir = Path(work)
        if dialect == "sqlite":
            member, dump = SQLITE_MEMBER, work_dir / SQLITE_MEMBER
            source = sqlite3.connect(_sqlite_path(store))
            target = sqlite3.connect(dump)
            try:
                source.backup(target)  # consistent, while others keep writing
                revision = target.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            finally:
                target.close()
                source.close()
        elif dialect == "postgresql":
            member, dump = PG_MEMBER, work_dir / PG_MEMBER
            uri, env, schema = _pg_target(store)
            with store.engine.connect() as conn:
                revision = _revision(conn)
            _run(
                "pg_dump",
                ["-Fc", "--no-owner", "--no-privileges", "-n", schema, "-f", str(dump), uri],
                env,
            )
        else:
            raise InvalidInputError(f"不支持备份 {dialect}", f"cannot back up {dialect}")
        files = _data_files(settings, exclude=path)
        manifest = {
            "format": FORMAT,
            "dialect": dialect,
            "schema_revision": revision,
            "created_at": datetime.now(UTC).isoformat(),
            "database": member,
            "files": [str(p.relative_to(settings.data_dir).as_posix()) for p in files],
        }
        archive = work_dir / "archive.tar.gz"
        fd = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            blob = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(blob), FILE_MODE
            tar.addfile(info, io.BytesIO(blob))
            tar.add(dump, arcname=member, recursive=False)
            for file in files:
                rel = file.relative_to(settings.data_dir).as_posix()
                tar.add(file, arcname=f"{FILES}/{rel}", recursive=False)
        os.replace(archive, path)
    return BackupReport(path, dialect, revision or "", len(files), path.stat().st_size)


# ---- restore --------------------------------------------------------------------------------


def _bad_archive(path: Path, why_zh: str, why_en: str) -> InvalidInputError:
    return InvalidInputError(
        f"{path.name} 不是可用的备份：{why_zh}",
        f"{path.name} is not a usable backup: {why_en}",
        code="bad_backup",
    )


def _safe_member(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not PurePosixPath(name).is_absolute() and ".." not in parts


def _read_archive(path: Path, into: Path) -> dict:
    """Extract the archive's regular files into ``into``; the manifest."""
    try:
        with tarfile.open(path, mode="r:*") as tar:
            for member in tar.getmembers():
                if not member.isfile() or not _safe_member(member.name):
                    raise _bad_archive(
                        path, f"可疑的条目 {member.name}", f"suspicious entry {member.name}"
                    )
                source = tar.extractfile(member)
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(source, out)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _bad_archive(
            path, f"无法读取（{type(exc).__name__}）", f"unreadable ({type(exc).__name__})"
        ) from None
    try:
        manifest = json.loads((into / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        raise _bad_archive(path, "缺少清单", "no manifest") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad_archive(path, "清单格式未知", "unknown manifest format")
    return manifest


def check_revision(store: Store, revision: str | None, path: Path) -> None:
    """Refuse an archive whose schema this version of matcher does not know (newer)."""
    if not revision:
        raise _bad_archive(path, "未记录数据库版本", "no schema revision recorded")
    if not _known_revision(store, revision):
        head = _head(store)
        raise InvalidInputError(
            f"{path.name} 来自更新的数据库版本 {revision}（本程序支持到 {head}），"
            "请先升级 matcher 再恢复",
            f"{path.name} comes from a newer schema (revision {revision}; this matcher knows up "
            f"to {head}); upgrade matcher before restoring it",
            code="backup_too_new",
        )


def restore(*, settings: Settings, store: Store, path: Path) -> BackupReport:
    """Replace the store (and the data directory's documents) with the archive's."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"找不到备份 {path}", f"no backup at {path}")
    dialect = _dialect(store)
    with tempfile.TemporaryDirectory(prefix=".matcher-restore-") as work:
        work_dir = Path(work)
        manifest = _read_archive(path, work_dir)
        if manifest.get("dialect") != dialect:
            raise InvalidInputError(
                f"备份来自 {manifest.get('dialect')} 数据库，不能恢复到 {dialect}",
                f"the backup is of a {manifest.get('dialect')} database; it cannot be restored "
                f"into {dialect}",
                code="bad_backup",
            )
        revision = manifest.get("schema_revision")
        check_revision(store, revision, path)
        dump = work_dir / str(manifest.get("database", ""))
        if not dump.is_file() or not _safe_member(str(manifest.get("database", ""))):
            raise _bad_archive(path, "缺少数据库文件", "no database in the archive")
        if dialect == "sqlite":
            _restore_sqlite(store, dump, path)
        else:
            uri, env, _schema = _pg_target(store)
            store.engine.dispose()
            _run(
                "pg_restore",
                [
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "-d",
                    uri,
                    str(dump),
                ],
                env,
            )
        files = _restore_files(settings, work_dir / FILES)
    store.engine.dispose()
    migrate(store.engine)  # an older backup is brought up to the newest schema
    _new_identity(store)
    return BackupReport(path, dialect, revision, files, path.stat().st_size)


def _new_identity(store: Store) -> None:
    """A restored store is another store to the indexes kept in the data directory: its
    profile revision went back, and a refresh must not take their rows for its own
    (``matcher.matching.kept_rows`` reads only the rows changed since the index's
    revision) nor a signature for theirs."""
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE profile_revision SET store_id = :s WHERE id = 1"), {"s": uuid.uuid4().hex}
        )


def _restore_sqlite(store: Store, dump: Path, path: Path) -> None:
    source = sqlite3.connect(dump)
    try:
        row = source.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        source.close()
        raise _bad_archive(path, "数据库文件已损坏", "the database file is damaged") from None
    check_revision(store, row[0] if row else None, path)
    store.engine.dispose()
    target = sqlite3.connect(_sqlite_path(store), timeout=30)
    try:
        source.backup(target)  # replaces every page of the live file, under its lock
    finally:
        target.close()
        source.close()


def _restore_files(settings: Settings, folder: Path) -> int:
    if not folder.is_dir():
        return 0
    count = 0
    for source in sorted(folder.rglob("*")):
        if not source.is_file():
            continue
        target = settings.data_dir / source.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.restore.tmp{temp_tag()}")
        shutil.copyfile(source, tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
        count += 1
    return count
