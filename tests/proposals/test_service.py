"""Generating, starting by hand and moving proposals; workstations; documents on disk."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from matcher.auth.actors import SYSTEM_CLI
from matcher.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from matcher.models import (
    AuditEvent,
    ProposalStatus,
    Society,
    TechNeed,
    Workstation,
    WorkstationProposal,
)
from matcher.proposals import lifecycle, service
from matcher.proposals.drafting import create_by_hand, generate
from matcher.proposals.schemas import ProposalCreate
from matcher.proposals.service import WORKSTATION_REASON, resident_experts, workstation_societies

from .conftest import service as add_service
from .docx_text import all_text, headings, open_docx, tables


def run_generate(store, settings, dry_run=False):
    with store.transaction() as s:
        return generate(session=s, settings=settings, actor=SYSTEM_CLI, dry_run=dry_run)


def move(store, settings, proposal_id, action, note=None):
    with store.transaction() as s:
        return lifecycle.transition(
            session=s,
            settings=settings,
            actor=SYSTEM_CLI,
            proposal_id=proposal_id,
            action=action,
            note=note,
        )


def by_hand(store, settings, society, enterprise, note=None):
    with store.transaction() as s:
        return create_by_hand(
            session=s,
            settings=settings,
            actor=SYSTEM_CLI,
            data=ProposalCreate(society_id=society, enterprise_id=enterprise, note=note),
        )


def stored(store, proposal_id) -> WorkstationProposal:
    with store.transaction() as s:
        p = s.get(WorkstationProposal, proposal_id)
        s.expunge(p)
        return p


def test_dry_run_lists_the_pairs_and_writes_nothing(store, settings, pw) -> None:
    result = run_generate(store, settings, dry_run=True)
    assert result.dry_run and result.created == 0
    assert {c.outcome for c in result.candidates} == {"would_create"}
    assert {(c.enterprise_id, c.route) for c in result.candidates} == {
        (pw.ids["e1"], "services"),
        (pw.ids["e3"], "chain_leader"),
    }
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(WorkstationProposal)) == 0
    assert not (settings.data_dir / "documents").exists()


def test_generate_drafts_once_with_documents_and_an_audit_event(store, settings, pw) -> None:
    first = run_generate(store, settings)
    assert first.created == 2 and {c.outcome for c in first.candidates} == {"created"}
    for c in first.candidates:
        p = stored(store, c.proposal_id)
        assert p.status is ProposalStatus.DRAFT and not p.by_hand
        path = settings.data_dir / p.document_path
        assert path.parent == settings.data_dir / "documents" / "proposals"
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert p.document_sha256 and len(p.expert_ids) >= 3
    again = run_generate(store, settings)
    assert again.created == 0 and again.refreshed == 0
    assert {c.outcome for c in again.candidates} == {"exists"}
    with store.transaction() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "proposals_generated"))
        events = list(event)
        assert len(events) == 2 and events[0].count == 2
        assert events[0].actor_label == "system:cli"


def test_a_draft_is_regenerated_when_its_pair_changes_not_edited_in_place(
    store, settings, pw
) -> None:
    created = run_generate(store, settings).candidates
    e1 = next(c for c in created if c.enterprise_id == pw.ids["e1"])
    before = stored(store, e1.proposal_id)
    path = settings.data_dir / before.document_path
    inode = path.stat().st_ino
    with store.transaction() as s:  # a third completed service
        need = s.get(TechNeed, pw.ids["n1"])
        add_service(s, _society(s, pw), need, None, 5, "新增服务成效", 9)
    result = run_generate(store, settings)
    assert result.refreshed == 1
    after = stored(store, e1.proposal_id)
    assert len(after.snapshot["services"]) == 3
    assert after.document_sha256 != before.document_sha256
    assert path.stat().st_ino != inode  # a new file renamed over the old one
    assert "新增服务成效" in all_text(path.read_bytes())
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def _society(s, pw) -> Society:
    return s.get(Society, pw.ids["s1"])


def test_life_cycle_approval_creates_the_workstation(store, settings, pw) -> None:
    created = run_generate(store, settings).candidates
    pid = next(c.proposal_id for c in created if c.enterprise_id == pw.ids["e1"])
    submitted = move(store, settings, pid, lifecycle.Action.SUBMIT, "提交专题会审议")
    assert submitted.status is ProposalStatus.SUBMITTED and submitted.submitted_at
    approved = move(store, settings, pid, lifecycle.Action.APPROVE, "同意建站")
    assert approved.status is ProposalStatus.APPROVED and approved.workstation_id
    assert approved.decided_by == "system:cli" and approved.status_note == "同意建站"
    with store.transaction() as s:
        station = s.get(Workstation, approved.workstation_id)
        assert station.proposal_id == pid and station.start_date
        assert sorted(e.id for e in station.experts) == sorted(stored(store, pid).expert_ids)
        assert workstation_societies(s, pw.ids["e1"]) == {pw.ids["s1"]: WORKSTATION_REASON}
        assert resident_experts(s, pw.ids["e1"]) == {pw.ids[k] for k in ("x1", "x2", "x3")}
        assert workstation_societies(s, pw.ids["e2"]) == {}
        assert resident_experts(s, pw.ids["e2"]) == set()
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.target_id == str(pid))))
        assert {"proposal_submit", "proposal_approve"} <= set(actions)
    doc = open_docx((settings.data_dir / stored(store, pid).document_path).read_bytes())
    assert "已批准建站" in doc.paragraphs[1].text
    assert any("同意建站" in p.text for p in doc.paragraphs)
    # approved pairs are never proposed again
    assert run_generate(store, settings).candidates[0].outcome == "exists"


@pytest.mark.parametrize(
    ("moves", "action"),
    [
        ([], lifecycle.Action.APPROVE),  # a draft cannot be approved
        ([lifecycle.Action.SUBMIT], lifecycle.Action.SUBMIT),
        ([lifecycle.Action.REJECT], lifecycle.Action.SUBMIT),
    ],
)
def test_illegal_moves_are_409_with_a_stable_code(store, settings, pw, moves, action) -> None:
    pid = run_generate(store, settings).candidates[0].proposal_id
    for m in moves:
        move(store, settings, pid, m, "原因")
    with pytest.raises(ConflictError) as err:
        move(store, settings, pid, action, "再试")
    assert err.value.code == "illegal_transition" and err.value.status == 409
    assert err.value.details["action"] == action.value


def test_reject_needs_a_note_and_only_staff_move(store, settings, pw) -> None:
    pid = run_generate(store, settings).candidates[0].proposal_id
    with pytest.raises(InvalidInputError):
        move(store, settings, pid, lifecycle.Action.REJECT, "  ")
    with pytest.raises(PermissionDeniedError), store.transaction() as s:
        lifecycle.transition(
            session=s, settings=settings, actor=None, proposal_id=pid, action="submit"
        )
    with pytest.raises(NotFoundError):
        move(store, settings, 999_999, lifecycle.Action.SUBMIT)


def test_a_rejected_pair_waits_for_a_new_service(store, settings, pw) -> None:
    pid = next(
        c.proposal_id
        for c in run_generate(store, settings).candidates
        if c.enterprise_id == pw.ids["e1"]
    )
    move(store, settings, pid, lifecycle.Action.REJECT, "专家驻站条件不足")
    outcome = {c.enterprise_id: c for c in run_generate(store, settings).candidates}
    assert outcome[pw.ids["e1"]].outcome == "rejected_before"
    with store.transaction() as s:
        need = s.get(TechNeed, pw.ids["n2"])
        a = add_service(s, _society(s, pw), need, None, 5, "再次服务", 11)
        a.completed_at = datetime.now(UTC)
    outcome = {c.enterprise_id: c for c in run_generate(store, settings).candidates}
    assert outcome[pw.ids["e1"]].outcome == "created"


def test_by_hand_for_a_pair_without_history_says_so(store, settings, pw) -> None:
    out = by_hand(store, settings, pw.ids["s1"], pw.ids["e4"], "市科协推荐")
    assert out.by_hand and out.services == 0 and out.status_note == "市科协推荐"
    assert "手工发起" in out.rationale and "无已完成的服务记录" in out.rationale
    doc = open_docx((settings.data_dir / stored(store, out.id).document_path).read_bytes())
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "双方此前无已完成的服务记录" in text and "手工发起" in text
    assert "不足3名" in text  # no expert of S1 is matched to E4's needs
    assert [t[0][0] for t in tables(doc)][:3] == ["项目", "项目", "时间"]  # no history table
    with pytest.raises(ConflictError) as err:
        by_hand(store, settings, pw.ids["s1"], pw.ids["e4"])
    assert err.value.code == "proposal_exists"
    with pytest.raises(NotFoundError):
        by_hand(store, settings, pw.ids["s1"], 999_999)


def test_by_hand_for_a_qualifying_pair_blocks_the_rule(store, settings, pw) -> None:
    out = by_hand(store, settings, pw.ids["s1"], pw.ids["e1"])
    assert out.by_hand and out.services == 2 and len(out.experts) == 3
    assert "符合建站推荐条件" in out.rationale
    outcome = {c.enterprise_id: c.outcome for c in run_generate(store, settings).candidates}
    assert outcome[pw.ids["e1"]] == "exists"


def test_a_damaged_document_is_served_anew_but_not_rewritten_by_a_read(store, settings, pw) -> None:
    pid = run_generate(store, settings).candidates[0].proposal_id
    path = settings.data_dir / stored(store, pid).document_path
    path.write_bytes(b"garbage")
    with store.transaction() as s:
        name, data = service.proposal_document(
            session=s, settings=settings, actor=SYSTEM_CLI, proposal_id=pid
        )
    assert name.startswith("WS-") and name.endswith(".docx")
    assert headings(open_docx(data))[0] == "一、基本情况"
    assert path.read_bytes() == b"garbage"
    move(store, settings, pid, lifecycle.Action.SUBMIT)  # the next move rewrites it
    assert path.read_bytes()[:2] == b"PK"


def test_stale_temp_files_in_the_documents_folder_are_removed(store, settings, pw) -> None:
    folder = settings.data_dir / "documents" / "proposals"
    folder.mkdir(parents=True)
    stale = folder / ".WS-00001.docx.abc.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (0, 0))
    run_generate(store, settings)
    assert not stale.exists()
