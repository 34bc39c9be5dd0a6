"""The need-collection form's fields posted and edited through the API: the values a form
cell takes ("50万", "2022年3月", 合作开发), checked by the import's parsers, with the
import's messages on the field that is wrong."""

from __future__ import annotations

import pytest

from matcher.imports.validators import (
    CellInvalid,
    check_year_order,
    parse_budget,
    parse_solution_mode,
)

V1 = "/api/v1/needs"


def _reason(check, *values) -> str:
    with pytest.raises(CellInvalid) as caught:
        check(*values)
    return caught.value.reason


def _post(api, world, role="enterprise", **fields):
    body = {"title": "高强钢焊接工艺优化", "description": "焊缝开裂，需要工艺改进"} | fields
    if role == "staff":
        body["enterprise_id"] = world.ids["e_own"]
    return api.post(V1, json=body, headers=world.headers(role))


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"budget": "很多"}, "budget", _reason(parse_budget, "很多")),
        ({"budget": -5}, "budget", _reason(parse_budget, -5)),
        ({"solution_mode": "外包"}, "solution_mode", _reason(parse_solution_mode, "外包")),
        (
            {"start_year": 2025, "end_year": "2024年"},
            "end_year",
            _reason(check_year_order, 2025, 2024),
        ),
        ({"start_year": "明年"}, "start_year", "应为年份或年月"),
    ],
)
def test_a_bad_form_value_is_a_422_in_chinese_naming_the_field(
    api, world, fields, field, reason
) -> None:
    r = _post(api, world, **fields)
    assert r.status_code == 422, r.text
    body = r.json()
    [detail] = body["details"]
    assert detail["field"] == f"body.{field}"
    assert reason in detail["message"]
    assert body["message"].startswith(f"输入无效 invalid input: body.{field}: ")
    assert reason.split(" / ")[0] in body["message"]  # the Chinese reason, as imports give it


@pytest.mark.slow  # posting ranks the need (loads the matching runtime)
def test_form_fields_posted_as_a_form_states_them_are_stored_and_filter(api, world) -> None:
    r = _post(
        api,
        world,
        start_year="2022年3月",
        end_year=2024,
        budget="50万元",
        solution_mode="合作开发",
        partner="郑州大学",
        activity_type="应用研究",
        discipline="材料科学",
        fields="先进制造、新材料",
        application_industry="通用设备制造业",
    )
    assert r.status_code == 201, r.text
    need = r.json()
    assert {k: need[k] for k in ("start_year", "end_year", "budget", "solution_mode")} == {
        "start_year": 2022,
        "end_year": 2024,
        "budget": 50.0,
        "solution_mode": "合作研发",
    }
    assert (need["discipline"], need["fields"]) == ("材料科学", ["先进制造", "新材料"])
    assert (need["partner"], need["application_industry"]) == ("郑州大学", "通用设备制造业")
    query = {"discipline": "材料科学", "solution_mode": "合作研发", "budget_min": 40}
    found = api.get(V1, params=query, headers=world.headers("staff")).json()["items"]
    assert [n["id"] for n in found] == [need["id"]]

    edit = api.patch(f"{V1}/{need['id']}", json={"budget": "0.5亿"}, headers=world.headers("staff"))
    assert edit.status_code == 200 and edit.json()["budget"] == 5000.0
    early = api.patch(f"{V1}/{need['id']}", json={"end_year": 2021}, headers=world.headers("staff"))
    assert early.status_code == 422, early.text
    assert early.json()["details"] == {"field": "end_year"}
    assert "结束年份 2021 早于开始年份 2022" in early.json()["message"]


def test_form_fields_sent_as_null_are_not_given(api, world) -> None:
    nothing = dict.fromkeys(
        ("start_year", "end_year", "budget", "solution_mode", "partner", "activity_type")
    ) | dict.fromkeys(("discipline", "fields", "application_industry"))
    r = api.patch(
        f"{V1}/{world.ids['need_own']}",
        json=nothing | {"budget": " "},
        headers=world.headers("staff"),
    )
    assert r.status_code == 200, r.text
    assert (r.json()["budget"], r.json()["fields"]) == (None, [])
    too_much = api.patch(
        f"{V1}/{world.ids['need_own']}", json={"budget": 2e9}, headers=world.headers("staff")
    )
    assert too_much.status_code == 422 and "body.budget" in too_much.json()["message"]
