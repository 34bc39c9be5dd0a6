"""``matcher import needs`` on need-collection summary sheets, as staff run it: the form's
layout found, enterprises found or created from the rows, structured fields stored,
exported and re-imported; unknown headers stop the import until a mapping file names them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from matcher.exports.service import build_table, export_table
from matcher.models import AuditEvent, Enterprise, TechNeed
from tests.imports.form_sheets import (
    JINGGONG,
    NEEDS,
    NONGJI,
    XINCAILIAO,
    unfamiliar,
    write_wps_csv,
    write_xlsx,
)


def _stored(store, model, key: str) -> dict:
    """Every stored row of ``model``, detached, by its ``key`` attribute."""
    with store.transaction() as s:
        rows = s.scalars(select(model)).all()
        s.expunge_all()
    return {getattr(row, key): row for row in rows}


def _needs(store) -> dict[str, TechNeed]:
    return _stored(store, TechNeed, "title")


def _enterprises(store) -> dict[str, Enterprise]:
    return _stored(store, Enterprise, "name")


def _count(store, model) -> int:
    with store.transaction() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_summary_sheet_imports_in_one_command(cli, store, tmp_path) -> None:
    path = write_xlsx(tmp_path / "2022年需求汇总.xlsx")
    result = cli("import", "needs", path)
    assert result.exit_code == 0, result.output
    assert "enterprises: 3 created, 0 updated, 0 unchanged" in result.stdout
    assert "imported needs: 4 rows, 4 created" in result.stdout
    assert result.stderr == ""  # 序号, 传真, 机构简介 … are known and not stored

    ents = _enterprises(store)
    jg = ents["郑州精工有限公司"]
    assert (jg.credit_code, jg.city, jg.contact_name) == ("91350100M000100Y43", "郑州市", "王工")
    assert (jg.contact_phone, jg.email) == ("13800138000", "jg@jinggong.example.cn")
    xcl = ents["洛阳新材料（集团）股份有限公司"]
    assert (xcl.city, xcl.contact_phone) == ("洛阳市", "0379-12345678")  # the landline
    nj = ents["南阳市农机服务中心有限公司"]
    assert (nj.credit_code, nj.contact_phone) == (None, "13900000000")
    assert jg.external_id == "ENT-91350100M000100Y43" and nj.external_id.startswith("ENT-")

    needs = _needs(store)
    weld = needs["高强钢焊接工艺优化"]
    assert weld.enterprise_id == jg.id
    assert weld.description == (
        "主要问题：高强钢焊缝易开裂\n技术关键：焊接热输入控制\n预期目标：焊缝无裂纹，强度达母材 90%"
    )
    assert weld.keywords == ["焊接", "高强钢", "焊缝"]
    assert (weld.start_year, weld.end_year, weld.budget) == (2022, 2024, 50.0)
    assert (weld.solution_mode, weld.partner, weld.activity_type) == (
        "合作研发",
        "郑州大学",
        "应用研究",
    )
    assert (weld.discipline, weld.fields) == ("材料科学", ["先进制造", "新材料"])
    assert (weld.application_industry, weld.city) == ("通用设备制造业", "郑州市")
    laser = needs["激光切割精度提升"]
    assert laser.keywords == ["激光切割", "厚板", "挂渣", "精度", "光束质量"]
    assert laser.description == "主要问题：厚板切口挂渣\n预期目标：切口粗糙度 Ra ≤ 6.3"
    assert (laser.start_year, laser.end_year, laser.budget) == (2022, 2023, 5000.0)
    assert laser.enterprise_id == jg.id  # the enterprise repeated on its second need
    magnet = needs["稀土永磁材料耐腐蚀涂层"]
    assert (magnet.start_year, magnet.end_year, magnet.budget) == (2022, 2022, None)
    assert (magnet.solution_mode, magnet.activity_type) == ("其他", None)
    assert magnet.fields == ["新材料", "表面工程"]
    assert needs["丘陵地区小麦收获机改进"].enterprise_id == nj.id

    again = cli("import", "needs", path)
    assert "enterprises: 0 created, 0 updated, 3 unchanged" in again.stdout
    assert "4 rows, 0 created, 0 updated, 4 unchanged" in again.stdout
    with store.transaction() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
    assert event.detail["enterprises"] == {"created": 3, "updated": 0, "unchanged": 0}


def test_the_wps_gbk_csv_of_the_sheet_reads_the_same(cli, store, tmp_path) -> None:
    csv_path = write_wps_csv(tmp_path / "汇总表.csv")
    assert csv_path.read_bytes().decode("gbk").startswith("2022年河南省企业技术需求汇总表,,")
    first = cli("import", "needs", csv_path)
    assert first.exit_code == 0, first.output
    assert "4 rows, 4 created" in first.stdout
    # the .xlsx it was saved from changes nothing: same rows, same values
    second = cli("import", "needs", write_xlsx(tmp_path / "汇总表.xlsx"))
    assert second.exit_code == 0, second.output
    assert "enterprises: 0 created, 0 updated, 3 unchanged" in second.stdout
    assert "4 rows, 0 created, 0 updated, 4 unchanged" in second.stdout


def test_an_unknown_header_stops_the_import_until_a_mapping_names_it(cli, store, tmp_path) -> None:
    columns, needs = unfamiliar()
    path = write_xlsx(tmp_path / "汇总表.xlsx", needs, columns)
    result = cli("import", "needs", path)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("汇总表.xlsx:3:申报单位名称: 未识别的列")
    assert lines[1].startswith("汇总表.xlsx:3:需求背景: 未识别的列")
    assert "--map" in lines[0] and "未写入任何数据" in lines[2]
    assert _count(store, TechNeed) == _count(store, Enterprise) == 0

    mapping = tmp_path / "mapping.toml"
    mapping.write_text('"需求背景" = "忽略"\n', encoding="utf-8")
    partly = cli("import", "needs", path, "--map", mapping)
    assert partly.exit_code == 1
    assert "申报单位名称: 未识别的列" in partly.stderr and "需求背景" not in partly.stderr

    mapping.write_text(
        "# column in the file = field (or an alias of it, or ignore)\n"
        '"申报单位名称" = "机构全称"\n"需求背景" = "ignore"\n',
        encoding="utf-8",
    )
    result = cli("import", "needs", path, "--map", mapping)
    assert result.exit_code == 0, result.output
    assert "4 rows, 4 created" in result.stdout
    assert sorted(_enterprises(store)) == sorted(
        d["机构全称"] for d in (JINGGONG, XINCAILIAO, NONGJI)
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('"需求背景" = "no_such_field"\n', "is not a field of needs"),
        ('"需求背景" = 3\n', "mapping values must be field names"),
        ('"需求背景" = \n', "unreadable mapping file"),
    ],
)
def test_a_bad_mapping_file_is_a_clean_error(cli, tmp_path, content, message) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(content, encoding="utf-8")
    result = cli("import", "needs", write_xlsx(tmp_path / "f.xlsx"), "--map", mapping)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output


ODD = [  # 需求时限, 开始年限, 结束年限, 拟投入资金总额, 技术需求解决方式 → stored
    ("2022-2024", None, None, "50", "独立研发", (2022, 2024, 50.0, "独立研发")),
    ("2022年3月至2024年12月", None, None, "50万", "自主研发", (2022, 2024, 50.0, "独立研发")),
    ("2022-24", None, None, "50万元", "合作开发", (2022, 2024, 50.0, "合作研发")),
    ("2023年6月", None, None, "0.5亿", "委托", (None, 2023, 5000.0, "委托研发")),
    (None, "2022.03", "2022/3", "面议", "其它", (2022, 2022, None, "其他")),
    (None, 44621, "2025", "待定", "☑合作研发 □委托研发", (2022, 2025, None, "合作研发")),
    (None, "2022-03-01", "2024年", 12.5, None, (2022, 2024, 12.5, None)),
    ("待定", None, None, "300000元", "", (None, None, 30.0, None)),
    ("2022-2024", None, "2026", "约100万元", None, (2022, 2026, 100.0, None)),  # 结束年限 wins
]


def _small_sheet(rows: list[list], path: Path, make_file) -> Path:
    header = ["序号", "企业名称", "需求名称", "需求时限", "开始年限", "结束年限"]
    header += ["拟投入资金（万元）", "技术需求解决方式"]
    return make_file(path.name, [header, *rows])


def test_odd_values_of_every_shape(cli, store, make_file, tmp_path) -> None:
    rows = [[i, "郑州精工有限公司", f"需求{i}", *odd[:-1]] for i, odd in enumerate(ODD, start=1)]
    result = cli("import", "needs", _small_sheet(rows, tmp_path / "odd.xlsx", make_file))
    assert result.exit_code == 0, result.output
    needs = _needs(store)
    for i, odd in enumerate(ODD, start=1):
        need = needs[f"需求{i}"]
        stored = (need.start_year, need.end_year, need.budget, need.solution_mode)
        assert stored == odd[-1], (i, odd)


def test_bad_values_are_row_errors_and_nothing_is_written(cli, store, make_file, tmp_path) -> None:
    rows = [
        [1, None, "没有企业", None, None, None, None, None],  # and no row above to take one from
        [2, "郑州精工有限公司", "好需求", "2022-2024", None, None, "50", "合作研发"],
        [3, "郑州精工有限公司", "坏金额", None, None, None, "很多", None],
        [4, "郑州精工有限公司", "坏方式", None, None, None, None, "外包"],
        [5, "郑州精工有限公司", "坏时限", "三年", "2024", "2022", "50-100万", None],
        [6, "郑州精工有限公司", "好需求", None, None, None, None, None],
    ]
    result = cli("import", "needs", _small_sheet(rows, tmp_path / "bad.csv", make_file))
    assert result.exit_code == 1
    errors = [line.split(": ", 1)[0] for line in result.stderr.strip().splitlines()[:-1]]
    assert errors == [
        "bad.csv:2:enterprise_name",
        "bad.csv:4:budget",
        "bad.csv:5:solution_mode",
        "bad.csv:6:time_frame",
        "bad.csv:6:budget",
        "bad.csv:6:end_year",
        "bad.csv:7:title",  # the same enterprise and title as row 3
    ]
    assert "结束年份 2022 早于开始年份 2024" in result.stderr
    assert "外包" not in result.stderr and "独立研发/委托研发/合作研发/其他" in result.stderr
    assert _count(store, TechNeed) == _count(store, Enterprise) == 0


def test_enterprises_and_needs_already_stored_are_found(
    cli, store, load, samples, tmp_path
) -> None:
    enterprises = [
        ["企业编号", "企业名称", "统一社会信用代码", "城市", "联系电话"],
        ["C001", "郑州精工有限公司", "91350100M000100Y43", "郑州", "0371-11112222"],
        ["C002", "洛阳新材料(集团)股份有限公司", None, "洛阳", None],
    ]
    load("enterprises", enterprises)
    load("needs", [["需求编号", "企业编号", "需求名称"], ["N001", "C001", "高强钢焊接 工艺优化"]])
    result = cli("import", "needs", write_xlsx(tmp_path / "f.xlsx"))
    assert result.exit_code == 0, result.output
    assert "enterprises: 1 created, 2 updated, 0 unchanged" in result.stdout
    assert "4 rows, 3 created, 1 updated" in result.stdout
    ents = {e.external_id: e for e in _enterprises(store).values()}
    # by credit code; the row's details update it
    assert (ents["C001"].contact_phone, ents["C001"].contact_name) == ("13800138000", "王工")
    # by its name written with full-width brackets; the code is added, the name kept
    assert (ents["C002"].name, ents["C002"].credit_code) == (
        "洛阳新材料(集团)股份有限公司",
        "91110000802100433B",
    )
    assert len(ents) == 3
    needs = _needs(store)
    # the stored need of the same enterprise and title (spaces aside) is updated
    assert needs["高强钢焊接工艺优化"].external_id == "N001"
    assert needs["高强钢焊接工艺优化"].budget == 50.0


def test_a_name_already_stored_with_another_code_is_an_error(cli, load, tmp_path) -> None:
    load(
        "enterprises",
        [
            ["编号", "企业名称", "信用代码"],
            ["C9", "南阳市农机服务中心有限公司", "91350100M000100Y43"],
        ],
    )
    nongji = NONGJI | {"统一社会信用代码": "91110000802100433B"}
    rows = [nongji | {"技术需求名称": "收获机改进"}]
    result = cli("import", "needs", write_xlsx(tmp_path / "f.xlsx", rows))
    assert result.exit_code == 1
    assert "f.xlsx:4:credit_code: 同名企业 C9 的统一社会信用代码为 91350100M000100Y43" in (
        result.stderr
    )


def test_an_id_column_is_used_when_a_row_has_one(cli, store, make_file) -> None:
    rows = [
        ["需求编号", "单位名称", "统一社会信用代码", "技术需求名称", "关键字1", "关键字2"],
        ["X-1", "郑州精工有限公司", "91350100M000100Y43", "甲需求", "焊接", None],
        [None, "郑州精工有限公司", None, "乙需求", None, "激光"],
    ]
    first = cli("import", "needs", make_file("ids.csv", rows))
    assert first.exit_code == 0, first.output
    rows[1][3] = "甲需求（改名）"  # renamed, still the same need by its id
    second = cli("import", "needs", make_file("ids.csv", rows))
    assert "2 rows, 0 created, 1 updated, 1 unchanged" in second.stdout
    needs = _needs(store)
    assert needs["甲需求（改名）"].external_id == "X-1"
    assert needs["乙需求"].external_id.startswith("N-")
    assert needs["乙需求"].keywords == ["激光"]
    assert needs["甲需求（改名）"].enterprise_id == needs["乙需求"].enterprise_id


def test_enterprise_cells_merged_down_over_its_needs(cli, store, tmp_path) -> None:
    from openpyxl import load_workbook

    rows = [dict(NEEDS[0]), {k: v for k, v in NEEDS[1].items() if k not in JINGGONG}]
    path = write_xlsx(tmp_path / "merged.xlsx", rows)
    workbook = load_workbook(path)
    for col in range(2, 17):  # 机构全称 … 机构简介 over rows 4 and 5, as Excel merges them
        workbook.active.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
    workbook.save(path)
    result = cli("import", "needs", path)
    assert result.exit_code == 0, result.output
    assert "enterprises: 1 created" in result.stdout and "2 rows, 2 created" in result.stdout
    assert "row(s) 5 name no enterprise: the one above is used (merged cells)" in result.stderr
    needs = _needs(store)
    laser = needs["激光切割精度提升"]
    assert laser.enterprise_id == needs["高强钢焊接工艺优化"].enterprise_id
    assert laser.city == "郑州市"  # a need's city defaults to its enterprise's


def test_details_that_differ_between_rows_of_one_enterprise_are_warned(cli, make_file) -> None:
    rows = [
        ["企业名称", "需求名称", "联系人"],
        ["郑州精工有限公司", "甲", "王工"],
        ["郑州精工有限公司", "乙", "张工"],
    ]
    result = cli("import", "needs", make_file("w.csv", rows))
    assert result.exit_code == 0, result.output
    assert "row 3: the enterprise's contact_name differs from row 2; row 2 kept" in result.stderr


def test_tidy_need_files_keep_their_rules(cli, load, samples, make_file) -> None:
    load("enterprises", samples["enterprises"])
    rows = samples["needs"]
    rows[0].append("备注")
    rows[1].append("内部")
    result = cli("import", "needs", make_file("needs.csv", rows))
    assert result.exit_code == 0, result.output  # an unknown column is a warning here
    assert "ignored unknown column(s): 备注" in result.stderr
    rows = [["需求名称", "联系人"], ["甲", "王工"]]  # no id and no enterprise columns
    result = cli("import", "needs", make_file("n.csv", rows))
    assert result.exit_code == 1 and "missing required column(s) external_id" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_structured_fields_are_exported_and_reimported(cli, store, tmp_path, fmt) -> None:
    assert cli("import", "needs", write_xlsx(tmp_path / "f.xlsx")).exit_code == 0
    with store.transaction() as s:
        before = {k: build_table(session=s, kind=k) for k in ("enterprises", "needs")}
        for kind in before:
            export_table(session=s, kind=kind, path=tmp_path / f"{kind}.{fmt}")
    if fmt == "csv":  # whole amounts without ".0"
        text = (tmp_path / "needs.csv").read_text(encoding="utf-8-sig")
        assert ",2022,2024,50,合作研发,郑州大学," in text and ",5000,委托研发," in text
    headers = before["needs"][0]
    assert headers[-9:] == [
        *("start_year", "end_year", "budget", "solution_mode", "partner", "activity_type"),
        *("discipline", "fields", "application_industry"),
    ]
    with store.transaction() as s:
        s.execute(delete(TechNeed))
        s.execute(delete(Enterprise))
    for kind in before:
        result = cli("import", kind, tmp_path / f"{kind}.{fmt}")
        assert result.exit_code == 0, result.output
    with store.transaction() as s:
        assert {k: build_table(session=s, kind=k) for k in before} == before
