"""``/imports/mappings``: staff save a column mapping by name and upload sheets with it
(``mapping_name``) instead of a mapping file. Who may call them: test_access_matrix."""

from __future__ import annotations

import pytest

from tests.imports.form_sheets import unfamiliar, write_xlsx

V1 = "/api/v1/imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAPPING = {"申报单位名称": "机构全称", "需求背景": "ignore"}


@pytest.fixture
def sheet(tmp_path) -> bytes:
    columns, needs = unfamiliar()
    return write_xlsx(tmp_path / "汇总表.xlsx", needs, columns).read_bytes()


def _put(api, world, name, body, role="staff"):
    return api.put(f"{V1}/mappings/{name}", json=body, headers=world.headers(role))


def _upload(api, world, data, kind="needs", **form):
    files = {"file": ("汇总表.xlsx", data, XLSX)}
    if "mapping" in form:
        files["mapping"] = ("mapping.toml", form.pop("mapping"), "application/toml")
    return api.post(f"{V1}/{kind}", files=files, data=form, headers=world.headers("staff"))


def test_staff_save_list_read_and_delete_a_mapping(api, world) -> None:
    r = _put(api, world, "市科协汇总表", {"kind": "needs", "mapping": MAPPING})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["name"], body["kind"], body["mapping"]) == ("市科协汇总表", "needs", MAPPING)
    assert body["created_by"] == "staff"
    r = _put(
        api, world, "市科协汇总表", {"kind": "needs", "mapping": {"需求背景": "忽略"}}, "admin"
    )
    assert r.status_code == 200 and r.json()["created_by"] == "staff"
    _put(api, world, "学会表", {"kind": "societies", "mapping": {"学会全称": "name"}})

    listed = api.get(f"{V1}/mappings", headers=world.headers("staff")).json()
    assert [m["name"] for m in listed] == ["学会表", "市科协汇总表"]
    needs_only = api.get(f"{V1}/mappings?kind=needs", headers=world.headers("staff")).json()
    assert [m["name"] for m in needs_only] == ["市科协汇总表"]
    one = api.get(f"{V1}/mappings/市科协汇总表", headers=world.headers("staff"))
    assert one.json()["mapping"] == {"需求背景": "忽略"}

    gone = api.delete(f"{V1}/mappings/市科协汇总表", headers=world.headers("staff"))
    assert gone.status_code == 204
    again = api.get(f"{V1}/mappings/市科协汇总表", headers=world.headers("staff"))
    assert again.status_code == 404
    audit = api.get("/api/v1/audit", headers=world.headers("staff")).json()
    actions = [e["action"] for e in audit["items"] if e["action"].startswith("import_mapping")]
    assert actions.count("import_mapping_saved") == 3 and "import_mapping_deleted" in actions


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("x", {"kind": "needs", "mapping": {"需求背景": "no_such_field"}}, "not a field of needs"),
        ("x", {"kind": "widgets", "mapping": {}}, "取值无效"),
        ("x", {"kind": "needs", "mapping": {"需求背景": 3}}, "应为文本"),
        ("x" * 101, {"kind": "needs", "mapping": MAPPING}, "最多 100 个字符"),
        ("%20", {"kind": "needs", "mapping": MAPPING}, "映射名称应为 1–100 个字符"),
    ],
)
def test_a_bad_mapping_is_a_bilingual_422(api, world, name, body, message) -> None:
    r = _put(api, world, name, body)
    assert r.status_code == 422, r.text
    assert message in r.text


def test_an_upload_uses_a_saved_mapping_by_name(api, world, sheet) -> None:
    refused = _upload(api, world, sheet)
    assert refused.status_code == 422
    assert {d["field"] for d in refused.json()["details"]} == {"申报单位名称", "需求背景"}
    missing = _upload(api, world, sheet, mapping_name="市科协汇总表")
    assert missing.status_code == 404

    _put(api, world, "市科协汇总表", {"kind": "needs", "mapping": MAPPING})
    r = _upload(api, world, sheet, mapping_name="市科协汇总表")
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["also"]["enterprises"]["created"]) == (4, 3)

    both = _upload(api, world, sheet, mapping_name="市科协汇总表", mapping=b'"x" = "ignore"')
    assert both.status_code == 422 and "not both" in both.json()["message"]
    other_kind = _upload(api, world, sheet, kind="societies", mapping_name="市科协汇总表")
    assert other_kind.status_code == 422
    assert "is for needs, not societies" in other_kind.json()["message"]
