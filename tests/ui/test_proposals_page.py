"""The 工作站 Workstations pages (AppTest), over the proposals' world (tests/proposals): staff
dry-run then generate, move a proposal to a workstation with notes, start one by hand for a
pair with no shared history; a society or an enterprise sees only what it is party to."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from matcher.config import Settings
from matcher.db import Store
from matcher.models import ProposalStatus, User, Workstation, WorkstationProposal
from matcher.proposals import drafting, files, lifecycle
from tests.api.conftest import World
from tests.proposals.conftest import build
from tests.ui.test_streamlit_app import logged_in, open_page

pytestmark = pytest.mark.slow
PAGE = "工作站 Workstations"
E1, E2, E3 = "郑州重工机械有限公司", "洛阳新材料科技有限公司", "许昌链主装备集团有限公司"
DOCX = "下载建议书 .docx download"


@pytest.fixture
def pw(store: Store, settings: Settings) -> World:
    return build(store, settings)


def _table(at, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _plain(at) -> str:
    return "\n".join(str(t.value) for t in at.text) + "\n".join(str(c.value) for c in at.caption)


def _downloads(at) -> list[str]:
    return [b.label for b in at.get("download_button")]


def _generate(store: Store, settings: Settings) -> dict[str, int]:
    """Proposals drafted by the rule (E1 × S1, E3 × S1): enterprise name → proposal id."""
    with store.transaction() as s:
        staff = s.scalar(select(User).where(User.username == "staff"))
        drafting.generate(session=s, settings=settings, actor=staff)
        rows = s.scalars(select(WorkstationProposal)).all()
        return {p.enterprise.name: p.id for p in rows}


def _proposal(store: Store, proposal_id: int) -> WorkstationProposal:
    with store.transaction() as s:
        p = s.get(WorkstationProposal, proposal_id)
        s.expunge(p)
        return p


def test_staff_dry_run_shows_the_qualifying_pairs_then_generate_drafts_them(
    pw: World, store: Store
) -> None:
    at = open_page(logged_in("staff"), PAGE)
    assert "已完成服务不少于2项" in _plain(at)  # the rule, as the settings say
    at.button(key="proposals_dry_run").click().run()
    assert not at.exception, at.exception
    got = _table(at, "结果 outcome")
    assert sorted(got["企业 enterprise"]) == [E3, E1]
    assert set(got["结果 outcome"]) == {"将生成 would create"}
    assert dict(zip(got["企业 enterprise"], got["途径 route"], strict=True)) == {
        E1: "多次优质服务",
        E3: "链主企业",
    }
    assert all("学会专家" in why for why in got["依据 why"])
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(WorkstationProposal)) == 0
    at.button(key="proposals_generate").click().run()
    assert not at.exception, at.exception
    assert set(_table(at, "结果 outcome")["结果 outcome"]) == {"已生成 created"}
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(WorkstationProposal)) == 2
    listed = _table(at, "编号 number")
    assert sorted(listed["企业 enterprise"]) == [E3, E1]
    assert set(listed["状态 status"]) == {"草稿 draft"}
    assert "汇总表 summary XLSX" in _downloads(at) and "汇总表 summary CSV" in _downloads(at)


def test_staff_submits_and_approves_with_notes_and_a_workstation_appears(
    pw: World, store: Store, settings: Settings
) -> None:
    pid = _generate(store, settings)[E1]
    at = open_page(logged_in("staff"), PAGE)
    at.selectbox(key="staff_status").select(ProposalStatus.DRAFT).run()
    at.selectbox(key="staff_open").select(files.number(pid)).run()
    assert DOCX in _downloads(at)
    at.button(key=f"proposal_reject_{pid}").click().run()  # no note: refused
    assert "未完成" in " ".join(e.value for e in at.error)
    assert _proposal(store, pid).status is ProposalStatus.DRAFT
    at.text_area(key=f"note_{pid}").input("材料齐全，提交审核").run()
    at.button(key=f"proposal_submit_{pid}").click().run()
    assert not at.exception, at.exception
    got = _proposal(store, pid)
    assert got.status is ProposalStatus.SUBMITTED and got.status_note == "材料齐全，提交审核"
    at.selectbox(key="staff_status").select(ProposalStatus.SUBMITTED).run()
    at.selectbox(key="staff_open").select(files.number(pid)).run()
    at.button(key=f"proposal_approve_{pid}").click().run()
    assert not at.exception, at.exception
    assert _proposal(store, pid).status is ProposalStatus.APPROVED
    stations = _table(at, "建站日期 start date")
    assert list(stations["企业 enterprise"]) == [E1]
    assert "张焊" in stations["进站专家 resident experts"][0]


def test_staff_starts_a_proposal_by_hand_for_a_pair_with_no_shared_history(
    pw: World, store: Store
) -> None:
    at = open_page(logged_in("staff"), PAGE)
    at.selectbox(key="hand_society").select(pw.ids["s2"]).run()
    at.selectbox(key="hand_enterprise").select(pw.ids["e4"]).run()
    assert any("没有共同服务记录" in w.value for w in at.warning)
    at.text_input(key="hand_note").input("市科协推荐").run()
    at.button(key="hand_start").click().run()
    assert not at.exception, at.exception
    with store.transaction() as s:
        (p,) = s.scalars(select(WorkstationProposal)).all()
        assert (p.society_id, p.enterprise_id, p.by_hand) == (pw.ids["s2"], pw.ids["e4"], True)
    at.button(key="hand_start").click().run()  # again: the pair has an open proposal
    assert "未完成" in " ".join(e.value for e in at.error)


def test_a_society_and_an_enterprise_see_only_what_they_are_party_to(
    pw: World, store: Store, settings: Settings
) -> None:
    ids = _generate(store, settings)
    with store.transaction() as s:
        staff = s.scalar(select(User).where(User.username == "staff"))
        for action in (lifecycle.Action.SUBMIT, lifecycle.Action.APPROVE):
            lifecycle.transition(
                session=s, settings=settings, actor=staff, proposal_id=ids[E1], action=action
            )
        assert s.scalar(select(func.count()).select_from(Workstation)) == 1

    society = open_page(logged_in("soc"), PAGE)  # S1: both proposals, the workstation
    assert sorted(_table(society, "编号 number")["企业 enterprise"]) == [E3, E1]
    assert list(_table(society, "建站日期 start date")["企业 enterprise"]) == [E1]
    assert DOCX in _downloads(society)
    assert [b.label for b in society.button] == ["退出登录 Log out"]  # read-only: no moves

    own = open_page(logged_in("ent"), PAGE)  # E1: its own proposal only
    assert list(_table(own, "编号 number")["企业 enterprise"]) == [E1]
    assert E3 not in _plain(own) and DOCX in _downloads(own)

    for other in ("ent2", "soc2"):  # party to none of them
        at = open_page(logged_in(other), PAGE)
        assert "共 0 份建站建议" in _plain(at) and "共 0 个工作站" in _plain(at)
        assert not at.dataframe and DOCX not in _downloads(at)
        assert E1 not in _plain(at)
