"""Exact bulk assignment of societies to needs (min-cost flow or HiGHS MIP; no web, no DB).

``assign`` takes candidate edges (need, society, optional lead expert, 0–100 score) and the
constraints, and returns an ``AssignmentResult``: the optimal pairs, the greedy baseline's
total, and one ``ReasonCode`` per need left short. ``pair_enterprises`` is the same at the
enterprise level, with chain leaders paired first.
"""

from matcher.assignment.enterprises import EnterpriseEdge, pair_enterprises
from matcher.assignment.errors import AssignmentInputError, AssignmentSolveError
from matcher.assignment.inputs import Edge, EdgeTable, Exclusions, Id, Pair
from matcher.assignment.result import AssignmentResult, ChosenPair, FairnessReport, ReasonCode
from matcher.assignment.solve import assign
from matcher.assignment.units import SCALE

__all__ = [
    "SCALE",
    "AssignmentInputError",
    "AssignmentResult",
    "AssignmentSolveError",
    "ChosenPair",
    "Edge",
    "EdgeTable",
    "EnterpriseEdge",
    "Exclusions",
    "FairnessReport",
    "Id",
    "Pair",
    "ReasonCode",
    "assign",
    "pair_enterprises",
]
