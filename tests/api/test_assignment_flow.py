"""A bulk run and the assignment life cycle through the API, as each role: staff run,
review and commit; the society confirms, starts or declines its own; the enterprise rates
its own; wrong roles get 403, wrong states 409 ``illegal_transition``; the need follows."""

from __future__ import annotations

from sqlalchemy import select

from matcher.models import AuditEvent

V1 = "/api/v1"


def _ok(r, status=200):
    assert r.status_code == status, r.text
    return r.json()


def _error(r, status, code=None):
    assert r.status_code == status, r.text
    body = r.json()
    if code:
        assert body["code"] == code, body
    return body


def test_run_review_commit_and_life_cycle(api, world, store):
    ids = world.ids
    staff, soc, ent = (world.headers(r) for r in ("staff", "society", "enterprise"))
    run = _ok(api.post(f"{V1}/assignment-runs", json={"per_need": 1}, headers=staff), 201)
    assert run["status"] == "dry_run" and run["summary"]["pairs"] == 4
    assert run["objective"] >= run["greedy_objective"]
    detail = _ok(api.get(f"{V1}/assignment-runs/{run['id']}", headers=staff))
    pairs = {p["need_id"]: p for p in detail["pairs"]}
    assert pairs[ids["need_own"]]["society_id"] == ids["s_own"]
    assert pairs[ids["need_own"]]["society_name"] == "河南省机械工程学会"

    # staff take need_close's pair out of this run: it is listed with that reason
    edit = {"action": "remove", "reason": "企业暂缓"}
    pair_id = pairs[ids["need_close"]]["id"]
    edited = _ok(
        api.patch(f"{V1}/assignment-runs/{run['id']}/pairs/{pair_id}", json=edit, headers=staff)
    )
    assert edited["removed"] and edited["removed_reason"] == "企业暂缓"
    one = _ok(
        api.get(f"{V1}/assignment-runs/{run['id']}?need_id={ids['need_close']}", headers=staff)
    )
    assert [u["reason"] for u in one["unassigned"]] == ["removed_by_staff"]
    bad = api.patch(
        f"{V1}/assignment-runs/{run['id']}/pairs/{pair_id}", json={"action": "x"}, headers=staff
    )
    _error(bad, 422, "validation_error")
    committed = _ok(api.post(f"{V1}/assignment-runs/{run['id']}/commit", headers=staff))
    assert committed["created"] == 3 and committed["status"] == "committed"
    _error(api.post(f"{V1}/assignment-runs/{run['id']}/commit", headers=staff), 409)
    _error(api.post(f"{V1}/assignment-runs/999/commit", headers=staff), 404, "not_found")

    # each party sees its own
    mine = _ok(api.get(f"{V1}/assignments", headers=soc))["items"]
    assert {a["society_id"] for a in mine} == {ids["s_own"]} and len(mine) == 1
    (own,) = mine
    assert own["status"] == "proposed" and own["need_id"] == ids["need_own"]
    assert [a["id"] for a in _ok(api.get(f"{V1}/assignments", headers=ent))["items"]] == [own["id"]]
    assert _ok(api.get(f"{V1}/needs/{ids['need_own']}", headers=ent))["status"] == "assigned"
    other = next(
        a
        for a in _ok(api.get(f"{V1}/assignments", headers=staff))["items"]
        if a["need_id"] == ids["need_other"]
    )
    _error(api.post(f"{V1}/assignments/{other['id']}/confirm", headers=soc), 404)

    url = f"{V1}/assignments/{own['id']}"
    _error(api.post(f"{url}/confirm", headers=ent), 403, "forbidden")
    _error(api.post(f"{url}/start", headers=soc), 409, "illegal_transition")
    assert _ok(api.post(f"{url}/confirm", headers=soc))["status"] == "confirmed"
    again = _error(api.post(f"{url}/confirm", headers=soc), 409, "illegal_transition")
    assert again["details"]["status"] == "confirmed"
    _error(api.post(f"{url}/complete", json={"rating": 5, "outcome": "好"}, headers=soc), 403)
    started = _ok(api.post(f"{url}/start", headers=soc))
    assert started["status"] == "in_service" and started["started_at"]
    assert _ok(api.get(f"{V1}/needs/{ids['need_own']}", headers=ent))["status"] == "in_service"
    _error(api.post(f"{url}/complete", json={"rating": 6, "outcome": "好"}, headers=ent), 422)
    _error(api.post(f"{url}/complete", json={"rating": 4, "outcome": " "}, headers=ent), 422)
    done = _ok(
        api.post(
            f"{url}/complete", json={"rating": 4, "outcome": "焊缝一次合格率提升"}, headers=ent
        )
    )
    assert (done["status"], done["rating"], done["outcome"]) == (
        "completed",
        4,
        "焊缝一次合格率提升",
    )
    assert _ok(api.get(f"{V1}/needs/{ids['need_own']}", headers=ent))["status"] == "resolved"
    _error(api.post(f"{url}/cancel", json={"reason": "晚了"}, headers=staff), 409)

    # staff decline for s_other: need_other returns to matched; no later run proposes it
    other_url = f"{V1}/assignments/{other['id']}"
    _error(api.post(f"{other_url}/decline", json={"reason": ""}, headers=staff), 422)
    declined = _ok(api.post(f"{other_url}/decline", json={"reason": "无合适专家"}, headers=staff))
    assert declined["status"] == "cancelled" and declined["declined"]
    assert _ok(api.get(f"{V1}/needs/{ids['need_other']}", headers=staff))["status"] == "matched"
    rerun = _ok(api.post(f"{V1}/assignment-runs", json={"per_need": 1}, headers=staff), 201)
    view = _ok(
        api.get(f"{V1}/assignment-runs/{rerun['id']}?need_id={ids['need_other']}", headers=staff)
    )
    assert view["pairs"] == []
    assert [u["reason"] for u in view["unassigned"]] == ["all_candidates_conflicted_or_forbidden"]
    assert [(r["society_id"], r["reason"]) for r in view["removed"]] == [
        (ids["s_other"], "declined")
    ]

    with store.transaction() as s:
        events = {
            (e.action, e.actor_label)
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action.like("assignment%")))
        }
    assert {
        ("assignment_run_created", "staff"),
        ("assignment_run_pair_edited", "staff"),
        ("assignment_run_committed", "staff"),
        ("assignment_confirm", "soc"),
        ("assignment_start", "soc"),
        ("assignment_complete", "ent"),
        ("assignment_decline", "staff"),
    } <= events


