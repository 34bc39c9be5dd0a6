"""import_file against a real database: values stored, upserts, all-or-nothing, references."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from matcher.errors import ImportRejectedError, InvalidInputError
from matcher.imports.service import import_file
from matcher.models import AuditEvent, Enterprise, Expert, Society, TechNeed


def _count(store, model) -> int:
    with store.transaction() as s:
        return s.scalar(select(func.count()).select_from(model))


def _load_all(load, samples) -> None:
    for kind in ("societies", "experts", "enterprises", "needs"):
        report = load(kind, samples[kind])
        assert (report.total, report.created) == (len(samples[kind]) - 1,) * 2


def test_a_full_programme_is_stored_normalised(store, load, samples) -> None:
    _load_all(load, samples)
    with store.transaction() as s:
        soc = {x.external_id: x for x in s.scalars(select(Society))}
        assert soc["S001"].disciplines == ["机械工程", "材料"]
        assert [soc[k].city for k in ("S001", "S002", "S003")] == ["郑州市", "洛阳市", "南阳市"]
        assert [soc[k].capacity for k in ("S001", "S002", "S003")] == [5, 10, 0]
        assert soc["S002"].contact_phone == "13800138000"
        expert = s.scalars(select(Expert).where(Expert.external_id == "E001")).one()
        assert sorted(x.external_id for x in expert.societies) == ["S001", "S002"]
        assert expert.research_areas == ["焊接", "材料"]
        assert s.scalars(select(Expert.city).where(Expert.external_id == "E002")).one() == (
            "济源示范区"
        )
        ent = {x.external_id: x for x in s.scalars(select(Enterprise))}
        assert ent["C002"].credit_code == "91110000802100433B"
        assert (ent["C001"].is_chain_leader, ent["C002"].is_chain_leader) == (True, False)
        needs = {x.external_id: x for x in s.scalars(select(TechNeed))}
        assert needs["N001"].enterprise_id == ent["C001"].id
        assert needs["N002"].enterprise_id is None
        assert needs["N001"].deadline == date(2026, 12, 31)
        assert needs["N002"].deadline == date(2026, 6, 1)
        assert needs["N001"].keywords == ["焊接", "高强钢"]
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.action, e.target_type, e.count) for e in events] == [
            ("import", "societies", 3),
            ("import", "experts", 2),
            ("import", "enterprises", 2),
            ("import", "needs", 2),
        ]
        assert events[0].detail["file"] == "societies.csv"
        assert events[0].detail["created"] == 3


@pytest.mark.parametrize(
    ("name", "encoding"),
    [("s.csv", "gbk"), ("s.csv", "utf-8-sig"), ("s.xlsx", ""), ("s.jsonl", "")],
)
def test_every_format_imports_the_same_rows(store, load, samples, name, encoding) -> None:
    report = load("societies", samples["societies"], name, encoding or "utf-8")
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    with store.transaction() as s:
        rows = s.execute(select(Society.external_id, Society.name, Society.contact_phone)).all()
    assert sorted(rows) == [
        ("S001", "河南省机械工程学会", "0371-66668888"),
        ("S002", "河南省化学会", "13800138000"),
        ("S003", "河南省农学会", None),
    ]


def test_reimport_is_idempotent_and_updates_by_external_id(store, load, samples) -> None:
    _load_all(load, samples)
    for kind in ("societies", "experts", "enterprises", "needs"):
        report = load(kind, samples[kind])
        assert (report.created, report.updated, report.unchanged) == (0, 0, report.total)
    rows = samples["societies"]
    rows[2][1] = "河南省化学化工学会"
    rows.append(["S004", "河南省林学会", "林学", "信阳", 3, None, None, None])
    report = load("societies", rows)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 2)
    with store.transaction() as s:
        names = dict(s.execute(select(Society.external_id, Society.name)).all())
        changes = s.scalars(select(AuditEvent.detail).order_by(AuditEvent.id.desc())).first()
    assert names["S002"] == "河南省化学化工学会"
    assert len(names) == 4
    assert (changes["created"], changes["updated"], changes["unchanged"]) == (1, 1, 2)


def test_an_experts_societies_are_replaced_by_the_file(store, load, samples) -> None:
    _load_all(load, samples)
    rows = [["编号", "姓名", "所属学会"], ["E001", "张三", "S003"], ["E002", "李四", "S002"]]
    report = load("experts", rows)
    assert (report.updated, report.unchanged) == (1, 1)  # only E001's societies changed
    with store.transaction() as s:
        expert = s.scalars(select(Expert).where(Expert.external_id == "E001")).one()
        assert [x.external_id for x in expert.societies] == ["S003"]
        # columns the file does not have keep their values
        assert (expert.title, expert.affiliation) == ("教授", "郑州大学")


def test_one_bad_row_rejects_the_whole_file(store, load, samples) -> None:
    load("societies", samples["societies"])
    rows = samples["societies"]
    rows[1][1] = "改过的名称"  # a good change that must not be written either
    rows.insert(2, ["S009", "坏行学会", None, None, "很多", None, "12345", "not-an-email"])
    rows.append(["S010", "新学会", None, None, None, None, None, None])
    with pytest.raises(ImportRejectedError) as info:
        load("societies", rows)
    assert [(e.row, e.field) for e in info.value.errors] == [
        (3, "capacity"),
        (3, "contact_phone"),
        (3, "email"),
    ]
    with store.transaction() as s:
        names = dict(s.execute(select(Society.external_id, Society.name)).all())
        imports = s.scalar(select(func.count()).select_from(AuditEvent))
    assert sorted(names) == ["S001", "S002", "S003"]
    assert names["S001"] == "河南省机械工程学会"
    assert imports == 1


def test_unknown_references_are_row_errors(store, load, samples) -> None:
    load("societies", samples["societies"])
    experts = samples["experts"] + [["E003", "王五", "S001、S404", None, None, None, None, None]]
    with pytest.raises(ImportRejectedError) as info:
        load("experts", experts)
    [error] = info.value.errors
    assert (error.row, error.field) == (4, "society_external_id")
    assert "S404" in error.reason
    with pytest.raises(ImportRejectedError) as info:
        load("needs", samples["needs"])  # no enterprises in the store yet
    assert [(e.row, e.field) for e in info.value.errors] == [(2, "enterprise_external_id")]
    assert _count(store, Expert) == _count(store, TechNeed) == 0


def test_credit_codes_are_unique_in_the_file_and_the_store(store, load, samples) -> None:
    load("enterprises", samples["enterprises"])
    rows = [
        ["企业编号", "企业名称", "统一社会信用代码"],
        ["C003", "新企业", "91350100M000100Y43"],  # belongs to C001
        ["C004", "另一企业", "91350100M000100Y44"],  # wrong check character
        ["C002", "洛阳新材料股份公司", "91110000802100433B"],  # its own code: fine
        ["C005", "重复企业", "91350100M000100Y43"],  # repeats row 2 (and is C001's)
    ]
    with pytest.raises(ImportRejectedError) as info:
        load("enterprises", rows)
    reasons = [(e.row, e.reason) for e in info.value.errors]
    assert [row for row, _ in reasons] == [2, 3, 5]
    assert "已属于企业 C001" in reasons[0][1]
    assert "校验位错误 / credit code check character is wrong" in reasons[1][1]
    assert "与第 2 行重复" in reasons[2][1]
    assert _count(store, Enterprise) == 2


def test_uploaded_bytes_and_bad_requests(store) -> None:
    data = "编号,名称\nS1,甲学会\n".encode("gbk")
    with store.transaction() as s:
        report = import_file(session=s, actor=None, kind="societies", filename="up.csv", data=data)
    assert report.created == 1
    with store.transaction() as s, pytest.raises(InvalidInputError, match="unknown kind"):
        import_file(session=s, actor=None, kind="users", filename="up.csv", data=data)
    with store.transaction() as s, pytest.raises(InvalidInputError, match=r"up\.csv.*name"):
        import_file(session=s, actor=None, kind="societies", filename="up.csv", data=b"id\n1\n")
