"""Industry service teams through the API and the CLI, over the bearing world (conftest)."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from matcher.app import create_app
from matcher.cli import app
from matcher.cli_support import close_cli_stores

from .conftest import FITS, MEMBERSHIP

WEIGHTS = {"N1": 1, "N2": 1, "N3": 2, "N4": 2, "N5": 1}  # N3, N4: the chain leader's
PROPOSE = {"industry": "轴承", "city": "洛阳", "size": 3, "per_society": 1, "threshold": 60}


def _options(name: str) -> list[str]:
    return [MEMBERSHIP[name]] + (["B"] if name == "许跨" else [])


def brute_value(size: int, per: int, threshold: float) -> float:
    """Best Σ weight × best score / 100 over every team the limits allow, from the rows."""
    fits = {
        e: {n: v for n, v in f.items() if n in WEIGHTS and v >= threshold} for e, f in FITS.items()
    }
    best = 0.0
    for k in range(1, size + 1):
        for team in itertools.combinations(FITS, k):
            for societies in itertools.product(*(_options(e) for e in team)):
                if any(societies.count(s) > per for s in societies):
                    continue
                value = sum(
                    WEIGHTS[n] * max((fits[e].get(n, 0) for e in team), default=0) / 100
                    for n in WEIGHTS
                )
                best = max(best, value)
    return best


@pytest.fixture
def client(store, settings, bearing) -> Iterator[TestClient]:
    app_ = create_app(settings, store=store, load_runtime=False)
    with TestClient(app_, raise_server_exceptions=False) as c:
        yield c


def _staff(bearing):
    return bearing.headers("staff")


def test_propose_covers_best_and_lists_members_per_need(client, bearing):
    r = client.post("/api/v1/teams/propose", json=PROPOSE, headers=_staff(bearing))
    assert r.status_code == 201, r.text
    team = r.json()
    assert team["status"] == "draft" and team["name"] == "洛阳轴承产业科技服务团"
    assert team["solve"]["optimal"] and team["solve"]["gap"] == 0
    assert team["value"] == pytest.approx(brute_value(3, 1, 60), abs=1e-4)
    members = team["team_members"]
    assert 1 <= len(members) <= 3
    societies = [m["society_id"] for m in members]
    assert len(set(societies)) == len(societies)  # per-society limit 1
    assert sum(m["role"] == "leader" for m in members) == 1
    needs = {n["title"]: n for n in team["needs"]}
    assert "已解决的轴承振动" not in needs and "郑州的轴承密封" not in needs
    assert len(needs) == 5 and team["covered"] + team["uncovered"] == 5
    names = {m["name"] for m in members}
    by_id = {v: k for k, v in bearing.ids.items()}
    for n in team["needs"]:
        key = by_id[n["need_id"]].removeprefix("n_")
        fitting = {e for e in names if FITS[e].get(key, 0) >= 60}
        assert set(n["members"]) == fitting
        assert n["weight"] == WEIGHTS[key]


def test_per_society_limit_holds_with_a_larger_team(client, bearing):
    body = PROPOSE | {"size": 6, "per_society": 2}
    team = client.post("/api/v1/teams/propose", json=body, headers=_staff(bearing)).json()
    societies = [m["society_id"] for m in team["team_members"]]
    assert max(societies.count(s) for s in societies) <= 2
    assert team["value"] == pytest.approx(brute_value(6, 2, 60), abs=1e-4)


def test_edit_save_list_and_export(client, bearing):
    h, ids = _staff(bearing), bearing.ids
    team = client.post("/api/v1/teams/propose", json=PROPOSE, headers=h).json()
    url = f"/api/v1/teams/{team['id']}"
    members = {m["expert_id"]: m for m in team["team_members"]}
    outsider = next(ids[f"x_{e}"] for e in FITS if ids[f"x_{e}"] not in members)
    r = client.post(f"{url}/members", json={"expert_id": outsider}, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "team_full"
    first = next(iter(members))
    r = client.delete(f"{url}/members/{first}", headers=h)
    assert r.status_code == 200 and len(r.json()["team_members"]) == len(members) - 1
    taken = {m["society_id"] for m in r.json()["team_members"]}
    same_society = [
        ids[f"x_{e}"]
        for e in FITS
        if e != "许跨" and ids[f"soc_{MEMBERSHIP[e]}"] in taken and ids[f"x_{e}"] not in members
    ]
    assert same_society  # the bearing world has a second expert in every society but C
    r = client.post(f"{url}/members", json={"expert_id": same_society[0]}, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "society_limit"
    r = client.post(f"{url}/members", json={"expert_id": first}, headers=h)
    assert r.status_code == 201
    r = client.post(f"{url}/members", json={"expert_id": first}, headers=h)
    assert r.status_code == 409  # full again (and already a member)
    r = client.post(f"{url}/save", json={"name": "洛阳轴承服务团（第一批）"}, headers=h)
    assert r.json()["status"] == "saved" and r.json()["name"] == "洛阳轴承服务团（第一批）"
    listed = client.get("/api/v1/teams?industry=轴承", headers=h).json()
    assert [t["id"] for t in listed] == [team["id"]] and listed[0]["status"] == "saved"

    r = client.get(f"{url}/export?format=xlsx", headers=h)
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["成员", "需求覆盖"]
    member_names = [row[0] for row in book["成员"].iter_rows(min_row=2, values_only=True)]
    assert sorted(member_names) == sorted(m["name"] for m in r_json(client, url, h)["team_members"])
    need_rows = list(book["需求覆盖"].iter_rows(min_row=2, values_only=True))
    assert len(need_rows) == 5
    csv = client.get(f"{url}/export?format=csv", headers=h)
    assert csv.content.startswith("\ufeff".encode()) and "需求覆盖" not in csv.text
    assert csv.text.count("\n") == 6


def r_json(client, url, headers):
    return client.get(url, headers=headers).json()


def test_an_expert_of_another_society_is_refused(client, bearing):
    h, ids = _staff(bearing), bearing.ids
    team = client.post("/api/v1/teams/propose", json=PROPOSE | {"size": 6}, headers=h).json()
    url = f"/api/v1/teams/{team['id']}/members"
    for m in team["team_members"]:
        client.delete(f"/api/v1/teams/{team['id']}/members/{m['expert_id']}", headers=h)
    body = {"expert_id": ids["x_张机"], "society_id": ids["soc_C"]}
    r = client.post(url, json=body, headers=h)
    assert r.status_code == 422 and "society" in r.json()["message"]
    r = client.post(url, json={"expert_id": ids["x_许跨"], "society_id": ids["soc_B"]}, headers=h)
    assert r.status_code == 201 and r.json()["team_members"][0]["society_id"] == ids["soc_B"]


def run(*args: str) -> str:
    close_cli_stores()
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_propose_list_show_export(store, bearing, tmp_path):
    out = run("teams", "propose", "--industry", "轴承", "--city", "洛阳", "--size", "3",
              "--per-society", "1")  # fmt: skip
    assert "洛阳轴承产业科技服务团 [draft]" in out and "最优 optimal" in out
    assert f"{brute_value(3, 1, 60):.2f}" in out
    pinyin = run("teams", "propose", "--industry", "轴承", "--city", "Luoyang", "--size", "3",
                 "--per-society", "1")  # fmt: skip
    assert "需求 needs 5，" in pinyin
    assert "2 teams" in run("teams", "list")
    assert "团长 leader" in run("teams", "show", "1")
    sheet = tmp_path / "团.xlsx"
    run("teams", "export", "1", "--out", str(sheet))
    assert load_workbook(sheet).sheetnames == ["成员", "需求覆盖"]
    close_cli_stores()
    bad = CliRunner().invoke(app, ["teams", "propose", "--industry", "轴承", "--size", "0"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
