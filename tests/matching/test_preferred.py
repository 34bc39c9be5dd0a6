"""Societies a need asks for by name come first, with their reason; scores unchanged."""

from __future__ import annotations

import numpy as np

from matcher.matching.preferred import PARTNER_REASON, listed_first, preferred, put_first
from matcher.proposals.service import WORKSTATION_REASON
from matcher.ranking.rank import Query, Scored

NAMES = {1: "河南省机械工程学会", 2: "河南省化工学会", 3: "河南省水利学会"}


def _q(partner):
    return Query([], np.zeros(2, np.float32), [], partner=partner)


def test_partner_named_in_free_text_is_recognised():
    assert preferred(_q("拟与河南省水利学会及郑州大学合作"), NAMES) == {3: PARTNER_REASON}
    assert preferred(_q("机械工程学会"), NAMES) == {1: PARTNER_REASON}
    assert preferred(_q("郑州大学"), NAMES) == {}
    assert preferred(_q(None), NAMES) == {}
    assert preferred(_q("学会"), NAMES) == {}  # too short to name one


def test_put_first_moves_and_marks_without_changing_scores():
    scored = [Scored(i, 90 - 10 * i, {}, []) for i in (1, 2, 3)]
    got = put_first(scored, {3: PARTNER_REASON}, 2)
    assert [s.id for s in got] == [3, 1]
    assert got[0].score == 60 and got[0].components["listed_first"] == PARTNER_REASON
    assert [s.id for s in put_first(scored, {}, 2)] == [1, 2]


def test_a_society_that_declined_a_near_duplicate_is_not_listed_first_for_an_arrangement():
    scored = [Scored(i, 90 - 10 * i, {"declined": 0.9 if i == 3 else 0.0}, []) for i in (1, 2, 3)]
    got = put_first(scored, {3: WORKSTATION_REASON}, 3)
    assert [s.id for s in got] == [1, 2, 3]
    assert got[2].components["not_listed_first"] == WORKSTATION_REASON
    assert "listed_first" not in got[2].components
    barely = [Scored(i, 90 - 10 * i, {"declined": 0.2}, []) for i in (1, 2, 3)]
    assert [s.id for s in put_first(barely, {3: WORKSTATION_REASON}, 3)] == [3, 1, 2]
    named = put_first(scored, {3: PARTNER_REASON}, 3)  # the enterprise asks for it by name
    assert [s.id for s in named] == [3, 1, 2]


def test_a_named_partner_with_a_workstation_stays_first_after_declining():
    """The enterprise names the society it also has a workstation with: the naming wins,
    so a decline of a near-duplicate does not move it from the front."""
    query = Query([], np.zeros(2, np.float32), [], partner="河南省水利学会")
    query.first = {3: WORKSTATION_REASON, 2: WORKSTATION_REASON}
    first = listed_first(query, NAMES)
    assert first == {3: PARTNER_REASON, 2: WORKSTATION_REASON}
    scored = [Scored(i, 90 - 10 * i, {"declined": 0.9}, []) for i in (1, 2, 3)]
    assert [s.id for s in put_first(scored, first, 3)] == [3, 1, 2]
    assert scored[1].components["not_listed_first"] == WORKSTATION_REASON
