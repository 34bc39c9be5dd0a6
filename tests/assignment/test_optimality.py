"""Exact optimality against brute force (every subset of ≤ 9 candidate edges), both solvers."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from matcher.assignment import AssignmentInputError, assign
from tests.assignment.brute import Case, brute_force, cases, check_result

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_optimal(case: Case) -> None:
    """``auto``, ``flow`` and ``mip`` all reach the brute-force optimum (or all refuse pins
    that do not fit); ``flow`` may only refuse an instance it cannot model."""
    expected = brute_force(case)
    for solver in ("auto", "flow", "mip"):
        try:
            result = assign(**case.kwargs(), solver=solver)
        except AssignmentInputError as error:
            if expected is None:
                continue
            assert solver == "flow" and "min-cost flow cannot" in error.message_en, error
            continue
        assert expected is not None, "pins that do not fit were accepted"
        check_result(case, result)
        covered = result.fairness.groups_covered if result.fairness else 0
        assert (covered, round(result.objective * 1000)) == expected, solver


@EXAMPLES
@given(cases())
def test_plain_case_is_optimal(case: Case) -> None:
    assert_optimal(case)


@EXAMPLES
@given(cases(quotas=True))
def test_quotas_are_optimal(case: Case) -> None:
    assert_optimal(case)


@EXAMPLES
@given(cases(fair=True))
def test_fairness_is_lexicographically_optimal(case: Case) -> None:
    assert_optimal(case)


@EXAMPLES
@given(cases(extras=True))
def test_experts_pins_fixed_and_exclusions_are_optimal(case: Case) -> None:
    assert_optimal(case)


@EXAMPLES
@given(cases(quotas=True, fair=True, extras=True))
def test_everything_at_once_is_optimal(case: Case) -> None:
    assert_optimal(case)
