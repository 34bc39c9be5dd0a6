"""Reading assignments back with names (``browse_assignments``): each filter narrows the rows,
dates are whole UTC days, a society sees only its own; and ``pair_reasons`` words a pair's
stored match."""

from __future__ import annotations

from datetime import UTC, date, datetime

from matcher.assignments.browse import AssignmentFilter, browse_assignments
from matcher.assignments.commit import commit_run
from matcher.assignments.pair_reasons import pair_reasons, reason_of
from matcher.auth.actors import SYSTEM_CLI
from matcher.models import Assignment, AssignmentStatus, Role, User

from .world import Ids, dry_run


def _committed(store, ids: Ids) -> None:
    with store.transaction() as s:
        commit_run(session=s, actor=SYSTEM_CLI, run_id=dry_run(s).id)


def _needs(store, actor=SYSTEM_CLI, **filters) -> tuple[list[str], int]:
    with store.transaction() as s:
        rows, total = browse_assignments(
            session=s, actor=actor, filters=AssignmentFilter(**filters), limit=2
        )
        return [r.need_external_id for r in rows], total


def test_filters_names_and_paging(store, ids: Ids) -> None:
    _committed(store, ids)
    names, total = _needs(store)
    assert total == 5 and len(names) == 2  # one page of two, newest first
    with store.transaction() as s:
        rows, _ = browse_assignments(
            session=s, actor=SYSTEM_CLI, filters=AssignmentFilter(society="化学"), limit=10
        )
        assert {r.society_name for r in rows} == {"河南省化学会"}
        assert all(r.enterprise_name and r.need_title and r.expert_name for r in rows)
    assert _needs(store, city="洛阳市")[1] == 2
    assert _needs(store, enterprise="开封化工")[1] == 1
    assert _needs(store, statuses=[AssignmentStatus.COMPLETED])[1] == 0
    assert _needs(store, society="河南省%")[1] == 0  # a wildcard is plain text
    today = datetime.now(UTC).date()
    assert _needs(store, created_from=today, created_to=today)[1] == 5
    assert _needs(store, created_to=date(2000, 1, 1))[1] == 0


def test_a_society_sees_only_its_own(store, ids: Ids) -> None:
    _committed(store, ids)
    with store.transaction() as s:
        user = User(username="sb", password_hash="x", role=Role.SOCIETY)
        user.society_id = ids.society["SB"]
        s.add(user)
        s.flush()
        rows, total = browse_assignments(session=s, actor=user, filters=AssignmentFilter())
        assert total == s.query(Assignment).filter_by(society_id=ids.society["SB"]).count() > 0
        assert {r.society_id for r in rows} == {ids.society["SB"]}


def test_pair_reasons_word_the_stored_match(store, ids: Ids) -> None:
    with store.transaction() as s:
        got = pair_reasons(s, [(ids.need["N1"], ids.society["SA"]), (ids.need["N1"], 999)])
    assert got == {(ids.need["N1"], ids.society["SA"]): "专家 experts: 专家XA1、专家XA2"}
    text = reason_of(["焊接", "检测"], {"city": 1.0, "top_experts": [{"name": "张工"}]})
    assert text == "关键词 keywords: 焊接、检测；同城 same city；专家 experts: 张工"
    assert reason_of([], {"city": 0.0}) == ""
