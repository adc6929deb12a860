"""``rolling:N``: re-plan every N days on each run's simulated history (slow).

The simulation layer does not import the planner: `RollingPolicy` is given a planner as a
callable, ``(Problem, RunHistory | None) -> PlanInput`` (the CLI passes one built on
`resupply.planning`, whose rolling re-plan fixes the days before ``from_day`` to the actuals).
On day 0 the planner is called with no history; then every N days, for every run, with what
that run actually dispatched and moved so far and its depot stock, and the run follows the
new plan (catching up what could not be done on time) until the next re-plan. A re-plan that
fails keeps the previous plan (counted in `RollingPolicy.failed_replans`).

That is one solve per run per re-plan: use few runs (tens) and expect minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from resupply.compile.problem import F64, Problem
from resupply.errors import ResupplyError
from resupply.simulation.plan_input import PlanInput
from resupply.simulation.policies import TINY
from resupply.simulation.view import DayView


@dataclass(frozen=True, eq=False)
class RunHistory:
    """What one run did before ``from_day``; arrays in the `Problem` index contract."""

    from_day: int
    """First day to re-plan. [day]"""
    depot_stock: F64
    """[i, k] on hand at the start of ``from_day``. [units]"""
    dispatched: F64
    """[d, i, t] dispatched on each day before ``from_day`` (zeros after). [units]"""
    moves: F64
    """[i, k, t] moved from the hub on each day before ``from_day`` (zeros after). [units]"""


Planner = Callable[[Problem, RunHistory | None], PlanInput]
"""Solves a problem (from a run's history, when given) into plan arrays."""


@dataclass
class _Run:
    cum_x: F64  # [d, i, t] the plan's cumulative dispatch
    cum_z: F64  # [i, k, t] the plan's cumulative moves
    x: F64  # [d, i, t] daily dispatch done
    z: F64  # [i, k, t] daily moves done
    seen_x: F64 = field(repr=False, default_factory=lambda: np.zeros(0))
    seen_z: F64 = field(repr=False, default_factory=lambda: np.zeros(0))
    planned_on: int = 0
    recorded_on: int = -1


class RollingPolicy:
    """Re-plan every ``every`` days per run with ``planner``; follow the latest plan."""

    def __init__(self, every: int, planner: Planner) -> None:
        self.every = every
        self.planner = planner
        self.failed_replans = 0
        self._runs: dict[int, _Run] = {}

    @property
    def name(self) -> str:
        return f"rolling:{self.every}"

    def _start(self, problem: Problem) -> _Run:
        plan = self.planner(problem, None)
        n_d, n_i, n_k, n_t = (len(problem.donors), len(problem.items), len(problem.depots),
                              problem.n_days)
        return _Run(np.cumsum(plan.dispatch, axis=2), np.cumsum(plan.moves, axis=2),
                    np.zeros((n_d, n_i, n_t)), np.zeros((n_i, n_k, n_t)),
                    np.zeros((n_d, n_i)), np.zeros((n_k, n_i)))

    def _record(self, run: _Run, view: DayView, r: int) -> None:
        """Book, once a day, what the run dispatched and moved yesterday (the view shows
        totals)."""
        t = view.t
        if run.recorded_on == t:
            return
        run.recorded_on = t
        if t > 0:
            run.x[:, :, t - 1] = view.dispatched[r] - run.seen_x
            run.z[:, :, t - 1] = (view.moved[r] - run.seen_z).T
        run.seen_x = view.dispatched[r].copy()
        run.seen_z = view.moved[r].copy()

    def _replan(self, run: _Run, view: DayView, r: int) -> None:
        history = RunHistory(from_day=view.t, depot_stock=view.stock[r].T.copy(),
                             dispatched=run.x.copy(), moves=run.z.copy())
        try:
            plan = self.planner(view.problem, history)
        except ResupplyError:
            self.failed_replans += 1
            return
        run.cum_x = np.cumsum(plan.dispatch, axis=2)
        run.cum_z = np.cumsum(plan.moves, axis=2)
        run.planned_on = view.t

    def _run(self, view: DayView, r: int) -> _Run:
        """The run's state, re-planned first when today is a re-plan day."""
        key = int(view.run_ids[r])
        run = self._runs.get(key)
        if run is None or (view.t == 0 and run.recorded_on > 0):
            run = self._runs[key] = self._start(view.problem)
        if view.t > 0 and view.t % self.every == 0 and run.planned_on != view.t:
            self._record(run, view, r)
            self._replan(run, view, r)
        return run

    def dispatch(self, view: DayView) -> F64:
        out = np.zeros(view.dispatched.shape)
        for r in range(view.runs):
            run = self._run(view, r)
            self._record(run, view, r)
            out[r] = run.cum_x[:, :, view.t] - view.dispatched[r]
        result: F64 = np.where(out > TINY, out, 0.0)
        return result

    def allocate(self, view: DayView) -> F64:
        out = np.zeros(view.moved.shape)
        for r in range(view.runs):
            run = self._run(view, r)
            out[r] = run.cum_z[:, :, view.t].T - view.moved[r]
        result: F64 = np.where(out > TINY, out, 0.0)
        return result
