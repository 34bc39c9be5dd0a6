"""A need-collection summary sheet uploaded by staff (with a mapping file for a header the
form does not have), then the needs listed by the form's structured fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.imports.form_sheets import COLUMNS, NEEDS, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(tmp_path: Path) -> bytes:
    columns = [*COLUMNS, ("备注", None)]
    needs = [n | {"备注": "市科协推荐"} for n in NEEDS]
    return write_xlsx(tmp_path / "汇总表.xlsx", needs, columns).read_bytes()


def _upload(api, world, data: bytes, mapping: bytes | None = None):
    files = {"file": ("汇总表.xlsx", data, XLSX)}
    if mapping is not None:
        files["mapping"] = ("mapping.toml", mapping, "application/toml")
    return api.post("/api/v1/imports/needs", files=files, headers=world.headers("staff"))


@pytest.fixture
def imported(api, world, tmp_path) -> None:
    r = _upload(api, world, _sheet(tmp_path), '"备注" = "ignore"\n'.encode())
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 4
    assert r.json()["also"] == {"enterprises": {"created": 3, "updated": 0, "unchanged": 0}}


def test_an_unknown_header_is_a_422_naming_it(api, world, tmp_path, store) -> None:
    r = _upload(api, world, _sheet(tmp_path))
    assert r.status_code == 422, r.text
    [detail] = r.json()["details"]
    assert (detail["row"], detail["field"]) == (3, "备注")
    bad = _upload(api, world, _sheet(tmp_path), b'"x" = ')
    assert bad.status_code == 422 and "mapping" in bad.json()["message"]


def _titles(api, world, **query) -> list[str]:
    r = api.get("/api/v1/needs", params=query | {"limit": 200}, headers=world.headers("staff"))
    assert r.status_code == 200, r.text
    return sorted(n["title"] for n in r.json()["items"] if n["external_id"].startswith("N-"))


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"solution_mode": "合作研发"}, ["高强钢焊接工艺优化"]),
        ({"activity_type": "应用研究"}, ["高强钢焊接工艺优化"]),
        ({"discipline": "机械工程"}, ["激光切割精度提升"]),
        ({"field": "新材料"}, ["稀土永磁材料耐腐蚀涂层", "高强钢焊接工艺优化"]),
        ({"application_industry": "农业"}, ["丘陵地区小麦收获机改进"]),
        ({"budget_min": 100}, ["激光切割精度提升"]),
        ({"budget_max": 40}, ["丘陵地区小麦收获机改进"]),
        ({"year": 2025}, ["丘陵地区小麦收获机改进"]),
        ({"year": 2024}, ["丘陵地区小麦收获机改进", "高强钢焊接工艺优化"]),
        ({"field": "先进制造", "budget_min": 100}, ["激光切割精度提升"]),
        ({"field": "制造"}, []),  # a whole item, not part of one
    ],
)
def test_needs_are_filtered_by_the_form_fields(api, world, imported, query, titles) -> None:
    assert _titles(api, world, **query) == titles


def test_the_form_fields_are_shown_and_bad_filters_refused(api, world, imported) -> None:
    r = api.get(
        "/api/v1/needs", params={"solution_mode": "合作研发"}, headers=world.headers("staff")
    )
    [need] = r.json()["items"]
    assert {k: need[k] for k in ("start_year", "end_year", "budget", "fields")} == {
        "start_year": 2022,
        "end_year": 2024,
        "budget": 50.0,
        "fields": ["先进制造", "新材料"],
    }
    assert (need["partner"], need["discipline"]) == ("郑州大学", "材料科学")
    for query in ({"solution_mode": "外包"}, {"budget_min": -1}, {"year": 1800}):
        bad = api.get("/api/v1/needs", params=query, headers=world.headers("staff"))
        assert bad.status_code == 422, query
