"""Exact solve as a 0/1 integer programme (HiGHS), for constraints that do not nest in a flow.

Variables: ``x_e`` per eligible edge; with fairness also ``y_g`` per coverable group.
Rows: per need ``Σx ≤ room``, per society, per binding lead expert and per quota group the
same; with fairness ``y_g − Σ_{e in g} x_e ≤ 0``. Fairness is lexicographic in two solves:
first maximise ``Σy`` (the number of covered groups, C*), then maximise the total score with
``Σy ≥ C*``. Objective coefficients are integer units and the MIP gap is 0, so the optimum is
exact. The model is passed to HiGHS in one ``passModel`` call (CSC arrays).
"""

from __future__ import annotations

import os
import sys
import threading

import highspy
import numpy as np
from scipy import sparse

from matcher.assignment.errors import AssignmentSolveError
from matcher.assignment.indexing import lookup
from matcher.assignment.problem import Instance
from matcher.assignment.units import UNLIMITED


def _rows(instance: Instance) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """(row of each edge, upper bound per row) blocks for the capacity-like constraints."""
    edge_rows, uppers, edges = [], [], []
    everything = np.arange(len(instance))

    def block(key: np.ndarray, room: np.ndarray, edge: np.ndarray = everything) -> None:
        used, compact = np.unique(key, return_inverse=True)
        edge_rows.append(compact.reshape(-1))
        uppers.append(room[used].astype(np.float64))
        edges.append(edge)

    block(instance.need, instance.need_room)
    block(instance.society, instance.society_room)
    led = np.flatnonzero(instance.expert >= 0)
    if len(led):
        block(instance.expert[led], instance.expert_room, led)
    for dim in instance.quotas:
        group = dim.need_group[instance.need]
        limited = np.flatnonzero(lookup(dim.room, group, UNLIMITED) < UNLIMITED)
        if len(limited):
            block(group[limited], dim.room, limited)
    return edge_rows, uppers, edges


def _model(instance: Instance, fair: bool) -> tuple[highspy.HighsLp, sparse.csc_matrix, int]:
    """The model (maximise score; continuous), its matrix and the number of coverage columns
    after the edge columns."""
    n_edges = len(instance)
    edge_rows, uppers, edges = _rows(instance)
    row_of, col_of, value = [], [], []
    offset = 0
    for rows, edge in zip(edge_rows, edges, strict=True):
        row_of.append(rows + offset)
        col_of.append(edge)
        value.append(np.ones(len(edge)))
        offset += int(rows.max()) + 1 if len(rows) else 0
    lower = [np.full(offset, -np.inf)]
    upper = list(uppers)
    n_cover = 0
    if fair and instance.cover is not None:
        cover = instance.cover
        group = cover.need_group[instance.need]
        open_edge = np.flatnonzero((group >= 0) & ~lookup(cover.covered, group, True))
        used, compact = np.unique(group[open_edge], return_inverse=True)
        n_cover = len(used)
        compact = compact.reshape(-1)
        row_of += [
            offset + compact,
            offset + np.arange(n_cover),
            np.full(n_cover, offset + n_cover),
        ]
        col_of += [open_edge, n_edges + np.arange(n_cover), n_edges + np.arange(n_cover)]
        value += [-np.ones(len(open_edge)), np.ones(n_cover), np.ones(n_cover)]
        lower += [np.full(n_cover, -np.inf), np.array([-np.inf])]  # Σy ≥ C* set later
        upper += [np.zeros(n_cover), np.array([np.inf])]
        offset += n_cover + 1
    n_col = n_edges + n_cover
    matrix = sparse.csc_matrix(
        (np.concatenate(value), (np.concatenate(row_of), np.concatenate(col_of))),
        shape=(offset, n_col),
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_col, offset
    lp.col_cost_ = np.concatenate([instance.units.astype(np.float64), np.zeros(n_cover)])
    lp.col_lower_ = np.zeros(n_col)
    lp.col_upper_ = np.ones(n_col)
    lp.row_lower_ = np.concatenate(lower)
    lp.row_upper_ = np.concatenate(upper)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    return lp, matrix, n_cover


_banner_lock = threading.Lock()
_banner_shown = False


def _new_highs() -> highspy.Highs:
    """A HiGHS instance. The first one of a process prints HiGHS's banner to the C stdout
    before any option can be set; that write goes to /dev/null instead (the CLI's output,
    CSV on stdout included, stays clean)."""
    global _banner_shown
    with _banner_lock:
        if _banner_shown:
            return highspy.Highs()
        _banner_shown = True
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
                return highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)


