"""Benchmark ``import_file`` on a synthetic experts file.

    .venv/bin/python scripts/benchmark_import.py                 # 100,000 experts, SQLite
    .venv/bin/python scripts/benchmark_import.py --rows 20000 \
        --database-url postgresql://postgres@127.0.0.1:5432/test   # a scratch schema there

Prints rows/s of the bulk import (first import and an unchanged re-import) and the ratio
against a naive one-ORM-object-per-row import of a smaller sample, run in the same process.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from matcher.config import Settings
from matcher.db import Store, open_store
from matcher.imports.columns import KINDS, resolve_headers
from matcher.imports.parsing import parse_rows
from matcher.imports.readers import read_table
from matcher.imports.service import import_file
from matcher.models import Expert, Society

CITIES = ["郑州", "洛阳", "新乡", "南阳", "Kaifeng", "河南省许昌市", "济源", "北京市"]
AREAS = ["焊接", "材料", "催化", "农学", "智能制造", "电池", "中药", "遥感", "育种", "光电"]
TITLES = ["教授", "研究员", "高级工程师", "副教授"]


def write_files(folder: Path, rows: int, societies: int, seed: int = 7) -> tuple[Path, Path]:
    rng = random.Random(seed)
    soc_path, exp_path = folder / "societies.csv", folder / "experts.csv"
    with soc_path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["编号", "学会名称", "学科领域", "城市"])
        for i in range(societies):
            out.writerow([f"S{i:04d}", f"河南省第{i}学会", "；".join(rng.sample(AREAS, 2)), "郑州"])
    with exp_path.open("w", encoding="gb18030", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["编号", "姓名", "所属学会", "职称", "工作单位", "城市", "研究方向", "个人简介", "手机"]
        )
        for i in range(rows):
            out.writerow(
                [
                    f"E{i:07d}",
                    f"专家{i}",
                    "；".join(f"S{s:04d}" for s in rng.sample(range(societies), rng.randint(1, 3))),
                    rng.choice(TITLES),
                    f"第{i % 500}研究所",
                    rng.choice(CITIES),
                    "、".join(rng.sample(AREAS, 3)),
                    "长期从事" + "、".join(rng.sample(AREAS, 2)) + "方面的研究与技术服务。",
                    f"13{rng.randint(0, 999_999_999):09d}",
                ]
            )
    return soc_path, exp_path


@contextmanager
def scratch_store(url: str | None, folder: Path, name: str):
    """A fresh migrated store: a SQLite file in ``folder``, or a new PostgreSQL schema."""
    if not url:
        store = open_store(f"sqlite:///{folder / name}.db")
        try:
            yield store
        finally:
            store.dispose()
        return
    base = Settings(database_url=url).sqlalchemy_url
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    store = open_store(scoped.render_as_string(hide_password=False))
    try:
        yield store
    finally:
        store.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def timed_import(store: Store, kind: str, path: Path) -> tuple[float, object]:
    start = time.perf_counter()
    with store.transaction() as session:
        report = import_file(session=session, actor=None, kind=kind, filename=path.name, path=path)
    return time.perf_counter() - start, report


def naive_import(store: Store, path: Path, limit: int) -> tuple[float, int]:
    """The baseline: same reading and validation, then one ORM object and flush per row."""
    start = time.perf_counter()
    table = read_table(path.name, path.read_bytes())
    headers = resolve_headers(KINDS["experts"], table.headers, path.name)
    rows, _ = parse_rows(table.rows[:limit], headers, path.name)
    with store.transaction() as session:
        for row in rows:
            values = dict(row.values)
            societies = values.pop("society_external_id")
            expert = session.scalar(select(Expert).where(Expert.external_id == row.external_id))
            if expert is None:
                expert = Expert(external_id=row.external_id)
                session.add(expert)
            for key, value in values.items():
                setattr(expert, key, value)
            expert.societies = [
                session.scalars(select(Society).where(Society.external_id == s)).one()
                for s in societies
            ]
            session.flush()
    return time.perf_counter() - start, len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--societies", type=int, default=300)
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    backend = "postgresql" if args.database_url else "sqlite"
    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        folder = Path(tmp)
        soc_path, exp_path = write_files(folder, args.rows, args.societies)
        size_mb = exp_path.stat().st_size / 1e6
        print(f"{backend}: {args.rows:,} experts ({size_mb:.1f} MB GB18030 CSV)")
        with scratch_store(args.database_url, folder, "bulk") as store:
            timed_import(store, "societies", soc_path)
            first, report = timed_import(store, "experts", exp_path)
            print(f"  bulk import      {first:7.2f} s  {args.rows / first:9,.0f} rows/s  {report}")
            again, report = timed_import(store, "experts", exp_path)
            print(f"  re-import (same) {again:7.2f} s  {args.rows / again:9,.0f} rows/s  {report}")
        with scratch_store(args.database_url, folder, "naive") as store:
            timed_import(store, "societies", soc_path)
            naive, n = naive_import(store, exp_path, args.baseline_rows)
            print(f"  naive per-row    {naive:7.2f} s  {n / naive:9,.0f} rows/s  ({n:,} rows)")
        ratio = (args.rows / first) / (n / naive)
        print(f"  bulk is {ratio:.1f}x the naive rows/s")
        if backend == "sqlite" and args.rows >= 100_000 and first > 60:
            print("  FAIL: 100,000 experts must import in under a minute on SQLite")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
