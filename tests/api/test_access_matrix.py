"""Every role × every endpoint × own vs other's object, in one table.

Rows run in order against one world (per database); mutating rows are chosen so that they
do not change what later rows may see (reading a need's matches as staff recomputes them, so
a need can become another society's lead: the "not a lead" row uses a need never re-ranked).
Columns: enterprise, society, staff, admin, anonymous. ``{name}`` in a path is replaced by
the id of that world object.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest

from .assignment_world import add_assignment_world
from .programme_world import add_programme_world
from .proposal_world import add_proposal_world
from .team_world import add_team_world

_seq = count(1)
ROLES = ("enterprise", "society", "staff", "admin", None)


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expect: tuple[int, int, int, int, int]  # enterprise, society, staff, admin, anonymous
    body: Any = None  # dict, or callable(role, ids) -> dict


def _new_enterprise(role, ids):
    return {"name": "新企业", "external_id": f"NEW-{next(_seq)}"}


def _assignment(role, ids):
    # staff and admin each create a distinct pair that no other row depends on
    return {
        "society_id": ids["s_other"],
        "enterprise_id": ids["e_own" if role == "staff" else "e_other"],
    }


def _need_for_other(role, ids):
    return {"title": "新需求：焊缝检测", "enterprise_id": ids["e_other"]}


NAMES = {"mapping": "市科协汇总表"}  # path parts that are names, not world ids
MAPPING = {"kind": "needs", "mapping": {"申报单位名称": "enterprise_name", "需求背景": "ignore"}}


def _by_role(staff: dict, admin: dict):
    """A body for staff and another for admin (each creates its own object)."""

    def body(role, ids):
        chosen = admin if role == "admin" else staff
        return {k: ids[v] if isinstance(v, str) and v in ids else v for k, v in chosen.items()}

    return body


_PIN = _by_role(
    {"need_id": "need_own", "society_id": "s_other"},
    {"need_id": "need_close", "society_id": "s_other"},
)
_FORBID = _by_role(
    {"need_id": "need_other", "society_id": "s_own"},
    {"need_id": "need_other_close", "society_id": "s_other"},
)
_CONFLICT = _by_role(
    {"enterprise_id": "e_own", "expert_id": "x_own", "reason": "曾任企业顾问"},
    {"enterprise_id": "e_other", "society_id": "s_own", "reason": "理事长兼任董事"},
)
# one free pair (s_other × e_own): staff start a proposal by hand, admin then finds it open
_BY_HAND = {"society_id": "s_other", "enterprise_id": "e_own"}
_ADD_MEMBER = _by_role({"expert_id": "x_other"}, {"expert_id": "x_other"})
NOTE = {"note": "专题会审议"}
REASON = {"reason": "时间冲突"}
COMPLETE = {"rating": 5, "outcome": "焊缝合格率提升到 99%"}


def _bulk_confirm(role, ids):  # a_other is cancelled by now: a per-row refusal, 200
    return {"action": "confirm", "assignment_ids": [ids["a_other"]]}


DEADLINE = {"deadline": "2027-06-30"}  # not a text field: stored matches stay valid
RESPONSE = {"status": "interested", "reason": "有相关专家"}

_PAIRING = {"round": "2026", "industry_fit": False}
CONFIRM = {"answer": "confirmed"}


def _activity(role, ids):
    body = {"enterprise_id": ids["e_own"], "service_type": "技术指导"}
    body |= {"activity_date": "2026-05-01", "volunteer_hours": 4, "expert_ids": [ids["x_own"]]}
    return body | ({"society_id": ids["s_own"]} if role in ("staff", "admin") else {})


def _activity_edit(enterprise: str):
    def body(role, ids):
        return {"enterprise_id": ids[enterprise], "service_type": "其他"} | {
            "activity_date": "2026-05-02"
        }

    return body


MATRIX: list[Case] = [
    Case("GET", "/health", (200, 200, 200, 200, 200)),
    Case("GET", "/auth/me", (200, 200, 200, 200, 401)),
    # enterprises
    Case("GET", "/enterprises", (200, 200, 200, 200, 401)),
    Case("GET", "/enterprises/{e_own}", (200, 200, 200, 200, 401)),
    Case("GET", "/enterprises/{e_other}", (404, 404, 200, 200, 401)),
    Case("POST", "/enterprises", (403, 403, 201, 201, 401), _new_enterprise),
    Case("PATCH", "/enterprises/{e_own}", (403, 403, 200, 200, 401), {"size": "中型"}),
    Case("PATCH", "/enterprises/{e_other}", (403, 403, 200, 200, 401), {"size": "小型"}),
    # needs
    Case("GET", "/needs", (200, 200, 200, 200, 401)),
    Case("GET", "/needs/{need_own}", (200, 200, 200, 200, 401)),
    Case("GET", "/needs/{need_other}", (404, 404, 200, 200, 401)),
    Case("PATCH", "/needs/{need_own}", (200, 404, 200, 200, 401), DEADLINE),
    Case("PATCH", "/needs/{need_other}", (404, 404, 200, 200, 401), DEADLINE),
    Case("GET", "/needs/{need_own}/matches", (200, 404, 200, 200, 401)),
    Case("GET", "/needs/{need_other}/matches", (404, 404, 200, 200, 401)),
    Case("POST", "/needs", (404, 403, 201, 201, 401), _need_for_other),
    Case("POST", "/needs/{need_close}/close", (200, 404, 200, 200, 401)),
    Case("POST", "/needs/{need_other_close}/close", (404, 404, 200, 200, 401)),
    # societies and leads
    Case("GET", "/societies", (200, 200, 200, 200, 401)),
    Case("GET", "/societies/{s_other}", (200, 200, 200, 200, 401)),
    Case("PATCH", "/societies/{s_own}", (404, 200, 200, 200, 401), {"capacity": 6}),
    Case("PATCH", "/societies/{s_other}", (404, 404, 200, 200, 401), {"capacity": 7}),
    Case("GET", "/societies/{s_own}/leads", (404, 200, 200, 200, 401)),
    Case("GET", "/societies/{s_other}/leads", (404, 404, 200, 200, 401)),
    Case(
        "PUT", "/societies/{s_own}/leads/{need_own}/response", (404, 200, 200, 200, 401), RESPONSE
    ),
    Case(
        "PUT",
        "/societies/{s_own}/leads/{need_other_close}/response",
        (404, 404, 404, 404, 401),
        RESPONSE,
    ),
    Case(
        "PUT",
        "/societies/{s_other}/leads/{need_other}/response",
        (404, 404, 200, 200, 401),
        RESPONSE,
    ),
    # experts
    Case("GET", "/experts", (200, 200, 200, 200, 401)),
    Case("GET", "/experts/{x_other}", (200, 200, 200, 200, 401)),
    Case("PATCH", "/experts/{x_own}", (403, 200, 200, 200, 401), {"title": "研究员"}),
    Case("PATCH", "/experts/{x_other}", (403, 403, 200, 200, 401), {"title": "研究员"}),
    # staff-only areas
    Case("GET", "/assignments", (200, 200, 200, 200, 401)),  # each sees its own
    Case("POST", "/assignments", (403, 403, 201, 201, 401), _assignment),
    Case("GET", "/audit", (403, 403, 200, 200, 401)),
    Case("GET", "/dashboard/needs-by-city", (403, 403, 200, 200, 401)),
    Case("GET", "/dashboard/needs-by-industry", (403, 403, 200, 200, 401)),
    Case("GET", "/dashboard/needs-by-month", (403, 403, 200, 200, 401)),
    Case("GET", "/dashboard/disciplines", (403, 403, 200, 200, 401)),
    Case("GET", "/dashboard/match-coverage", (403, 403, 200, 200, 401)),
    Case("GET", "/dashboard/society-load", (403, 403, 200, 200, 401)),
    Case("GET", "/dashboard/lead-response", (403, 403, 200, 200, 401)),
    Case("GET", "/dashboard/services", (403, 403, 200, 200, 401)),
    Case("GET", "/exports/needs?format=csv", (403, 403, 200, 200, 401)),
    Case("GET", "/matching/weights", (403, 403, 200, 200, 401)),
    Case("GET", "/matching/thin-profiles", (403, 403, 200, 200, 401)),
    Case("GET", "/matching/results", (403, 403, 200, 200, 401)),
    Case("POST", "/needs/match", (403, 403, 200, 200, 401), {"need_ids": []}),
    # saved import column mappings (uploads have their own tests)
    Case("PUT", "/imports/mappings/{mapping}", (403, 403, 200, 200, 401), MAPPING),
    Case("GET", "/imports/mappings", (403, 403, 200, 200, 401)),
    Case("GET", "/imports/mappings/{mapping}", (403, 403, 200, 200, 401)),
    # staff deletes it: gone for admin after that
    Case("DELETE", "/imports/mappings/{mapping}", (403, 403, 204, 404, 401)),
    # assignments (tests/api/assignment_world.py): each party sees and moves its own
    Case("GET", "/assignments/{a_prop}", (200, 200, 200, 200, 401)),
    Case("GET", "/assignments/{a_other}", (404, 404, 200, 200, 401)),
    Case("POST", "/assignments/{a_prop}/confirm", (403, 200, 409, 409, 401)),
    Case("POST", "/assignments/{a_prop}/start", (403, 200, 409, 409, 401)),
    Case("POST", "/assignments/{a_prop}/complete", (200, 403, 409, 409, 401), COMPLETE),
    Case("POST", "/assignments/{a_decline}/decline", (403, 200, 409, 409, 401), REASON),
    Case("POST", "/assignments/{a_cancel}/cancel", (200, 409, 409, 409, 401), REASON),
    Case("POST", "/assignments/{a_other}/cancel", (404, 404, 200, 409, 401), REASON),
    Case("POST", "/assignments/transitions", (403, 403, 200, 200, 401), _bulk_confirm),
    # standing rules and bulk runs: staff only
    Case("POST", "/assignment-pins", (403, 403, 201, 201, 401), _PIN),
    Case("GET", "/assignment-pins", (403, 403, 200, 200, 401)),
    Case("DELETE", "/assignment-pins/{pin}", (403, 403, 204, 404, 401)),
    Case("POST", "/assignment-forbids", (403, 403, 201, 201, 401), _FORBID),
    Case("GET", "/assignment-forbids", (403, 403, 200, 200, 401)),
    Case("DELETE", "/assignment-forbids/{forbid}", (403, 403, 204, 404, 401)),
    Case("POST", "/conflicts", (403, 403, 201, 201, 401), _CONFLICT),
    Case("GET", "/conflicts", (403, 403, 200, 200, 401)),
    Case("DELETE", "/conflicts/{conflict}", (403, 403, 204, 404, 401)),
    Case("POST", "/assignment-runs", (403, 403, 201, 201, 401), {"per_need": 1}),
    Case("GET", "/assignment-runs", (403, 403, 200, 200, 401)),
    Case("GET", "/assignment-runs/{run}", (403, 403, 200, 200, 401)),
    Case(
        "PATCH",
        "/assignment-runs/{run}/pairs/{run_pair}",
        (403, 403, 200, 200, 401),
        {"action": "pin"},
    ),
    Case("POST", "/assignment-runs/{run}/commit", (403, 403, 200, 409, 401)),
    Case("POST", "/assignment-runs/{run2}/discard", (403, 403, 200, 409, 401)),
    # workstation proposals (tests/api/proposal_world.py): staff, and the parties read
    Case("POST", "/proposals/generate?dry_run=true", (403, 403, 200, 200, 401)),
    Case("GET", "/proposals", (200, 200, 200, 200, 401)),
    Case("GET", "/proposals/summary?format=csv", (403, 403, 200, 200, 401)),
    Case("GET", "/proposals/{prop_own}", (200, 200, 200, 200, 401)),
    Case("GET", "/proposals/{prop_other}", (404, 404, 200, 200, 401)),
    Case("GET", "/proposals/{prop_own}/document", (200, 200, 200, 200, 401)),
    Case("GET", "/proposals/{prop_other}/document", (404, 404, 200, 200, 401)),
    Case("POST", "/proposals", (403, 403, 201, 409, 401), _by_role(_BY_HAND, _BY_HAND)),
    Case("POST", "/proposals/{prop_own}/submit", (403, 403, 200, 409, 401), NOTE),
    Case("POST", "/proposals/{prop_own}/approve", (403, 403, 200, 409, 401), NOTE),
    Case("POST", "/proposals/{prop_other}/reject", (403, 403, 200, 409, 401), NOTE),
    # industry service teams (tests/api/team_world.py): staff only; staff add x_other, admin
    # then finds the team full; staff remove x_other, admin then finds no such member
    Case("POST", "/teams/propose", (403, 403, 201, 201, 401), {"industry": "装备制造"}),
    Case("GET", "/teams", (403, 403, 200, 200, 401)),
    Case("GET", "/teams/{team}", (403, 403, 200, 200, 401)),
    Case("POST", "/teams/{team}/members", (403, 403, 201, 409, 401), _ADD_MEMBER),
    Case("DELETE", "/teams/{team}/members/{x_other}", (403, 403, 200, 404, 401)),
    Case("GET", "/teams/{team}/export?format=xlsx", (403, 403, 200, 200, 401)),
    Case("POST", "/teams/{team}/save", (403, 403, 200, 200, 401), {"name": "服务团"}),
    # the programme's figures and yearly report (round 2024 of tests/api/team_world.py)
    Case("GET", "/reports/programme?round=2024", (403, 403, 200, 200, 401)),
    Case("GET", "/reports/yearly?round=2024&format=xlsx", (403, 403, 200, 200, 401)),
    Case("POST", "/reports/yearly?round=2024", (403, 403, 201, 201, 401)),
    # the programme (tests/api/programme_world.py): pairing runs staff only; pairs and
    # activities each party its own; only the enterprise answers a record about it
    Case("POST", "/programme/pairing-runs", (403, 403, 201, 201, 401), _PAIRING),
    Case("GET", "/programme/pairing-runs", (403, 403, 200, 200, 401)),
    Case("GET", "/programme/pairing-runs/{prun}", (403, 403, 200, 200, 401)),
    Case(
        "PATCH",
        "/programme/pairing-runs/{prun}/pairs/{prun_pair}",
        (403, 403, 200, 200, 401),
        {"action": "remove"},
    ),
    Case("POST", "/programme/pairing-runs/{prun}/commit", (403, 403, 200, 409, 401)),
    Case("POST", "/programme/pairing-runs/{prun2}/discard", (403, 403, 200, 409, 401)),
    Case("GET", "/programme/rounds", (200, 200, 200, 200, 401)),
    Case("GET", "/programme/rounds/{round_name}/pairs", (200, 200, 200, 200, 401)),
    Case("POST", "/programme/pairs/{pair_other}/end", (403, 403, 200, 409, 401), REASON),
    Case("POST", "/programme/activities", (403, 201, 201, 201, 401), _activity),
    Case("GET", "/programme/activities", (200, 200, 200, 200, 401)),
    Case("GET", "/programme/activities/{act_own}", (200, 200, 200, 200, 401)),
    Case("GET", "/programme/activities/{act_other}", (404, 404, 200, 200, 401)),
    Case(
        "PUT", "/programme/activities/{act_own}", (403, 200, 200, 200, 401), _activity_edit("e_own")
    ),
    Case(
        "PUT",
        "/programme/activities/{act_other}",
        (404, 404, 200, 200, 401),
        _activity_edit("e_other"),
    ),
    Case("POST", "/programme/activities/{act_own}/answer", (200, 403, 403, 403, 401), CONFIRM),
    Case("POST", "/programme/activities/{act_other}/answer", (404, 404, 403, 403, 401), CONFIRM),
    Case("GET", "/programme/hours/societies", (403, 200, 200, 200, 401)),
    Case("GET", "/programme/hours/experts", (403, 200, 200, 200, 401)),
    Case("POST", "/programme/rounds/{old_round}/end", (403, 403, 200, 409, 401), {}),
    # expert rosters (last: they change the societies' profiles)
    Case("POST", "/experts", (403, 201, 422, 422, 401), {"name": "新专家"}),  # staff name one
    Case(
        "POST",
        "/experts",
        (403, 404, 201, 201, 401),
        lambda role, ids: {"name": "新专家", "society_id": ids["s_other"]},
    ),
    Case("DELETE", "/experts/{x_other}/societies/{s_other}", (403, 404, 204, 404, 401)),
    Case("DELETE", "/experts/{x_own}/societies/{s_own}", (403, 204, 404, 404, 401)),
]


def _headers(world, role):
    return world.headers(role)


@pytest.mark.slow  # its match rows load the matching runtime
def test_access_matrix(api, world, store):
    add_assignment_world(store, world)
    add_proposal_world(store, world)
    add_team_world(store, world)
    add_programme_world(store, world)
    mismatches = []
    for case in MATRIX:
        path = "/api/v1" + case.path.format(**world.ids, **NAMES)
        for role, expected in zip(ROLES, case.expect, strict=True):
            body = case.body(role, world.ids) if callable(case.body) else case.body
            r = api.request(case.method, path, json=body, headers=_headers(world, role))
            if r.status_code != expected:
                mismatches.append(
                    f"{case.method} {case.path} as {role}: {r.status_code} {r.text[:200]}"
                )
            elif r.status_code >= 400:
                assert set(r.json()) == {"code", "message", "details"}, r.text
    assert not mismatches, "\n".join(mismatches)


def test_matrix_covers_every_route(api):
    """A new endpoint must be added to the table above."""
    schema = api.get("/openapi.json").json()
    listed = {(c.method, c.path.split("?")[0]) for c in MATRIX}
    untested = []
    for path, ops in schema["paths"].items():
        for method in ops:
            generic = path.removeprefix("/api/v1")
            if generic in ("/auth/token", "/metrics", "/imports/{kind}"):
                continue  # log-in, metrics and uploads have their own tests
            if not any(m == method.upper() and _same_shape(p, generic) for m, p in listed):
                untested.append(f"{method.upper()} {path}")
    assert not untested, untested


def _same_shape(concrete: str, template: str) -> bool:
    a, b = concrete.strip("/").split("/"), template.strip("/").split("/")
    return len(a) == len(b) and all(
        x == y or (x.startswith("{") and y.startswith("{")) or (y.startswith("{") and x == "needs")
        for x, y in zip(a, b, strict=True)
    )


def test_unbound_user_sees_nothing(api, store, settings):
    """A role without its binding (e.g. data repaired by hand) must not match NULL rows."""
    from matcher.auth.service import issue_token
    from matcher.models import Role, TechNeed

    from .conftest import make_user

    with store.transaction() as s:
        s.add(TechNeed(external_id="ORPHAN", title="无主需求", description=""))
        users = [make_user(s, "lost_ent", Role.ENTERPRISE), make_user(s, "lost_soc", Role.SOCIETY)]
        s.flush()
        tokens = [issue_token(settings=settings, user=u)[0] for u in users]
    for token in tokens:
        headers = {"Authorization": f"Bearer {token}"}
        assert api.get("/api/v1/needs", headers=headers).json()["total"] == 0
        assert api.get("/api/v1/enterprises", headers=headers).json()["total"] == 0