def test_conflicts_and_rules_as_resources(api, world):
    ids = world.ids
    staff = world.headers("staff")
    conflict = {"enterprise_id": ids["e_other"], "society_id": ids["s_other"], "reason": "亲属"}
    made = _ok(api.post(f"{V1}/conflicts", json=conflict, headers=staff), 201)
    assert made["source"] == "manual" and made["created_by"] == "staff"
    _error(api.post(f"{V1}/conflicts", json=conflict, headers=staff), 409)
    both = conflict | {"expert_id": ids["x_other"]}
    _error(api.post(f"{V1}/conflicts", json=both, headers=staff), 422)
    unknown = conflict | {"society_id": 9999}
    _error(api.post(f"{V1}/conflicts", json=unknown, headers=staff), 404)
    # the conflicted society is never pinned
    pin = {"need_id": ids["need_other"], "society_id": ids["s_other"]}
    _error(api.post(f"{V1}/assignment-pins", json=pin, headers=staff), 409, "conflict_of_interest")
    run = _ok(api.post(f"{V1}/assignment-runs", json={}, headers=staff), 201)
    view = _ok(
        api.get(f"{V1}/assignment-runs/{run['id']}?need_id={ids['need_other']}", headers=staff)
    )
    assert view["removed"][0]["reason"] == "conflict_society"
    assert "利益冲突" in view["removed"][0]["detail"]
    # a pin and a forbid of one pair clash
    pin = {"need_id": ids["need_own"], "society_id": ids["s_other"], "reason": "点名"}
    made = _ok(api.post(f"{V1}/assignment-pins", json=pin, headers=staff), 201)
    forbid = {"enterprise_id": ids["e_own"], "society_id": ids["s_other"]}
    _error(
        api.post(f"{V1}/assignment-forbids", json=forbid, headers=staff), 409, "pin_forbid_clash"
    )
    listed = _ok(api.get(f"{V1}/assignment-pins?need_id={ids['need_own']}", headers=staff))
    assert [p["id"] for p in listed["items"]] == [made["id"]]
    assert api.delete(f"{V1}/assignment-pins/{made['id']}", headers=staff).status_code == 204
    _ok(api.post(f"{V1}/assignment-forbids", json=forbid, headers=staff), 201)
    _error(api.post(f"{V1}/assignment-runs", json={"per_need": 0}, headers=staff), 422)
    _error(api.post(f"{V1}/assignment-runs", json={"expert_capacity": -1}, headers=staff), 422)
