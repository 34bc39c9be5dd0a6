"""``matcher index`` on a store without experts (or societies) says what to import first."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from matcher.cli import app

ROOT = Path(__file__).resolve().parents[2]


def test_index_without_experts_asks_for_them(settings):
    runner = CliRunner()
    r = runner.invoke(app, ["index"])
    assert r.exit_code == 1 and "no societies" in r.output and "Traceback" not in r.output
    imported = runner.invoke(
        app, ["import", "societies", str(ROOT / "data/examples/societies_gbk.csv")]
    )
    assert imported.exit_code == 0, imported.output
    r = runner.invoke(app, ["index"])
    assert r.exit_code == 1, r.output
    assert "nothing_to_index" in r.output and "import experts" in r.output
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
