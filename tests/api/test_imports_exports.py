"""Uploads and downloads over HTTP: staff only; row errors as in the CLI; size limit."""

from __future__ import annotations

from sqlalchemy import select

from matcher.models import Society

GOOD = "external_id,name,description\nS9,河南省测绘学会,测绘与地理信息\n".encode()
BAD = "external_id,name,description\nS9,,缺少名称\n".encode()


def _upload(api, headers, data: bytes, name: str = "societies.csv"):
    return api.post(
        "/api/v1/imports/societies", files={"file": (name, data, "text/csv")}, headers=headers
    )


def test_staff_import_returns_report_and_writes(api, world, store):
    r = _upload(api, world.headers("staff"), GOOD)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1 and r.json()["kind"] == "societies"
    with store.transaction() as s:
        assert s.scalar(select(Society.name).where(Society.external_id == "S9")) == "河南省测绘学会"


def test_bad_rows_are_422_with_the_cli_row_errors(api, world, store):
    r = _upload(api, world.headers("staff"), BAD)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "import_rejected"
    assert body["details"][0]["row"] == 2 and body["details"][0]["field"] == "name"
    with store.transaction() as s:
        assert s.scalar(select(Society.id).where(Society.external_id == "S9")) is None


def test_non_staff_cannot_import(api, world):
    for role in ("enterprise", "society"):
        assert _upload(api, world.headers(role), GOOD).status_code == 403
    assert _upload(api, {}, GOOD).status_code == 401


def test_export_downloads_csv_and_xlsx(api, world):
    csv = api.get("/api/v1/exports/enterprises?format=csv", headers=world.headers("staff"))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "郑州重工机械有限公司" in csv.content.decode("utf-8-sig")
    xlsx = api.get("/api/v1/exports/enterprises?format=xlsx", headers=world.headers("admin"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    bad = api.get("/api/v1/exports/enterprises?format=pdf", headers=world.headers("staff"))
    assert bad.status_code == 422
