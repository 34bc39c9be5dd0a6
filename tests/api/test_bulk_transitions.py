"""Bulk life-cycle moves through the API (staff): per row — the rows that may move do, each
refused row is listed with its code; a missing reason or rating refuses the whole request
and moves nothing; the needs follow and every move is audited like a single one."""

from __future__ import annotations

from sqlalchemy import select

from matcher.models import Assignment, AssignmentStatus, AuditEvent, NeedStatus, TechNeed

from .assignment_world import add_assignment_world

URL = "/api/v1/assignments/transitions"


def _statuses(store, ids: list[int]) -> list[str]:
    with store.transaction() as s:
        return [s.get(Assignment, i).status.value for i in ids]


def test_bulk_moves_per_row_and_reports_each_refusal(api, world, store):
    add_assignment_world(store, world)
    ids, staff = world.ids, world.headers("staff")
    rows = [ids["a_prop"], ids["a_cancel"], ids["a_other"], 999_999, ids["a_prop"]]
    r = api.post(URL, json={"action": "confirm", "assignment_ids": rows}, headers=staff)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["done"], body["refused"]) == (2, 2)  # the repeated id counts once
    by_id = {row["assignment_id"]: row for row in body["rows"]}
    assert by_id[ids["a_prop"]]["ok"] and by_id[ids["a_prop"]]["status"] == "confirmed"
    assert by_id[ids["a_cancel"]]["code"] == "illegal_transition"  # already confirmed
    assert "confirmed" in by_id[ids["a_cancel"]]["message"]
    assert by_id[999_999]["code"] == "not_found"
    assert _statuses(store, [ids["a_prop"], ids["a_cancel"], ids["a_other"]]) == [
        "confirmed",
        "confirmed",
        "confirmed",
    ]
    with store.transaction() as s:
        moved = s.scalars(
            select(AuditEvent.target_id).where(AuditEvent.action == "assignment_confirm")
        ).all()
        assert sorted(moved) == sorted(str(ids[k]) for k in ("a_prop", "a_other"))

    # start, then complete with a rating: the need follows to resolved
    start = {"action": "start", "assignment_ids": [ids["a_prop"]]}
    assert api.post(URL, json=start, headers=staff).json()["done"] == 1
    unrated = {"action": "complete", "assignment_ids": [ids["a_prop"]]}
    r = api.post(URL, json=unrated, headers=staff)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input", r.text
    assert "评分" in r.json()["message"]
    assert _statuses(store, [ids["a_prop"]]) == ["in_service"]
    done = unrated | {"rating": 4, "outcome": "焊缝合格率提升"}
    assert api.post(URL, json=done, headers=staff).json()["done"] == 1
    with store.transaction() as s:
        assert s.get(Assignment, ids["a_prop"]).rating == 4
        assert s.get(TechNeed, ids["need_own"]).status is NeedStatus.RESOLVED


def test_bulk_cancel_needs_a_reason_and_moves_nothing_without_one(api, world, store):
    add_assignment_world(store, world)
    ids, staff = world.ids, world.headers("staff")
    rows = [ids["a_prop"], ids["a_other"]]
    for reason in (None, "   "):
        body = {"action": "cancel", "assignment_ids": rows, "reason": reason}
        r = api.post(URL, json=body, headers=staff)
        assert r.status_code == 422, r.text
        assert "请说明原因" in r.json()["message"]
    assert _statuses(store, rows) == ["proposed", "proposed"]
    body = {"action": "cancel", "assignment_ids": rows, "reason": "企业撤回需求"}
    assert api.post(URL, json=body, headers=staff).json()["done"] == 2
    with store.transaction() as s:
        cancelled = [s.get(Assignment, i) for i in rows]
        assert {a.status for a in cancelled} == {AssignmentStatus.CANCELLED}
        assert {a.cancel_reason for a in cancelled} == {"企业撤回需求"}


def test_bulk_moves_are_staff_only(api, world, store):
    add_assignment_world(store, world)
    body = {"action": "confirm", "assignment_ids": [world.ids["a_prop"]]}
    for role in ("society", "enterprise"):
        assert api.post(URL, json=body, headers=world.headers(role)).status_code == 403
    assert _statuses(store, [world.ids["a_prop"]]) == ["proposed"]
    empty = {"action": "confirm", "assignment_ids": []}
    assert api.post(URL, json=empty, headers=world.headers("staff")).status_code == 422
