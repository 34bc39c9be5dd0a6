"""``matcher backup`` / ``matcher restore`` round-trip the whole store and the data
directory's documents, on SQLite and PostgreSQL; a newer-schema archive is refused."""

from __future__ import annotations

import io
import json
import stat
import tarfile
from pathlib import Path

from sqlalchemy import func, select, text
from typer.testing import CliRunner

from matcher.cli import app
from matcher.models import AuditEvent, Enterprise, Society, TechNeed, User

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"
runner = CliRunner()


def _cli(*args: str, input: str | None = None):
    result = runner.invoke(app, [str(a) for a in args], input=input)
    return result


def _snapshot(store) -> dict:
    with store.transaction() as s:
        return {
            "societies": sorted(s.scalars(select(Society.external_id))),
            "enterprises": sorted(
                (e.external_id, e.name, e.contact_phone) for e in s.scalars(select(Enterprise))
            ),
            "needs": sorted((n.external_id, n.title) for n in s.scalars(select(TechNeed))),
            "users": sorted(s.scalars(select(User.username))),
            "audit": s.scalar(select(func.count()).select_from(AuditEvent)),
        }


def _load(store) -> None:
    for kind, name in (
        ("societies", "societies_gbk.csv"),
        ("experts", "experts.jsonl"),
        ("enterprises", "enterprises.csv"),
        ("needs", "needs.csv"),
    ):
        r = _cli("import", kind, EXAMPLES / name)
        assert r.exit_code == 0, r.output
    r = _cli(
        "users",
        "create",
        "--username",
        "staff1",
        "--role",
        "staff",
        "--password-stdin",
        input="staff-password-2026\n",
    )
    assert r.exit_code == 0, r.output


def test_backup_and_restore_round_trip(settings, store, tmp_path):
    _load(store)
    document = settings.data_dir / "documents" / "proposal-1.docx"
    document.parent.mkdir(parents=True)
    document.write_bytes(b"PK\x03\x04 a proposal")
    before = _snapshot(store)
    archive = tmp_path / "backups" / "store.tar.gz"
    r = _cli("backup", archive)
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "files/documents/proposal-1.docx" in names
    assert not any(".secret_key" in n or n.endswith("matcher.db") for n in names)

    # the store moves on: more rows, a deleted society's needs, a lost document
    assert _cli("import", "societies", EXAMPLES / "societies_gbk.csv").exit_code == 0
    with store.transaction() as s:
        s.execute(text("DELETE FROM tech_needs"))
        s.add(Enterprise(external_id="LATE", name="后来的企业"))
    document.unlink()
    assert _snapshot(store) != before

    refused = _cli("restore", archive, input="n\n")
    assert refused.exit_code == 1  # aborted at the confirmation
    r = _cli("restore", archive, "--yes")
    assert r.exit_code == 0, r.output
    assert _snapshot(store) == before
    assert document.read_bytes() == b"PK\x03\x04 a proposal"
    # the restored store works: a log-in that existed at backup time, an import
    assert _cli("import", "needs", EXAMPLES / "needs.csv").exit_code == 0


def _doctor(archive: Path, out: Path, revision: str) -> Path:
    """A copy of ``archive`` claiming another schema revision (database included)."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["schema_revision"] = revision
                data = json.dumps(manifest).encode()
            elif member.name == "database.sqlite":
                import sqlite3
                import tempfile

                with tempfile.NamedTemporaryFile(suffix=".db") as tmp:
                    Path(tmp.name).write_bytes(data)
                    conn = sqlite3.connect(tmp.name)
                    conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
                    conn.commit()
                    conn.close()
                    data = Path(tmp.name).read_bytes()
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


def test_restore_refuses_a_backup_from_a_newer_schema(settings, store, tmp_path):
    _load(store)
    archive = tmp_path / "store.tar.gz"
    assert _cli("backup", archive).exit_code == 0
    before = _snapshot(store)
    newer = _doctor(archive, tmp_path / "newer.tar.gz", "9999_from_the_future")
    r = _cli("restore", newer, "--yes")
    assert r.exit_code == 1
    assert "backup_too_new" in r.output and "newer schema" in r.output and "9999" in r.output
    assert "Traceback" not in r.output
    assert _snapshot(store) == before


def test_restore_refuses_a_damaged_or_hostile_archive(settings, store, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive at all")
    r = _cli("restore", junk, "--yes")
    assert r.exit_code == 1 and "bad_backup" in r.output
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../../escape.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    r = _cli("restore", evil, "--yes")
    assert r.exit_code == 1 and "suspicious" in r.output
    assert not (tmp_path.parent / "escape.txt").exists()
