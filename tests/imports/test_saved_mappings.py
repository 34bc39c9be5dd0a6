"""Column mappings saved by name: checked like a mapping file, staff only, audited, reused
by ``matcher import --mapping-name``; and the preview an import page shows before it runs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.auth.actors import SYSTEM_CLI
from matcher.errors import (
    ImportRejectedError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from matcher.imports import mappings
from matcher.imports.preview import field_choices, mapping_from_choices, preview_file
from matcher.imports.service import import_file
from matcher.models import AuditEvent, Role, TechNeed, User
from tests.imports.form_sheets import unfamiliar, write_xlsx

MAPPING = {"申报单位名称": "机构全称", "需求背景": "ignore"}


@pytest.fixture
def sheet(tmp_path) -> bytes:
    columns, needs = unfamiliar()
    return write_xlsx(tmp_path / "汇总表.xlsx", needs, columns).read_bytes()


def _save(session, name="市科协汇总表", mapping=MAPPING, kind="needs", actor=SYSTEM_CLI):
    return mappings.save_mapping(
        session=session, actor=actor, name=name, kind=kind, mapping=mapping
    )


def test_a_mapping_is_saved_listed_replaced_and_deleted_with_an_audit(session) -> None:
    first = _save(session)
    assert (first.name, first.kind, first.mapping) == ("市科协汇总表", "needs", MAPPING)
    assert first.created_by == "system:cli"
    _save(session, name="学会表", mapping={"学会全称": "name"}, kind="societies")
    listed = mappings.list_mappings(session=session, actor=SYSTEM_CLI)
    assert [m.name for m in listed] == ["学会表", "市科协汇总表"]
    only = mappings.list_mappings(session=session, actor=SYSTEM_CLI, kind="needs")
    assert [m.name for m in only] == ["市科协汇总表"]

    again = _save(session, name=" 市科协汇总表 ", mapping={"需求背景": "忽略"})
    assert again.mapping == {"需求背景": "忽略"} and again.created_at == first.created_at
    got = mappings.get_mapping(session=session, actor=SYSTEM_CLI, name="市科协汇总表")
    assert got.mapping == {"需求背景": "忽略"}

    mappings.delete_mapping(session=session, actor=SYSTEM_CLI, name="市科协汇总表")
    with pytest.raises(NotFoundError):
        mappings.get_mapping(session=session, actor=SYSTEM_CLI, name="市科协汇总表")
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["import_mapping_saved"] * 3 + ["import_mapping_deleted"]
    assert events[0].detail["created"] and not events[2].detail["created"]
    assert events[3].detail["mapping"] == {"需求背景": "忽略"}


@pytest.mark.parametrize(
    ("name", "kind", "mapping", "message"),
    [
        ("x", "needs", {"需求背景": "no_such_field"}, "is not a field of needs"),
        ("x", "needs", {"需求背景": 3}, "mapping values must be field names"),
        ("x", "needs", {f"列{i}": "ignore" for i in range(501)}, "at most 500 columns"),
        ("x", "widgets", {"a": "ignore"}, "unknown kind"),
        ("", "needs", MAPPING, "a mapping name has 1–100 characters"),
        ("a/b", "needs", MAPPING, "without / \\"),
        ("x" * 101, "needs", MAPPING, "a mapping name"),
    ],
)
def test_a_bad_mapping_is_refused_like_a_bad_mapping_file(session, name, kind, mapping, message):
    with pytest.raises(InvalidInputError) as caught:
        _save(session, name=name, kind=kind, mapping=mapping)
    assert message in caught.value.message
    assert session.scalar(select(AuditEvent.id)) is None


def test_only_staff_save_or_read_mappings(session) -> None:
    ent = User(username="e", password_hash="-", role=Role.ENTERPRISE)
    with pytest.raises(PermissionDeniedError):
        _save(session, actor=ent)
    with pytest.raises(PermissionDeniedError):
        mappings.list_mappings(session=session, actor=ent)
    with pytest.raises(PermissionDeniedError):
        mappings.list_mappings(session=session, actor=None)


def test_an_import_takes_a_saved_mapping_of_its_kind_or_a_file_not_both(session) -> None:
    _save(session)
    use = mappings.mapping_for_import
    assert use(session=session, actor=SYSTEM_CLI, kind="needs", name=None, mapping=None) is None
    saved = use(session=session, actor=SYSTEM_CLI, kind="needs", name="市科协汇总表", mapping=None)
    assert saved == MAPPING
    with pytest.raises(InvalidInputError, match="not both"):
        use(session=session, actor=SYSTEM_CLI, kind="needs", name="市科协汇总表", mapping={})
    with pytest.raises(InvalidInputError, match="is for needs, not societies"):
        use(session=session, actor=SYSTEM_CLI, kind="societies", name="市科协汇总表", mapping=None)
    with pytest.raises(NotFoundError):
        use(session=session, actor=SYSTEM_CLI, kind="needs", name="没有", mapping=None)


def test_the_preview_reads_the_table_as_the_import_does(sheet) -> None:
    before = preview_file(actor=SYSTEM_CLI, kind="needs", filename="汇总表.xlsx", data=sheet)
    assert before.header_row == 3 and before.total == 4 and len(before.notes) == 2
    fields = {c.label: c.field for c in before.columns}
    assert fields["申报单位名称"] is None and fields["需求背景"] is None
    assert fields["需求时限 > 开始年限"] == "start_year"
    assert fields["技术需求概述 > 主要问题"] == "problem"
    assert (fields["关键字 > 关键字5"], fields["序号"]) == ("keywords", "ignore")
    assert any("申报单位名称: 未识别的列" in p for p in before.problems)
    number, first = before.rows[0]
    assert number == 4 and first["申报单位名称"] == "郑州精工有限公司"
    assert first["联系人移动电话"] == "13800138000"
    sample = {c.label: c.sample for c in before.columns}
    assert sample["技术需求名称"] == "高强钢焊接工艺优化"

    chosen = {c.label: c.field for c in before.columns}
    chosen |= {"申报单位名称": "enterprise_name", "需求背景": "ignore"}
    mapping = mapping_from_choices("needs", chosen, base={"别的表的列": "title"})
    assert mapping == {
        "别的表的列": "title",
        "申报单位名称": "enterprise_name",
        "需求背景": "ignore",
    }
    after = preview_file(
        actor=SYSTEM_CLI, kind="needs", filename="汇总表.xlsx", data=sheet, mapping=mapping
    )
    assert after.problems == []
    assert {c.label: c.builtin for c in after.columns}["申报单位名称"] is None
    assert {c.label: c.field for c in after.columns}["申报单位名称"] == "enterprise_name"


def test_the_preview_lists_what_stops_the_import(sheet, session) -> None:
    with pytest.raises(ImportRejectedError) as caught:
        import_file(
            session=session, actor=SYSTEM_CLI, kind="needs", filename="汇总表.xlsx", data=sheet
        )
    preview = preview_file(actor=SYSTEM_CLI, kind="needs", filename="汇总表.xlsx", data=sheet)
    assert preview.problems == [str(e) for e in caught.value.errors]
    missing = preview_file(actor=SYSTEM_CLI, kind="needs", filename="a.csv", data=b"x,y\n1,2\n")
    assert missing.problems == [
        "a.csv：缺少必填列 external_id、title / "
        "a.csv: missing required column(s) external_id, title"
    ]
    with pytest.raises(PermissionDeniedError):
        preview_file(actor=None, kind="needs", filename="a.csv", data=b"x,y\n1,2\n")


def test_field_choices_name_every_field_with_its_chinese_header() -> None:
    choices = field_choices("needs")
    assert choices["title"] == "title（需求名称）"
    assert choices["enterprise_name"] == "enterprise_name（机构全称）"
    assert choices["problem"] == "problem（主要问题）"
    assert list(choices)[-1] == "ignore"


def test_cli_imports_with_a_saved_mapping_name(cli, store, tmp_path) -> None:
    columns, needs = unfamiliar()
    path = write_xlsx(tmp_path / "汇总表.xlsx", needs, columns)
    refused = cli("import", "needs", path, "--mapping-name", "市科协汇总表")
    assert refused.exit_code == 1 and "import mapping not found" in refused.stderr
    with store.transaction() as s:
        _save(s)
    result = cli("import", "needs", path, "--mapping-name", "市科协汇总表")
    assert result.exit_code == 0, result.output
    assert "4 rows, 4 created" in result.stdout
    toml = tmp_path / "mapping.toml"
    toml.write_text('"需求背景" = "ignore"\n', encoding="utf-8")
    both = cli("import", "needs", path, "--mapping-name", "市科协汇总表", "--map", toml)
    assert both.exit_code == 1 and "not both" in both.stderr
    wrong = cli("import", "societies", path, "--mapping-name", "市科协汇总表")
    assert wrong.exit_code == 1 and "is for needs, not societies" in wrong.stderr
    with store.transaction() as s:
        assert len(s.scalars(select(TechNeed)).all()) == 4
