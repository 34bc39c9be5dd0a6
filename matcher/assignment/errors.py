"""Typed errors of the optimiser."""

from __future__ import annotations

from matcher.errors import InvalidInputError, MatcherError


class AssignmentInputError(InvalidInputError):
    """Inputs the optimiser cannot accept (bad numbers, unknown ids, infeasible pins)."""

    code = "invalid_assignment_input"


class AssignmentSolveError(MatcherError):
    """A solver did not prove optimality (a bug or a numerical failure, never bad input)."""

    code = "assignment_solve_failed"
    status = 500
