"""The import examples in the README work as written (run in order, on both databases)."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.config import Settings

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Importing spreadsheets", 1)[1].split("```bash", 1)[1].split("```")[0]
    lines = [ln.split(" #", 1)[0].strip() for ln in block.splitlines()]
    return [shlex.split(ln)[1:] for ln in lines if ln.startswith(".venv/bin/matcher")]


def test_readme_import_examples(settings: Settings, tmp_path: Path) -> None:
    commands = readme_commands()
    assert len(commands) >= 8
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for args in commands:
            args = [a.replace("/tmp/matcher-try", str(tmp_path)) for a in args]
            # a command that asks for a password (typed twice) gets one on its input
            result = runner.invoke(app, args, input="readme-pass-2026\n" * 2)
            bad = any(a.endswith("_bad.csv") for a in args)
            assert result.exit_code == (1 if bad else 0), (args, result.output)
            if bad:
                assert len(re.findall(r"enterprises_bad\.csv:\d+:\w+:", result.output)) == 5
    finally:
        os.chdir(cwd)
    matches = (tmp_path / "matches.csv").read_text(encoding="utf-8-sig").splitlines()
    assert matches[1].startswith("N001,1,S001,")  # 盾构主轴承 → 机械工程学会
    assert (tmp_path / "needs.xlsx").stat().st_size > 0
