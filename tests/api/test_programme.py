"""The programme over HTTP: a pairing run (with the real matching runtime ranking each
enterprise's industry) committed and seen by each party; a paired enterprise's new need
lists its partner society first (结对学会) until the round ends; activity records recorded,
refused, confirmed or disputed only by their enterprise, edited back to pending; hours
summed per society and expert as the records add up."""

from __future__ import annotations

from matcher.models import EnterprisePairing, PairingStatus, ProgrammeRound, Role

from .conftest import make_enterprise, make_user

V1 = "/api/v1"


def _pair(store, world, enterprise: str, society: str, name: str = "2026") -> None:
    with store.transaction() as s:
        rnd = ProgrammeRound(name=name)
        s.add(rnd)
        s.flush()
        s.add(
            EnterprisePairing(
                round_id=rnd.id,
                enterprise_id=world.ids[enterprise],
                society_id=world.ids[society],
                status=PairingStatus.ACTIVE,
                score=60.0,
            )
        )


def test_pairing_run_is_committed_and_each_party_sees_its_own(api, world, store):
    with store.transaction() as s:
        e3 = make_enterprise(s, "E3", name="洛阳伊河精密轴承有限公司", city="洛阳市")
        e3.industry, e3.priority_industry, e3.is_chain_leader = "轴承", "轴承", True
    staff = world.headers("staff")
    body = {"round": "2026", "per_enterprise": 1, "society_capacity": 2}
    r = api.post(f"{V1}/programme/pairing-runs", json=body, headers=staff)
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["status"] == "dry_run" and run["summary"]["pseudo_needs_ranked"] == 3
    assert run["summary"]["chain_leaders"] == run["summary"]["chain_leaders_paired"] == 1
    detail = api.get(f"{V1}/programme/pairing-runs/{run['id']}", headers=staff).json()
    pairs = {(p["enterprise_id"], p["society_id"]) for p in detail["pairs"]}
    assert (world.ids["e_own"], world.ids["s_own"]) in pairs  # the welding needs' society
    assert len({e for e, _s in pairs}) == 3  # every enterprise paired (room for 4)
    r = api.post(f"{V1}/programme/pairing-runs/{run['id']}/commit", headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "committed", r.text
    mine = api.get(f"{V1}/programme/rounds/2026/pairs", headers=world.headers("society")).json()
    assert mine and {p["society_id"] for p in mine} == {world.ids["s_own"]}
    theirs = api.get(f"{V1}/programme/rounds/2026/pairs", headers=world.headers("enterprise"))
    assert {p["enterprise_id"] for p in theirs.json()} == {world.ids["e_own"]}
    r = api.post(f"{V1}/programme/rounds/2026/end", json={"reason": "年度结束"}, headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "ended"
    ended = api.get(f"{V1}/programme/rounds/2026/pairs?status=ended", headers=staff).json()
    assert len(ended) == len(pairs) and {p["end_reason"] for p in ended} == {"年度结束"}


def _post_need(api, world) -> dict:
    r = api.post(
        f"{V1}/needs",
        json={"title": "焊接机器人焊缝缺陷在线检测", "description": "大型结构件焊接变形控制"},
        headers=world.headers("enterprise"),
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_a_paired_enterprise_lists_its_partner_society_first(api, world, store):
    _pair(store, world, "e_own", "s_other")
    posted = _post_need(api, world)
    first, second = posted["matches"][:2]
    assert first["target_id"] == world.ids["s_other"]
    assert first["components"]["listed_first"] == "结对学会"
    assert second["target_id"] == world.ids["s_own"] and second["score"] > first["score"]
    # routed on the best fit, not the partner listed first: a clear need is a lead
    assert first["score"] < 15 <= second["score"] and posted["status"] == "matched"
    staff = world.headers("staff")
    assert api.post(f"{V1}/programme/rounds/2026/end", json={}, headers=staff).status_code == 200
    again = _post_need(api, world)  # the round ended: ranked by fit alone
    assert again["matches"][0]["target_id"] == world.ids["s_own"]
    assert "listed_first" not in again["matches"][0]["components"]


def _activity(world, **kw) -> dict:
    body = {"enterprise_id": world.ids["e_own"], "service_type": "技术指导"}
    body |= {"activity_date": "2026-06-01", "volunteer_hours": 6, "participants": 12}
    return body | {"expert_ids": [world.ids["x_own"]], "outcome": "现场指导焊接工艺"} | kw


def test_activity_records_confirm_dispute_and_hours(api, world, store, settings):
    from matcher.auth.service import issue_token

    society, ent = world.headers("society"), world.headers("enterprise")
    url = f"{V1}/programme/activities"
    r = api.post(url, json=_activity(world), headers=society)
    assert r.status_code == 404  # not yet a partner: the enterprise is not the society's
    _pair(store, world, "e_own", "s_own")
    r = api.post(url, json=_activity(world, expert_ids=[world.ids["x_other"]]), headers=society)
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "expert_ids", r.text
    r = api.post(url, json=_activity(world, service_type="平台建设"), headers=society)
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "platform_kind"
    first = api.post(url, json=_activity(world), headers=society)
    assert first.status_code == 201 and first.json()["round"] == "2026", first.text
    body = _activity(world, service_type="平台建设", platform_kind="学会专家工作站")
    second = api.post(url, json=body | {"volunteer_hours": 3}, headers=society).json()
    aid = first.json()["id"]

    with store.transaction() as s:
        other = make_enterprise(s, "E9", name="开封化工股份有限公司")
        s.flush()
        stranger = make_user(s, "ent9", Role.ENTERPRISE, enterprise=other)
        s.flush()
        token = issue_token(settings=settings, user=stranger)[0]
    answer = f"{url}/{aid}/answer"
    r = api.post(answer, json={"answer": "confirmed"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404  # another enterprise cannot even see it
    assert api.post(answer, json={"answer": "confirmed"}, headers=society).status_code == 403
    r = api.post(answer, json={"answer": "disputed"}, headers=ent)
    assert r.status_code == 422  # a dispute says why
    r = api.post(answer, json={"answer": "disputed", "note": "时长有误"}, headers=ent)
    assert r.status_code == 200 and r.json()["confirmation"] == "disputed"
    assert r.json()["confirmation_note"] == "时长有误"
    r = api.put(f"{url}/{aid}", json=_activity(world, volunteer_hours=5), headers=society)
    assert r.status_code == 200 and r.json()["confirmation"] == "pending"
    r = api.post(f"{url}/{second['id']}/answer", json={"answer": "confirmed"}, headers=ent)
    assert r.json()["confirmation"] == "confirmed"

    records = api.get(url, headers=world.headers("staff")).json()["items"]
    assert {a["id"] for a in records} == {aid, second["id"]}
    want = sum(a["volunteer_hours"] for a in records)  # recomputed from the records: 5 + 3
    got = api.get(f"{V1}/programme/hours/societies", headers=society).json()
    assert [(h["id"], h["hours"], h["activities"]) for h in got] == [(world.ids["s_own"], want, 2)]
    per_expert = sum(e["hours"] for a in records for e in a["experts"])
    got = api.get(f"{V1}/programme/hours/experts", headers=society).json()
    assert [(h["id"], h["hours"]) for h in got] == [(world.ids["x_own"], per_expert)]
    assert per_expert == 8.0
    assert api.get(f"{V1}/programme/hours/experts", headers=ent).status_code == 403
