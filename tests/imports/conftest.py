"""Writing small import files in any format and encoding, and running the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.imports.service import ImportReport, import_file

Rows = Sequence[Sequence[Any]]


def write_rows(path: Path, rows: Rows, encoding: str = "utf-8") -> Path:
    """``rows[0]`` is the header. .csv in ``encoding``; .xlsx with native cell types;
    .jsonl one object per data row (None cells left out)."""
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        for row in rows:
            workbook.active.append(list(row))
        workbook.save(path)
    elif path.suffix == ".jsonl":
        header = rows[0]
        lines = [
            json.dumps(
                {h: v for h, v in zip(header, row, strict=False) if v is not None},
                ensure_ascii=False,
            )
            for row in rows[1:]
        ]
        path.write_text("\n".join(lines) + "\n", encoding=encoding)
    else:
        text = "\r\n".join(",".join("" if v is None else str(v) for v in row) for row in rows)
        path.write_bytes((text + "\r\n").encode(encoding))
    return path


@pytest.fixture
def make_file(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str, rows: Rows, encoding: str = "utf-8") -> Path:
        return write_rows(tmp_path / name, rows, encoding)

    return make


@pytest.fixture
def cli(settings) -> Callable[..., Any]:
    """Runs ``matcher …`` against the test database; returns the click Result."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [str(a) for a in args])

    return run


_SOCIETIES: list[list[Any]] = [
    ["编号", "学会名称（必填）", "学科领域", "城市", "服务容量", "联系人", "联系电话", "电子邮箱"],
    [
        "S001",
        "河南省机械工程学会",
        "机械工程；材料",
        "郑州",
        5,
        "王工",
        "0371-66668888",
        "a@hnast.cn",
    ],
    ["S002", "河南省化学会", "化学、化工", "Luoyang", None, None, 13800138000, None],
    ["S003", "河南省农学会", "农学", "河南省南阳市", 0, None, None, None],
]

_EXPERTS: list[list[Any]] = [
    ["external_id", "专家姓名", "所属学会", "职称", "工作单位", "所在城市", "研究方向", "个人简介"],
    ["E001", "张三", "S001;S002", "教授", "郑州大学", "郑州市", "焊接，材料", "从事焊接研究"],
    ["E002", "李四", "S002", "研究员", "河南省科学院", "济源", "催化", None],
]

_ENTERPRISES: list[list[Any]] = [
    [
        "企业编号",
        "企业名称",
        "统一社会信用代码",
        "地市",
        "区县",
        "所属行业",
        "企业规模",
        "是否链主",
    ],
    ["C001", "郑州精工有限公司", "91350100M000100Y43", "郑州", "金水区", "装备制造", "中型", "是"],
    ["C002", "洛阳新材料股份公司", "91110000802100433b", "洛阳", None, "新材料", "大型", "否"],
]

_NEEDS: list[list[Any]] = [
    ["需求编号", "企业编号", "需求标题", "需求描述", "行业", "城市", "关键词", "截止日期"],
    [
        "N001",
        "C001",
        "高强钢焊接工艺优化",
        "焊缝开裂，需要工艺改进",
        "装备制造",
        "郑州",
        "焊接；高强钢",
        "2026/12/31",
    ],
    ["N002", None, "催化剂寿命提升", "提升寿命", "化工", "洛阳", "催化剂", "2026年6月1日"],
]


@pytest.fixture
def samples() -> dict[str, list[list[Any]]]:
    """Small valid files of each kind (header first), fresh copies per test."""
    tables = {
        "societies": _SOCIETIES,
        "experts": _EXPERTS,
        "enterprises": _ENTERPRISES,
        "needs": _NEEDS,
    }
    return {kind: [list(r) for r in rows] for kind, rows in tables.items()}


@pytest.fixture
def load(store, make_file) -> Callable[..., ImportReport]:
    """Imports rows (or the sample of ``kind``) in one committed transaction."""

    def run(kind: str, rows: Rows, name: str | None = None, encoding: str = "utf-8"):
        path = make_file(name or f"{kind}.csv", rows, encoding)
        with store.transaction() as session:
            return import_file(
                session=session, actor=None, kind=kind, filename=path.name, path=path
            )

    return run
