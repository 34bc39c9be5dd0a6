"""Every generated .docx opened with python-docx: sections, tables, and nobody else's data."""

from __future__ import annotations

from matcher.auth.actors import SYSTEM_CLI
from matcher.documents.content import (
    EnterpriseInfo,
    ExpertPick,
    Heading,
    ProposalContent,
    SocietyInfo,
)
from matcher.documents.workstation import SECTIONS, render_proposal
from matcher.models import WorkstationProposal
from matcher.proposals.drafting import create_by_hand, generate
from matcher.proposals.schemas import ProposalCreate

from .conftest import OTHER_SECRET
from .docx_text import all_text, headings, open_docx, tables

SECTION_HEADINGS = ["一、基本情况", "二、前期服务情况", "三、拟进站专家", "四、合作方向与年度计划",
                    "五、保障措施", "六、签字盖章"]  # fmt: skip
OTHERS = {
    "E1": ["许昌链主装备集团有限公司", "开封小微科技有限公司", "起重机主梁焊接疲劳"],
    "E3": ["郑州重工机械有限公司", "91410100MA00000001", "焊接机器人焊缝质量检测"],
    "E4": ["郑州重工机械有限公司", "许昌链主装备集团有限公司", "大型结构件焊接变形控制"],
}


def generated(store, settings, pw) -> dict[str, bytes]:
    """External id of the enterprise → its proposal's document (two by the rule, one by
    hand for a pair without history), read once committed (documents are written then)."""
    with store.transaction() as s:
        generate(session=s, settings=settings, actor=SYSTEM_CLI)
        create_by_hand(
            session=s,
            settings=settings,
            actor=SYSTEM_CLI,
            data=ProposalCreate(society_id=pw.ids["s1"], enterprise_id=pw.ids["e4"]),
        )
        s.flush()
        paths = {p.enterprise.external_id: p.document_path for p in s.query(WorkstationProposal)}
    return {ext: (settings.data_dir / path).read_bytes() for ext, path in paths.items()}


def test_every_document_has_the_sections_and_tables_in_order(store, settings, pw) -> None:
    docs = generated(store, settings, pw)
    assert set(docs) == {"E1", "E3", "E4"}
    for ext, data in docs.items():
        doc = open_docx(data)
        assert headings(doc) == SECTION_HEADINGS, ext
        assert [h.split("、", 1)[1] for h in headings(doc)] == list(SECTIONS)
        found = tables(doc)
        header_rows = [t[0] for t in found]
        assert header_rows[0] == header_rows[1] == ["项目", "内容"]
        assert ["时间", "工作内容"] in header_rows
        assert header_rows[-1] == ["建站企业（盖章）", "依托学会（盖章）", "省科协审核意见"]
        plan = next(t for t in found if t[0] == ["时间", "工作内容"])
        assert [r[0] for r in plan[1:]] == ["第一季度", "第二季度", "第三季度", "第四季度"]
        assert doc.core_properties.title == "学会专家工作站建站建议书"


def test_the_well_served_pair_reads_as_the_store_says(store, settings, pw) -> None:
    doc = open_docx(generated(store, settings, pw)["E1"])
    enterprise, society, services, experts = tables(doc)[:4]
    assert dict(enterprise[1:]) == {
        "企业名称": "郑州重工机械有限公司",
        "统一社会信用代码": "91410100MA00000001",
        "所在地区": "郑州市",
        "所属行业": "装备制造",
        "企业规模": "大型",
        "链主企业": "否",
    }
    assert dict(society[1:])["学科领域"] == "机械工程、焊接"
    assert services[0] == ["序号", "服务需求", "服务时间", "参与专家", "企业评分", "服务成效"]
    assert [r[1] for r in services[1:]] == ["焊接机器人焊缝质量检测", "大型结构件焊接变形控制"]
    assert [r[3] for r in services[1:]] == ["张焊", "李检"]
    assert [r[4] for r in services[1:]] == ["5分", "4分"]
    assert services[1][2] == "2026-02-15 至 2026-03-15"
    assert experts[0] == ["序号", "姓名", "职称", "工作单位", "研究方向", "推荐理由"]
    assert [r[1] for r in experts[1:]] == ["张焊", "李检", "王构"]
    assert "匹配度86分" in experts[1][5] and "曾参与本企业前期服务" in experts[1][5]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "平均4.5分" in text and "多次优质服务" in text
    assert "1. 焊接" in text  # the most frequent keyword of the needs is the first direction
    assert "合计约80万元" in text  # the related needs' budgets


def test_the_chain_leader_document_says_why(store, settings, pw) -> None:
    doc = open_docx(generated(store, settings, pw)["E3"])
    assert dict(tables(doc)[0][1:])["链主企业"] == "是"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "链主企业" in text and "最高匹配度为66分" in text


def test_no_document_holds_another_enterprises_data(store, settings, pw) -> None:
    for ext, data in generated(store, settings, pw).items():
        text = all_text(data)
        for secret in [*OTHER_SECRET, "陈化", "周材", "方案与企业条件不匹配", *OTHERS[ext]]:
            assert secret not in text, (ext, secret)
        assert "13800000000" not in text and "@" not in text  # no contact details


def test_text_that_xml_cannot_hold_is_dropped_not_fatal() -> None:
    content = ProposalContent(
        enterprise=EnterpriseInfo(name="坏\x01字符<公司>&"),
        society=SocietyInfo(name="学会\x0b"),
        services=[],
        experts=[ExpertPick(1, "张\x00三", None, None, [], 60.0, "理由")],
        topics=[],
        basis="依据",
    )
    doc = open_docx(render_proposal(content, Heading("WS-00001", "草稿", "2026-12-01", "注\x02")))
    assert dict(tables(doc)[0][1:])["企业名称"] == "坏字符<公司>&"
    assert tables(doc)[2][1][1] == "张三"
    assert "1. 企业关键技术问题诊断" in "\n".join(p.text for p in doc.paragraphs)
