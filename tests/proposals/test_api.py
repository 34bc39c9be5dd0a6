"""The proposals API: staff generate, start and move proposals; staff, the society and the
enterprise concerned read them and their documents, anyone else gets 404."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from .docx_text import headings, open_docx

API = "/api/v1/proposals"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _generate(client, pw) -> dict[int, int]:
    """Enterprise id → its new proposal id."""
    r = client.post(f"{API}/generate", headers=pw.headers("staff"))
    assert r.status_code == 200, r.text
    return {c["enterprise_id"]: c["proposal_id"] for c in r.json()["candidates"]}


def test_visibility_staff_and_the_parties_only(client, pw) -> None:
    pid = _generate(client, pw)[pw.ids["e1"]]
    for who, expected in (
        ("staff", 200),
        ("admin", 200),
        ("enterprise", 200),
        ("society", 200),
        ("enterprise_other", 404),
        ("society_other", 404),
    ):
        for path in (f"{API}/{pid}", f"{API}/{pid}/document"):
            r = client.get(path, headers=pw.headers(who))
            assert r.status_code == expected, (who, path, r.text)
            if expected == 404:
                assert r.json()["code"] == "not_found"
    assert client.get(f"{API}/{pid}").status_code == 401
    listed = {
        who: {p["id"] for p in client.get(API, headers=pw.headers(who)).json()["items"]}
        for who in ("staff", "enterprise", "society", "enterprise_other", "society_other")
    }
    assert listed["enterprise"] == {pid} and listed["enterprise_other"] == set()
    assert len(listed["society"]) == 2 and listed["society_other"] == set()  # S1: E1 and E3
    assert len(listed["staff"]) == 2


def test_document_download(client, pw) -> None:
    pid = _generate(client, pw)[pw.ids["e1"]]
    r = client.get(f"{API}/{pid}/document", headers=pw.headers("enterprise"))
    assert r.headers["content-type"] == DOCX
    assert r.headers["cache-control"] == "no-store"
    disposition = r.headers["content-disposition"]
    assert (
        f'filename="proposal-{pid}.docx"' in disposition and "filename*=UTF-8''WS-" in disposition
    )
    assert headings(open_docx(r.content))[0] == "一、基本情况"


def test_staff_only_actions(client, pw) -> None:
    pid = _generate(client, pw)[pw.ids["e1"]]
    body = {"society_id": pw.ids["s1"], "enterprise_id": pw.ids["e4"]}
    for who in ("enterprise", "society"):
        headers = pw.headers(who)
        assert client.post(f"{API}/generate", headers=headers).status_code == 403
        assert client.post(API, json=body, headers=headers).status_code == 403
        assert client.post(f"{API}/{pid}/submit", headers=headers).status_code == 403
        assert client.get(f"{API}/summary", headers=headers).status_code == 403


def test_life_cycle_through_the_api(client, pw) -> None:
    staff = pw.headers("staff")
    pid = _generate(client, pw)[pw.ids["e1"]]
    r = client.post(f"{API}/{pid}/approve", json={"note": "直接批准"}, headers=staff)
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    assert r.json()["details"]["allowed_from"] == ["submitted"]
    assert client.post(f"{API}/{pid}/submit", headers=staff).json()["status"] == "submitted"
    r = client.post(f"{API}/{pid}/reject", json={}, headers=staff)
    assert r.status_code == 422
    r = client.post(f"{API}/{pid}/approve", json={"note": "同意"}, headers=staff)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "approved" and out["workstation_id"] and out["decided_by"] == "staff"
    assert client.get(f"{API}/{pid}", headers=pw.headers("society")).json()["workstation_id"]
    r = client.post(f"{API}/{pid}/reject", json={"note": "晚了"}, headers=staff)
    assert r.status_code == 409
    assert client.post(f"{API}/generate?dry_run=true", headers=staff).json()["candidates"][0][
        "outcome"
    ] in ("exists", "would_create")


def test_by_hand_and_duplicates(client, pw) -> None:
    staff = pw.headers("staff")
    body = {"society_id": pw.ids["s1"], "enterprise_id": pw.ids["e4"], "note": "试点"}
    r = client.post(API, json=body, headers=staff)
    assert r.status_code == 201, r.text
    assert r.json()["by_hand"] and r.json()["services"] == 0
    r = client.post(API, json=body, headers=staff)
    assert r.status_code == 409 and r.json()["code"] == "proposal_exists"
    r = client.post(API, json={**body, "enterprise_id": 999_999}, headers=staff)
    assert r.status_code == 404
    r = client.post(API, json={**body, "extra": 1}, headers=staff)
    assert r.status_code == 422


def test_summary_xlsx_and_csv_with_bom_and_quoted_formulas(client, pw, store) -> None:
    from matcher.models import Enterprise

    with store.transaction() as s:
        s.get(Enterprise, pw.ids["e4"]).name = "=HYPERLINK(1)"
    staff = pw.headers("staff")
    _generate(client, pw)
    client.post(
        API, json={"society_id": pw.ids["s1"], "enterprise_id": pw.ids["e4"]}, headers=staff
    )
    r = client.get(f"{API}/summary?format=csv", headers=staff)
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "企业", "统一社会信用代码"] and len(rows) == 4
    assert rows[3][1] == "'=HYPERLINK(1)" and rows[3][7] == "手工发起"
    assert rows[1][8] == "2" and rows[1][9] == "4.5"
    r = client.get(f"{API}/summary?format=xlsx", headers=staff)
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = list(sheet.values)
    assert values[0][0] == "编号" and len(values) == 4
    assert values[3][1] == "'=HYPERLINK(1)"