class _Model:
    """One HiGHS model solved to a proven integer optimum, relaxation first."""

    def __init__(self, lp: highspy.HighsLp, matrix: sparse.csc_matrix) -> None:
        self.highs = _new_highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        self.highs.setOptionValue("mip_abs_gap", 0.0)
        self.highs.passModel(lp)
        self.matrix = matrix
        self.cost = np.asarray(lp.col_cost_, dtype=np.float64).copy()
        self.row_lower = np.asarray(lp.row_lower_, dtype=np.float64).copy()
        self.row_upper = np.asarray(lp.row_upper_, dtype=np.float64).copy()
        self.cols = np.arange(lp.num_col_, dtype=np.int32)

    def set_cost(self, cost: np.ndarray) -> None:
        self.cost = cost
        self.highs.changeColsCost(len(self.cols), self.cols, cost)

    def set_row_lower(self, row: int, lower: float) -> None:
        self.row_lower[row] = lower
        self.highs.changeRowBounds(row, lower, self.row_upper[row])

    def _integrality(self, kind: highspy.HighsVarType) -> None:
        n = len(self.cols)
        self.highs.changeColsIntegrality(n, self.cols, np.full(n, int(kind), dtype=np.uint8))

    def _run(self) -> np.ndarray:
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise AssignmentSolveError(
                "整数规划求解失败",
                "the MIP did not reach a proven optimum",
                details={"status": self.highs.modelStatusToString(status)},
            )
        return np.asarray(self.highs.getSolution().col_value)

    def _proven(self, x: np.ndarray, bound: float) -> bool:
        """Whether integral ``x`` is feasible and within 0.5 of the relaxation's bound: then no
        better integer objective exists (all coefficients are integers)."""
        activity = self.matrix @ x
        feasible = (activity >= self.row_lower - 1e-9).all() and (
            activity <= self.row_upper + 1e-9
        ).all()
        return bool(feasible and float(self.cost @ x) > bound - 0.5)

    def optimum(self, start: np.ndarray | None = None) -> np.ndarray:
        """A proven integer optimum (0/1 values) of the current objective and rows.

        The relaxation is solved first (warm-started by simplex); if its vertex rounds to a
        feasible point within 0.5 of its bound (so for every totally unimodular instance) that
        is the optimum; otherwise the MIP is solved with a zero gap.
        """
        self._integrality(highspy.HighsVarType.kContinuous)
        relaxed = self._run()
        bound = float(self.highs.getInfo().objective_function_value)
        rounded = np.round(relaxed)
        if np.abs(relaxed - rounded).max(initial=0.0) <= 1e-6 and self._proven(rounded, bound):
            return rounded
        self._integrality(highspy.HighsVarType.kInteger)
        if start is not None:
            self.highs.setSolution(_solution(start))
        return np.round(self._run())


def solve_mip(instance: Instance, *, fair: bool) -> np.ndarray:
    """The chosen edges (boolean mask) of a maximum-score assignment, covering the most
    ``cover`` groups first when ``fair``."""
    n_edges = len(instance)
    if n_edges == 0:
        return np.zeros(0, dtype=bool)
    lp, matrix, n_cover = _model(instance, fair)
    model = _Model(lp, matrix)
    start = None
    if n_cover:
        score = model.cost.copy()
        model.set_cost(np.concatenate([np.zeros(n_edges), np.ones(n_cover)]))
        start = model.optimum()
        covered = int(start[n_edges:].sum())
        model.set_row_lower(lp.num_row_ - 1, covered - 0.5)
        model.set_cost(score)
    return model.optimum(start)[:n_edges] > 0.5


def _solution(values: np.ndarray) -> highspy.HighsSolution:
    solution = highspy.HighsSolution()
    solution.col_value = np.round(values).tolist()
    solution.value_valid = True
    return solution
