"""Bad input raises the typed error (an ``InvalidInputError`` with a stable code)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matcher.assignment import AssignmentInputError, Edge, EdgeTable, Exclusions, Pair, assign
from matcher.errors import InvalidInputError

EDGES = [Edge("n1", "s1", 50, enterprise_id="E1"), Edge("n2", "s2", 60, enterprise_id="E2")]
CAP = {"s1": 1, "s2": 1}
CITY = {"city": {"n1": "郑州市", "n2": "洛阳市"}}


@pytest.mark.parametrize(
    ("edges", "capacity", "kwargs"),
    [
        (EDGES, CAP, {"per_need": 0}),
        (EDGES, CAP, {"per_need": 1.5}),
        (EDGES, {"s1": -1, "s2": 1}, {}),
        (EDGES, {"s1": 1}, {}),  # s2 has no capacity
        (EDGES, CAP, {"expert_capacity": {"x": -2}}),
        (EDGES, CAP, {"default_expert_capacity": -1}),
        (EDGES, CAP, {"min_score": -0.1}),
        (EDGES, CAP, {"min_score": 100.5}),
        (EDGES, CAP, {"min_score": math.nan}),
        ([Edge("n1", "s1", math.nan)], CAP, {}),
        ([Edge("n1", "s1", 101)], CAP, {}),
        ([Edge("n1", "s1", 5), Edge("n1", "s1", 6)], CAP, {}),  # duplicate pair
        ([Edge("n1", "s1", 5, "E1"), Edge("n1", "s2", 6, "E2")], CAP, {}),  # two enterprises
        (EDGES, CAP, {"pinned": [Pair("ghost", "s1")]}),
        (EDGES, CAP, {"pinned": [Pair("n1", "ghost")]}),
        (EDGES, CAP, {"fixed": [Pair("n1", "ghost")]}),
        (EDGES, CAP, {"pinned": [Pair("n1", "s1"), Pair("n2", "s1")]}),  # over capacity
        (EDGES, CAP, {"pinned": [Pair("n1", "s1")], "fixed": [Pair("n1", "s2")]}),  # per_need
        (EDGES, CAP, {"pinned": [Pair("n1", "s1"), Pair("n1", "s1")]}),
        (EDGES, CAP, {"pinned": [Pair("n1", "s1", score=math.nan)]}),
        (EDGES, CAP, {"pinned": [Pair("n1", "s1")], "forbidden": Exclusions({("n1", "s1")})}),
        (
            EDGES,
            CAP,
            {
                "pinned": [Pair("n1", "s1")],
                "conflicts": Exclusions(enterprise_society={("E1", "s1")}),
            },
        ),
        (EDGES, CAP, {"groups": CITY, "quotas": {"city": {"开封市": 1}}}),  # unknown group
        (EDGES, CAP, {"groups": CITY, "quotas": {"county": {"x": 1}}}),  # unknown dimension
        (EDGES, CAP, {"groups": CITY, "quotas": {"city": {"郑州市": -1}}}),
        (
            EDGES,
            CAP,
            {"groups": CITY, "quotas": {"city": {"郑州市": 0}}, "pinned": [Pair("n1", "s1")]},
        ),
        (EDGES, CAP, {"fair": "county"}),
        (EDGES, CAP, {"solver": "simplex"}),
    ],
)
def test_bad_input_raises_the_typed_error(edges, capacity, kwargs) -> None:
    with pytest.raises(AssignmentInputError) as caught:
        assign(edges, capacity, **kwargs)
    error = caught.value
    assert isinstance(error, InvalidInputError)
    assert error.code == "invalid_assignment_input" and error.status == 422
    assert error.message_zh and error.message_en and error.details is not None


def test_nan_in_an_edge_table_is_rejected() -> None:
    table = EdgeTable(
        need_id=np.array(["n1", "n2"]),
        society_id=np.array(["s1", "s2"]),
        score=np.array([50.0, np.nan]),
    )
    with pytest.raises(AssignmentInputError) as caught:
        assign(table, CAP)
    assert caught.value.details["rows"] == [1]


def test_fixed_pairs_over_capacity_are_kept_not_rejected() -> None:
    result = assign(EDGES, CAP, fixed=[Pair("n1", "s1"), Pair("n2", "s1")])
    assert len(result.pairs) == 2 and all(p.fixed for p in result.pairs)
