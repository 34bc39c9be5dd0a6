"""``matcher proposals generate [--dry-run] | list | summary`` as system:cli."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from matcher.cli import app
from matcher.cli_support import close_cli_stores
from matcher.models import AuditEvent


def run(*args: str):
    close_cli_stores()
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_generate_list_and_summary(store, settings, pw, tmp_path) -> None:
    dry = run("proposals", "generate", "--dry-run")
    assert "将生成 would create" in dry and "郑州重工机械有限公司" in dry and "2 对" in dry
    assert not (settings.data_dir / "documents").exists()
    out = run("proposals", "generate")
    assert out.count("已生成 created WS-") == 2
    assert str(settings.data_dir / "documents" / "proposals") in out
    assert len(list((settings.data_dir / "documents" / "proposals").glob("WS-*.docx"))) == 2
    assert "已有建议 exists" in run("proposals", "generate")
    listed = run("proposals", "list", "--status", "draft")
    assert listed.count("draft") == 2 and "共 2 条" in listed
    sheet = tmp_path / "汇总.xlsx"
    assert "2 proposals" in run("proposals", "summary", "--out", str(sheet))
    assert sheet.read_bytes()[:2] == b"PK"
    with store.transaction() as s:
        labels = set(s.scalars(select(AuditEvent.actor_label).where(
            AuditEvent.action == "proposals_generated")))  # fmt: skip
    assert labels == {"system:cli"}


def test_a_bad_summary_format_is_a_clean_error(store, settings, pw, tmp_path) -> None:
    close_cli_stores()
    result = CliRunner().invoke(app, ["proposals", "summary", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "Traceback" not in result.output
