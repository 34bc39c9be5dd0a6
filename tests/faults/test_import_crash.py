"""An import killed with SIGKILL after validation, in the middle of its bulk write, leaves the
store exactly as it was (SQLite and PostgreSQL), holds no lock, and the same command then
succeeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from matcher.auth.actors import SYSTEM_CLI
from matcher.imports.service import import_file
from matcher.imports.writer import CHUNK
from matcher.models import Enterprise, Expert, TechNeed, expert_societies
from tests.faults.crash import killed, run_cli, store_fingerprint, temp_files
from tests.imports.form_sheets import NEEDS, write_xlsx

pytestmark = pytest.mark.slow  # each test runs and kills matcher subprocesses

SOCIETIES = 4
BEFORE = 300  # experts already stored, rewritten by the killed import
AFTER = BEFORE + 2 * CHUNK  # experts in the killed import: two chunks of inserts


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _experts(path: Path, count: int, version: str) -> Path:
    rows = [
        [
            f"X{i:05d}",
            f"专家{i}",
            f"S{i % SOCIETIES}" if version == "v1" else f"S{(i + 1) % SOCIETIES}",
            "郑州",
            f"研究方向{i % 17}",
            f"{version} 从事第{i}号课题：轴承寿命、焊接工艺与废水处理",
        ]
        for i in range(count)
    ]
    header = ["external_id", "name", "society_external_id", "city", "research_areas", "profile"]
    return _write_csv(path, header, rows)


def _seed(store, tmp_path: Path) -> None:
    societies = _write_csv(
        tmp_path / "societies.csv",
        ["external_id", "name", "description", "city", "capacity"],
        [[f"S{i}", f"河南省第{i}学会", f"第{i}学会简介", "郑州", 5] for i in range(SOCIETIES)],
    )
    with store.transaction() as session:
        for kind, path in (
            ("societies", societies),
            ("experts", _experts(tmp_path / "experts_v1.csv", BEFORE, "v1")),
        ):
            import_file(session=session, actor=SYSTEM_CLI, kind=kind, filename=path.name, path=path)


def _count(store, what) -> int:
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(what))


def test_import_killed_mid_write_changes_nothing(store, settings, tmp_path):
    _seed(store, tmp_path)
    before = store_fingerprint(store)
    path = _experts(tmp_path / "experts_v2.csv", AFTER, "v2")  # 300 updates, 2,000 inserts
    for fault in ("import:after_rows", "import:after_links", "db:before_commit"):
        proc = run_cli("import", "experts", path, fault=fault)
        assert killed(proc), (fault, proc.returncode, proc.stderr[-2000:])
        assert store_fingerprint(store) == before, fault
    proc = run_cli("import", "experts", path)  # no lock left behind: runs at once
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"{AFTER - BEFORE} created, {BEFORE} updated" in proc.stdout
    assert _count(store, Expert) == AFTER
    assert _count(store, expert_societies) == AFTER
    assert not temp_files(settings.data_dir)


def test_one_sheet_import_killed_between_tables_changes_nothing(store, settings, tmp_path):
    """A need summary writes its enterprises, then its needs: killed in between, neither."""
    _seed(store, tmp_path)
    before = store_fingerprint(store)
    path = write_xlsx(tmp_path / "汇总表.xlsx")
    proc = run_cli("import", "needs", path, fault="import:after_rows")  # enterprises written
    assert killed(proc), (proc.returncode, proc.stderr[-2000:])
    assert store_fingerprint(store) == before
    proc = run_cli("import", "needs", path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _count(store, TechNeed) == len(NEEDS)
    assert _count(store, Enterprise) == 3
