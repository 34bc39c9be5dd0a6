"""The inputs a life-cycle move needs of its own, checked before any row is read."""

from __future__ import annotations

import pytest

from matcher.assignments.lifecycle import Action, check_move_inputs
from matcher.errors import InvalidInputError

NONE = {"reason": None, "rating": None, "outcome": None}


@pytest.mark.parametrize("action", [Action.DECLINE, Action.CANCEL])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_decline_and_cancel_need_a_reason(action, reason):
    with pytest.raises(InvalidInputError) as caught:
        check_move_inputs(action, **NONE | {"reason": reason})
    assert caught.value.details == {"field": "reason"}
    check_move_inputs(action, **NONE | {"reason": "企业撤回需求"})


@pytest.mark.parametrize(
    ("rating", "outcome", "field"),
    [
        (None, "合格率提升", "rating"),
        (0, "合格率提升", "rating"),
        (6, "合格率提升", "rating"),
        (True, "合格率提升", "rating"),
        (4.5, "合格率提升", "rating"),
        (4, None, "outcome"),
        (4, "  ", "outcome"),
    ],
)
def test_complete_needs_a_rating_1_to_5_and_an_outcome(rating, outcome, field):
    with pytest.raises(InvalidInputError) as caught:
        check_move_inputs(Action.COMPLETE, reason=None, rating=rating, outcome=outcome)
    assert caught.value.details == {"field": field}


def test_complete_with_its_inputs_passes():
    check_move_inputs(Action.COMPLETE, reason=None, rating=5, outcome="焊缝合格率提升")


@pytest.mark.parametrize("action", [Action.CONFIRM, Action.START])
def test_other_moves_need_nothing(action):
    check_move_inputs(action, **NONE)
