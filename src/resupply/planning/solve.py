"""Solve an `LpModel` with HiGHS under a wall-clock limit; results come back as NumPy arrays.

This is the only module that touches ``highspy``. The solve runs in HiGHS's own worker thread
(``startSolve``); the caller waits at most ``time_limit + GRACE`` seconds, then cancels the
solve and waits ``GRACE`` more, so a call returns within about ``time_limit + 2 GRACE`` even
when HiGHS's own (soft) time limit is overrun.

Method ``race`` (the default for LPs) runs HiGHS's dual simplex and its interior point
method (IPX, with crossover to a basis) side by side on the same model and keeps the first
to finish: neither wins everywhere on this model (docs/performance.md: simplex 9x faster on
ukraine-2022, interior point 14x faster on the medium benchmark), and the machine has a core
for each. A warm-started solve (a rolling re-plan from the previous plan's basis, or the
re-solve for the cost of fairness) is dual simplex alone: from a basis near the new optimum
it needs tens of iterations where a cold solve needs thousands.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np
from numpy.typing import NDArray

from resupply.compile.problem import F64
from resupply.errors import PlanningError
from resupply.planning.model import LpModel
from resupply.planning.options import PlanOptions
from resupply.planning.race import Interrupted, race
from resupply.planning.status import Status, from_highs

GRACE = 2.0
"""Seconds waited past the limit before cancelling, and again after cancelling. [s]"""
STRAGGLER_WAIT = 30.0
"""At exit, how long to wait for a cancelled solver that has not stopped yet (HiGHS checks
for a cancel between iterations, so this only matters if one is in a long step, such as
IPX's crossover). [s]"""
BY_CODE = np.empty(len(highspy.HighsBasisStatus.__members__), dtype=object)
"""HiGHS basis statuses by integer code (what `WarmStart` stores)."""
for _status in highspy.HighsBasisStatus.__members__.values():
    BY_CODE[int(_status)] = _status


@dataclass(frozen=True)
class WarmStart:
    """A simplex basis (solver-neutral codes: 0 lower, 1 basic, 2 upper, 3 zero, 4 nonbasic)."""

    col_status: NDArray[np.int8]
    row_status: NDArray[np.int8]
    dispatch: F64 | None = None
    """[d, i, t] the plan's dispatch, kept by ``--freeze-days`` when no tranche is announced."""


@dataclass(frozen=True)
class SolverRun:
    """The outcome of one solve, as plain values and arrays."""

    status: Status
    message: str
    col_value: F64 | None
    row_value: F64 | None
    row_dual: F64 | None
    objective: float
    mip_gap: float
    iterations: int
    seconds: float
    warm: WarmStart | None
    method: str = ""
    """The LP method that produced the answer (for ``race``, which one finished first)."""

    def stats(self) -> dict[str, float | int | str]:
        """Solver statistics for plan.json."""
        return {"solver": f"HiGHS {highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}"
                          f".{highspy.HIGHS_VERSION_PATCH}", "method": self.method,
                "solve_s": round(self.seconds, 4), "iterations": self.iterations,
                "mip_gap": self.mip_gap, "message": self.message}


def _new_highs() -> Any:
    """A silent Highs (its one-time banner goes to a closed stdout, not the user's)."""
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        solver = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    solver.silent()
    # highspy keeps the locks behind startSolve/wait on the class, so two instances cannot
    # solve at once (the second raises "Solver is already running"); give each its own.
    if hasattr(solver, "_Highs__solver_stopped"):
        setattr(solver, "_Highs__solver_stopped", threading.RLock())  # noqa: B010
        setattr(solver, "_Highs__solver_started", threading.Lock())  # noqa: B010
    return solver


class HighsRunner:
    """`race.Runner` over one HiGHS instance (``startSolve`` in HiGHS's own thread). The
    lock workaround lives in `_new_highs`; nothing else here knows highspy's internals."""

    def __init__(self, highs: Any, method: str) -> None:
        self.highs = highs
        self.method = method
        """The LP method this instance is set up for (``simplex``, ``ipm``, ``choose``)."""

    def start(self, time_limit: float) -> None:
        self.highs.setOptionValue("time_limit", float(max(time_limit, 0.01)))
        self.highs.HandleUserInterrupt = True
        self.highs.startSolve()

    def wait(self, timeout: float) -> bool:
        done, _ = self.highs.wait(timeout)
        return bool(done)

    def cancel(self) -> None:
        self.highs.cancelSolve()

    def status(self) -> Status:
        return from_highs(self.highs.getModelStatus().name)

    def solution(self, integer: bool, want_basis: bool) -> SolverRun:
        """What the ended solve found, as arrays (``seconds`` and ``method`` left for the
        caller to fill in)."""
        h = self.highs
        status = self.status()
        info = h.getInfo()
        has_primal = int(info.primal_solution_status) == 2
        values = rows = duals = None
        if has_primal:
            sol = h.getSolution()
            values = np.asarray(sol.col_value, dtype=float)
            rows = np.asarray(sol.row_value, dtype=float)
            duals = np.asarray(sol.row_dual, dtype=float) if sol.dual_valid else None
        warm = _basis(h) if want_basis and status is Status.OPTIMAL else None
        gap = float(info.mip_gap) if integer else 0.0
        iterations = int(info.simplex_iteration_count) + int(info.ipm_iteration_count)
        objective = float(info.objective_function_value) if has_primal else float("nan")
        return SolverRun(status, h.modelStatusToString(h.getModelStatus()), values, rows, duals,
                         objective, gap, iterations, 0.0, warm)


def _usable(run: SolverRun) -> bool:
    """False for an optimal end without finite values for every column."""
    return run.status is not Status.OPTIMAL or (
        run.col_value is not None and bool(np.isfinite(run.col_value).all()))


class Session:
    """A model loaded into HiGHS; bounds may change between runs (warm re-solves)."""

    def __init__(self, model: LpModel, opts: PlanOptions) -> None:
        self.model = model
        self.opts = opts
        self.alive = True
        self.race = opts.method == "race" and not model.integrality.any()
        """Race the interior point method on the next run (cold LP solves only)."""
        self.highs = self._load("simplex" if opts.method == "race" else opts.method)

    def _load(self, method: str) -> Any:
        """A new HiGHS instance holding the model, set up for ``method``."""
        highs = _new_highs()
        for key, value in _options(self.opts, method).items():
            highs.setOptionValue(key, value)
        model, a = self.model, self.model.matrix
        loaded = highs.passModel(
            model.n_cols, model.n_rows, model.nnz, 1, 1, model.offset, model.cost,
            model.lower, model.upper, model.row_lower, model.row_upper,
            a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data,
            model.integrality)
        if loaded == highspy.HighsStatus.kError:
            raise PlanningError("HiGHS rejected the model (a non-finite coefficient or bound?)")
        return highs

    def change_rows(self, rows: NDArray[np.int64], lower: F64, upper: F64) -> None:
        """New bounds for some rows (the basis is kept for a warm re-solve)."""
        if len(rows):
            self.highs.changeRowsBounds(len(rows), rows.astype(np.int32), lower, upper)
            self.race = False

    def warm_start(self, warm: WarmStart) -> None:
        """Start the next simplex run from ``warm`` (ignored if it is larger than the model).

        A basis with fewer columns and rows (a plan's, for its re-plan, which appends the
        ``lost`` and ``found`` columns, or for a buffered plan, which appends the buffer
        columns and rows) is extended: new columns at their lower bound, new rows basic."""
        extra = self.model.n_cols - len(warm.col_status)
        extra_rows = self.model.n_rows - len(warm.row_status)
        if extra < 0 or extra_rows < 0:
            return
        basis = highspy.HighsBasis()
        lower, basic = int(highspy.HighsBasisStatus.kLower), int(highspy.HighsBasisStatus.kBasic)
        cols = np.concatenate([warm.col_status, np.full(extra, lower, dtype=np.int8)])
        rows = np.concatenate([warm.row_status, np.full(extra_rows, basic, dtype=np.int8)])
        basis.col_status = BY_CODE[cols].tolist()
        basis.row_status = BY_CODE[rows].tolist()
        basis.valid = True
        self.highs.setBasis(basis)
        self.race = False

    def run(self, time_limit: float, want_basis: bool = False) -> SolverRun:
        """Solve; never blocks much longer than ``time_limit`` seconds. [s]

        An "optimal" end without a usable solution (HiGHS 1.16 ended a warm-started dual
        simplex with model status Optimal but no feasible primal solution on a
        certification's fourth buffered plan of ukraine-2022: the plan came out as NaN) is
        not returned: the solve runs again from scratch, and a second such end is an
        `Status.ERROR` that says so."""
        first = self._run(time_limit, want_basis)
        if _usable(first) or not self.alive:
            return first
        self.highs.clearSolver()  # the basis it started from goes too
        again = self._run(time_limit, want_basis)
        if _usable(again):
            return replace(again, seconds=first.seconds + again.seconds)
        return SolverRun(Status.ERROR, "the solver ended optimal without a usable solution, "
                         "twice (warm and cold)", None, None, None, float("nan"), float("nan"),
                         first.iterations + again.iterations, first.seconds + again.seconds,
                         None)

    def _run(self, time_limit: float, want_basis: bool) -> SolverRun:
        if self.model.n_cols == 0:
            return self._empty()
        own = HighsRunner(self.highs, "simplex" if self.opts.method == "race" else
                          self.opts.method)
        runners = [own]
        if self.race:
            self.race = False
            runners.append(HighsRunner(self._load("ipm"), "ipm"))
        started = time.perf_counter()
        try:
            outcome = race(runners, time_limit, GRACE)
        except Interrupted as stop:  # Ctrl-C: every solver was cancelled
            self.alive = False
            _STRAGGLERS.extend(r for r in runners if r in stop.stragglers)
            _EXIT_IF_STUCK[0] = EXIT_INTERRUPTED
            raise
        seconds = time.perf_counter() - started
        _STRAGGLERS.extend(outcome.stragglers)
        winner = outcome.winner
        if winner is None:
            self.alive = False
            return SolverRun(Status.TIME_LIMIT, "solver did not stop; abandoned", None, None, None,
                             float("nan"), float("nan"), 0, seconds, None)
        result = replace(winner.solution(bool(self.model.integrality.any()),
                                         want_basis or winner is not own),
                         seconds=seconds, method=self._method(winner is own))
        if winner is not own:
            self._adopt(winner.highs, own not in outcome.stragglers)
            if result.warm is not None:
                self.warm_start(result.warm)
            if not want_basis:
                result = replace(result, warm=None)
        return result

    def _method(self, own_won: bool) -> str:
        """The method named in the result (for ``race``, which one finished first)."""
        if self.opts.method != "race":
            return self.opts.method
        return f"race: {'simplex' if own_won else 'interior point'} first"

    def _adopt(self, winner: Any, simplex_stopped: bool) -> None:
        """After the interior point method won: the session's simplex instance is warm-started
        from the winner's basis; if it did not stop when cancelled, the winner takes its place."""
        if not simplex_stopped:
            self.highs = winner
            for key, value in _options(self.opts, "simplex").items():
                self.highs.setOptionValue(key, value)

    def _empty(self) -> SolverRun:
        """A model with no variables (HiGHS reports any such model optimal, rows unchecked)."""
        m = self.model
        if ((m.row_lower <= 0) & (m.row_upper >= 0)).all():
            return SolverRun(Status.OPTIMAL, "Empty", np.zeros(0), np.zeros(m.n_rows),
                             np.zeros(m.n_rows), m.offset, 0.0, 0, 0.0, None)
        return SolverRun(Status.INFEASIBLE, "Infeasible", None, None, None, float("nan"),
                         float("nan"), 0, 0.0, None)


_STRAGGLERS: list[HighsRunner] = []
"""Cancelled solvers that had not stopped yet; waited for at exit (a HiGHS thread still
running when Python shuts down aborts the process)."""
EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), also when a cancelled solver never stopped."""
_EXIT_IF_STUCK = [1]
"""The exit status when a straggler never stops: 1, or `EXIT_INTERRUPTED` after Ctrl-C."""


@atexit.register
def _wait_for_stragglers() -> None:
    """Wait for cancelled solvers; one that never stops would abort the process at exit
    (SIGABRT), so the process then ends at once, its output flushed (`_EXIT_IF_STUCK`)."""
    stuck = False
    for runner in _STRAGGLERS:
        runner.cancel()
        stuck = not runner.wait(STRAGGLER_WAIT) or stuck
    if stuck:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_IF_STUCK[0])


def _basis(h: Any) -> WarmStart | None:
    basis = h.getBasis()
    if not basis.valid:
        return None
    return WarmStart(np.array([s.value for s in basis.col_status], dtype=np.int8),
                     np.array([s.value for s in basis.row_status], dtype=np.int8))


def _options(opts: PlanOptions, method: str) -> dict[str, Any]:
    out: dict[str, Any] = {"mip_rel_gap": float(opts.mip_gap), "solver": method}
    if method == "simplex":
        out["simplex_strategy"] = 1  # dual simplex
    if opts.threads > 0:
        out["threads"] = int(opts.threads)
    return out
