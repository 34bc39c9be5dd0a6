"""The API validates fields with the import validators (same rules, same bilingual
messages), translates every validation error (no pydantic English reaches users), and
a missing actor is never staff: the CLI acts, and is audited, as ``system:cli``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from matcher.api.fields import today
from matcher.auth import policy
from matcher.auth.actors import SYSTEM_CLI
from matcher.enterprises import service as enterprises
from matcher.enterprises.schemas import EnterpriseCreate
from matcher.errors import PermissionDeniedError
from matcher.imports.validators import CellInvalid, parse_credit_code, parse_email, parse_phone
from matcher.models import AuditEvent, Enterprise, TechNeed

V1 = "/api/v1"
PYDANTIC_ENGLISH = ("should", "Field required", "Value error", "value is not a valid", "Input ")


def _reason(parse, value) -> str:
    with pytest.raises(CellInvalid) as caught:
        parse(value)
    return caught.value.reason


def _messages(r) -> list[str]:
    body = r.json()
    return [body["message"]] + [d["message"] for d in body["details"] or []]


def _no_pydantic_english(r) -> None:
    for message in _messages(r):
        assert " / " in message or "：" in message, message
        assert not any(w in message for w in PYDANTIC_ENGLISH), message


@pytest.mark.parametrize(
    ("field", "value", "parse"),
    [
        ("credit_code", "91410100MA00000002", parse_credit_code),
        ("contact_phone", "12345", parse_phone),
        ("email", "not-an-email@", parse_email),
    ],
)
def test_api_rejects_what_imports_reject_with_the_same_message(api, world, field, value, parse):
    r = api.post(
        f"{V1}/enterprises",
        json={"name": "校验企业", field: value},
        headers=world.headers("staff"),
    )
    assert r.status_code == 422, r.text
    detail = r.json()["details"][0]
    assert detail["field"] == f"body.{field}"
    assert detail["message"] == _reason(parse, value)
    _no_pydantic_english(r)


def test_api_normalises_like_imports(api, store, world):
    r = api.post(
        f"{V1}/enterprises",
        json={
            "name": "规范化企业",
            "city": "郑州",
            "contact_phone": "0371 6666 8888",
            "credit_code": "91410100ma00000001".replace("91410100ma00000001", "91350100M000100Y43"),
            "email": "Li@Example.CN",
        },
        headers=world.headers("staff"),
    )
    assert r.status_code == 201, r.text
    with store.transaction() as s:
        ent = s.get(Enterprise, r.json()["id"])
        assert (ent.city, ent.contact_phone) == ("郑州市", "0371-66668888")
    r = api.patch(
        f"{V1}/experts/{world.ids['x_own']}",
        json={"city": "zhengzhou city", "phone": "+86 139 0000 0000"},
        headers=world.headers("staff"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["city"] == "郑州市" and r.json()["phone"] == "13900000000"


@pytest.mark.parametrize(
    ("path", "body", "zh"),
    [
        ("/enterprises", {"name": ""}, "至少 1 个字符"),
        ("/enterprises", {"name": "   "}, "至少 1 个字符"),  # blanks are stripped first
        ("/enterprises", {"name": "a\u0000b"}, "NUL"),
        ("/enterprises", {}, "必填项缺失"),
        ("/enterprises", {"name": "x", "is_chain_leader": "maybe"}, "true 或 false"),
        ("/enterprises", {"name": "长" * 300}, "最多 200 个字符"),
        ("/assignments", {"society_id": 0}, "不能小于 1"),
        ("/assignments", {"society_id": "abc"}, "应为整数"),
    ],
)
def test_validation_errors_are_bilingual(api, world, path, body, zh):
    r = api.post(f"{V1}{path}", json=body, headers=world.headers("staff"))
    assert r.status_code == 422, r.text
    assert any(zh in m for m in _messages(r)), _messages(r)
    _no_pydantic_english(r)


def test_broken_json_and_bad_query_are_bilingual(api, world):
    r = api.post(
        f"{V1}/enterprises",
        content=b'{"name": ',
        headers={**world.headers("staff"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    _no_pydantic_english(r)
    r = api.get(f"{V1}/needs?limit=0", headers=world.headers("staff"))
    assert r.status_code == 422
    _no_pydantic_english(r)
    r = api.get(f"{V1}/audit?since=yesterday", headers=world.headers("staff"))
    assert r.status_code == 422
    _no_pydantic_english(r)


def test_no_actor_is_nobody(session, world):
    assert not policy.is_staff(None)
    with pytest.raises(PermissionDeniedError):
        enterprises.create_enterprise(
            session=session, actor=None, data=EnterpriseCreate(name="无主")
        )
    assert session.scalar(select(TechNeed).where(policy.need_condition(None))) is None
    assert policy.contact_enterprise_ids(session, None, {world.ids["e_own"]}) == set()
    out = enterprises.create_enterprise(
        session=session, actor=SYSTEM_CLI, data=EnterpriseCreate(name="系统创建")
    )
    session.flush()
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "enterprise_created")
    ).one()
    assert event.actor_label == "system:cli" and event.actor_id is None
    assert event.target_id == str(out.id)


def test_cli_imports_are_audited_as_the_system_actor(store, world, tmp_path):
    from typer.testing import CliRunner

    from matcher.cli import app

    path = tmp_path / "societies.csv"
    path.write_text("external_id,name\nS9,新学会\n", "utf-8")
    r = CliRunner().invoke(app, ["import", "societies", str(path)])
    assert r.exit_code == 0, r.output
    with store.transaction() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
    assert event.actor_label == "system:cli"


def test_deadline_helper_uses_the_programme_calendar():
    assert today() - timedelta(days=1) < today()


def test_a_need_deadline_in_the_past_is_refused_and_cities_normalised(api, store, world):
    past = (today() - timedelta(days=1)).isoformat()
    r = api.post(
        f"{V1}/needs",
        json={"title": "过期的需求", "deadline": past},
        headers=world.headers("enterprise"),
    )
    assert r.status_code == 422, r.text
    assert r.json()["details"][0]["field"] == "body.deadline"
    assert "已过" in r.json()["details"][0]["message"] and "past" in r.json()["message"]
    r = api.patch(
        f"{V1}/needs/{world.ids['need_own']}",
        json={"deadline": past},
        headers=world.headers("enterprise"),
    )
    assert r.status_code == 422, r.text
    r = api.patch(
        f"{V1}/needs/{world.ids['need_own']}",
        json={"deadline": today().isoformat()},
        headers=world.headers("enterprise"),
    )
    assert r.status_code == 200, r.text
    r = api.patch(
        f"{V1}/societies/{world.ids['s_own']}",
        json={"city": "洛阳", "contact_phone": "(0379)63912345", "email": "hn@chem.org.cn"},
        headers=world.headers("society"),
    )
    assert r.status_code == 200, r.text
    assert (r.json()["city"], r.json()["contact_phone"]) == ("洛阳市", "0379-63912345")
    r = api.patch(
        f"{V1}/societies/{world.ids['s_own']}",
        json={"contact_phone": "call me"},
        headers=world.headers("society"),
    )
    assert r.status_code == 422 and "电话号码格式错误" in r.json()["message"]
