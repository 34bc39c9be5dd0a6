"""The staff console's lists in the service layer and over HTTP, on both databases: needs
(society, posting date, best-score filters; sorts; paging; text search), stored matches,
the audit trail's readable targets, "match now", and user management for admins only."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, select, update

from matcher.assignments.conflicts import create_conflict, delete_conflict
from matcher.assignments.rule_schemas import SocietyConflict
from matcher.audit.service import record, target_labels
from matcher.auth import user_admin
from matcher.db import Store
from matcher.errors import InvalidInputError, PermissionDeniedError
from matcher.matching.browse import MatchFilter, MatchSort, list_matches
from matcher.models import (
    AuditEvent,
    Enterprise,
    MatchResult,
    NeedStatus,
    TargetKind,
    TechNeed,
    User,
)
from matcher.needs.match_now import NOT_RANKED, why_no_matches
from matcher.needs.schemas import NeedListFilter, NeedSort
from matcher.needs.service import list_needs
from tests.api.conftest import World, make_need


def _user(s, username: str) -> User:
    return s.scalar(select(User).where(User.username == username))


def _ids(needs) -> list[str]:
    return [n.external_id for n in needs]


@pytest.fixture
def more(store: Store, world: World) -> World:
    """An unranked need, a match row of an expert, and N1 posted in 2024."""
    with store.transaction() as s:
        ent = s.get(Enterprise, world.ids["e_own"])
        fresh = make_need(s, "N9", ent, "50%含量检测", "检测方法", [])
        fresh.status = NeedStatus.OPEN
        s.add(
            MatchResult(
                need_id=world.ids["need_other"],
                target_kind=TargetKind.EXPERT,
                target_id=world.ids["x_own"],  # an expert of S1, on another society's lead
                rank=1,
                score=0.9,
                matched_keywords=["复合材料"],
                model_id="hand-made",
                created_at=datetime(2025, 1, 2, tzinfo=UTC),
            )
        )
        s.execute(
            update(TechNeed)
            .where(TechNeed.external_id == "N1")
            .values(created_at=datetime(2024, 5, 1, 12, tzinfo=UTC))
        )
    return world


def test_needs_filtered_sorted_and_paged_in_sql(store: Store, more: World) -> None:
    with store.transaction() as s:
        staff = _user(s, "staff")

        def ids(**kw) -> list[str]:
            return _ids(list_needs(session=s, actor=staff, **kw)[0])

        by = NeedListFilter
        assert ids(listing=by(society_id=more.ids["s_own"])) == ["N2", "N1"]
        assert ids(listing=by(score_min=0.55, score_max=0.75, sort=NeedSort.score_desc)) == [
            "N3",
            "N4",
        ]
        # needs without a score come last either way
        assert ids(listing=by(sort=NeedSort.score_asc)) == ["N2", "N4", "N3", "N1", "N9"]
        assert ids(listing=by(sort=NeedSort.score_desc))[-1] == "N9"
        assert ids(listing=by(sort=NeedSort.oldest))[0] == "N1"
        assert ids(listing=by(sort=NeedSort.title))[0] == "N9"  # "5…" sorts before CJK
        assert ids(listing=by(posted_to=date(2024, 5, 1))) == ["N1"]
        assert "N1" not in ids(listing=by(posted_from=date(2024, 5, 2)))
        page, total = list_needs(
            session=s, actor=staff, listing=by(sort=NeedSort.score_asc), limit=2, offset=2
        )
        assert (_ids(page), total) == (["N3", "N1"], 5)
        assert [n.best_score for n in page] == [0.7, 0.8]
        assert ids(q="50%") == ["N9"]  # % is a character, not a wildcard
        assert ids(q="N4") == ["N4"]  # the external id is searched too
        [fresh] = list_needs(session=s, actor=staff, q="50%")[0]
        assert why_no_matches(fresh) == NOT_RANKED


def test_a_society_weighs_only_its_own_scores(store: Store, more: World) -> None:
    with store.transaction() as s:
        society = _user(s, "soc")
        needs, total = list_needs(session=s, actor=society, listing=NeedListFilter())
        assert {n.external_id: n.best_score for n in needs} == {"N1": 0.8, "N2": 0.5}
        assert total == 2


def test_stored_matches_filtered_and_named(store: Store, more: World) -> None:
    with store.transaction() as s:
        staff = _user(s, "staff")

        def rows(**kw):
            return list_matches(session=s, actor=staff, filters=MatchFilter(**kw))

        found, total = rows()
        assert total == 5
        assert [(r.need_external_id, r.target_name) for r in found][:2] == [
            ("N3", "张工"),
            ("N1", "河南省机械工程学会"),
        ]
        own, _ = rows(society_id=more.ids["s_own"])  # its rows and its experts'
        assert sorted((r.need_external_id, r.target_kind.value) for r in own) == [
            ("N1", "society"),
            ("N2", "society"),
            ("N3", "expert"),
        ]
        assert [r.need_external_id for r in rows(city="洛阳市", target_kind="society")[0]] == [
            "N3",
            "N4",
        ]
        assert [r.score for r in rows(score_min=0.6, score_max=0.75)[0]] == [0.7, 0.6]
        assert [r.need_external_id for r in rows(matched_to=date(2025, 1, 2))[0]] == ["N3"]
        newest, total = list_matches(
            session=s,
            actor=staff,
            filters=MatchFilter(sort=MatchSort.newest),
            limit=1,
            offset=4,
        )
        assert (newest[0].target_kind, total) == (TargetKind.EXPERT, 5)  # the 2025 row last
        with pytest.raises(PermissionDeniedError):
            list_matches(session=s, actor=_user(s, "soc"), filters=MatchFilter())


def test_audit_targets_by_name_in_one_query_per_type(store: Store, world: World) -> None:
    with store.transaction() as s:
        staff = _user(s, "staff")
        data = SocietyConflict(
            enterprise_id=world.ids["e_own"], society_id=world.ids["s_other"], reason="参股"
        )
        gone = create_conflict(session=s, actor=staff, data=data)
        delete_conflict(session=s, actor=staff, conflict_id=gone.id)
        for need in ("need_own", "need_other"):
            record(
                session=s, actor=staff, action="x", target_type="need", target_id=world.ids[need]
            )
        record(session=s, actor=staff, action="x", target_type="user", target_id=staff.id)
        record(
            session=s,
            actor=None,
            action="import",
            target_type="experts",
            count=312,
            detail={"file": "专家.xlsx"},
        )
        s.flush()
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        statements: list[str] = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(store.engine, "before_cursor_execute", listen)
        try:
            found = target_labels(s, events)
        finally:
            event.remove(store.engine, "before_cursor_execute", listen)
        assert [found[e.id] for e in events] == [
            f"conflict #{gone.id}",  # created, then deleted: its type and id
            f"conflict #{gone.id}",
            "N1 · 焊接机器人焊缝质量检测",
            "N3 · 耐高温高分子复合材料",
            "staff",
            "312 × 专家 experts（专家.xlsx）",
        ]
        assert len(statements) == 3, statements  # conflicts, needs, users


def test_only_admins_manage_users(store: Store, world: World) -> None:
    with store.transaction() as s:
        staff, admin = _user(s, "staff"), _user(s, "admin")
        with pytest.raises(PermissionDeniedError):
            user_admin.list_accounts(session=s, actor=staff)
        with pytest.raises(PermissionDeniedError):
            user_admin.change_role(session=s, actor=staff, username="staff", role="admin")
        with pytest.raises(InvalidInputError):
            user_admin.set_enabled(session=s, actor=admin, username="admin", active=False)
        accounts = {a.username: a for a in user_admin.list_accounts(session=s, actor=admin)}
        assert accounts["ent"].bound_to == "郑州重工机械有限公司"
        assert accounts["soc"].bound_to == "河南省机械工程学会"
        assert "password" not in repr(accounts["ent"]).lower()


# ---- HTTP ---------------------------------------------------------------------------------


def test_http_lists(api, more: World) -> None:
    staff = more.headers("staff")
    got = api.get(
        "/api/v1/needs",
        params={"sort": "score_asc", "society_id": more.ids["s_own"], "limit": 1},
        headers=staff,
    ).json()
    assert (got["total"], [n["external_id"] for n in got["items"]]) == (2, ["N2"])
    assert got["items"][0]["best_score"] == 0.5
    assert api.get("/api/v1/needs", params={"score_min": 101}, headers=staff).status_code == 422
    rows = api.get(
        "/api/v1/matching/results",
        params={"society_id": more.ids["s_other"], "score_min": 0.65},
        headers=staff,
    ).json()
    assert [(r["need_external_id"], r["target_name"]) for r in rows["items"]] == [
        ("N3", "河南省化学会")
    ]
    audit = api.get("/api/v1/audit", headers=staff).json()["items"]
    assert all(e["target_label"] for e in audit)


@pytest.mark.slow  # loads the matching runtime
def test_http_match_now(api, store: Store, more: World) -> None:
    body = {"need_ids": [more.ids["need_own"]]}
    assert (
        api.post("/api/v1/needs/match", json=body, headers=more.headers("society")).status_code
        == 403
    )
    with store.transaction() as s:
        s.execute(update(TechNeed).where(TechNeed.external_id == "N2").values(status="closed"))
        n2 = s.scalar(select(TechNeed.id).where(TechNeed.external_id == "N2"))
    got = api.post(
        "/api/v1/needs/match", json={"need_ids": [n2]}, headers=more.headers("staff")
    ).json()
    assert got == {"matched": 0, "needs_detail": 0, "skipped": ["N2"]}
    with store.transaction() as s:
        s.execute(update(TechNeed).where(TechNeed.external_id == "N4").values(status="open"))
    got = api.post("/api/v1/needs/match", json={}, headers=more.headers("staff")).json()
    assert got["matched"] + got["needs_detail"] == 2  # N4 and N9, the open needs
    with store.transaction() as s:
        n9 = s.scalar(select(TechNeed.id).where(TechNeed.external_id == "N9"))
        opened = {more.ids["need_other_close"], n9}
        statuses = set(s.scalars(select(TechNeed.status).where(TechNeed.id.in_(opened))))
        assert statuses <= {NeedStatus.MATCHED, NeedStatus.NEEDS_DETAIL}
        [bulk] = s.scalars(select(AuditEvent).where(AuditEvent.action == "match")).all()
        assert (bulk.actor_label, bulk.count, bulk.target_id) == ("staff", 2, None)
        assert set(bulk.detail["need_ids"]) == opened  # a small bulk run lists its needs
        assert target_labels(s, [bulk])[bulk.id] == "2 × 需求 need"
