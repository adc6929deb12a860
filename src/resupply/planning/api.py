"""`plan`: a `Problem` (or scenario) in, a `PlanResult` out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from resupply.compile import Problem, compile_problem
from resupply.compile.coarsen import coarsen
from resupply.compile.problem import F64
from resupply.domain import Scenario, load_scenario
from resupply.errors import InfeasiblePlanError, PlanningError
from resupply.planning.constraints import FAIR_SHARE_HIGH, FAIR_SHARE_LOW, move_arrival
from resupply.planning.explain import explain_costs, explain_infeasible, explain_shortfall
from resupply.planning.layout import arrived, gather
from resupply.planning.model import REPORTED_TERMS, LpModel, build_model, fix_actuals
from resupply.planning.options import Actuals, Buffers, PlanOptions
from resupply.planning.result import PlanResult
from resupply.planning.size import ModelSize, check_budget, estimate_size, solver_bytes
from resupply.planning.size import instances as solver_instances
from resupply.planning.solve import Session, SolverRun, WarmStart
from resupply.planning.status import Status
from resupply.planning.variables import Variables, step_retention, supply_columns

FAIR_ROWS = (FAIR_SHARE_LOW, FAIR_SHARE_HIGH)
"""The fair-share bands, removed to measure the cost of fairness."""


def plan(problem_or_scenario: Problem | Scenario | str | Path,
         options: PlanOptions | None = None, *,
         actuals: Actuals | None = None, freeze_days: int = 0,
         warm_start: PlanResult | WarmStart | None = None, raise_on_infeasible: bool = False,
         buffers: Buffers | None = None,
         on_solve: Callable[[ModelSize], None] | None = None, **overrides: Any) -> PlanResult:
    """Plan the tranches of a scenario: the optimum of DESIGN.md's planning model.

    ``options`` is a `PlanOptions` (default: its defaults); ``overrides`` replace some of its
    fields by keyword (``integer``, ``time_limit`` [s], ``fairness``, ``cost_of_fairness``,
    ``method``...), for a call from a notebook. With ``actuals`` the plan is a rolling re-plan from
    ``actuals.from_day`` (see `Actuals`); ``warm_start`` is a previous result of the same
    scenario and options whose basis starts the solve and whose dispatch is kept for
    ``freeze_days`` when the actuals announce none. With ``daily_days`` the plan is made on a
    multi-resolution time axis (`resupply.compile.coarsen`) and the result's arrays run over its
    steps (``result.problem`` is the coarsened problem). ``buffers`` adds soft minimum stock
    (`Buffers`; daily model only); a plan without them warm-starts a buffered one.

    The model's size is estimated before it is built (`resupply.planning.size`) and a model
    beyond ``memory_budget`` is refused. ``time_limit`` counts from the call: building the
    model uses it up too, and when it is over before the solve starts the result has status
    ``time_limit`` and no plan. ``on_solve`` is called with the built model's size just before
    the solve starts (the CLI prints it). Raises `PlanningError` on bad options or a model
    too large, and `InfeasiblePlanError` for an infeasible model when ``raise_on_infeasible``.
    Ctrl-C during the solve cancels the solvers and raises `KeyboardInterrupt` once they
    stopped (`resupply.planning.race.Interrupted`).

    >>> result = plan("tiny")
    >>> result.status.value, round(result.terms["shortfall"]) > 0
    ('optimal', True)
    """
    started = time.perf_counter()
    p = _as_problem(problem_or_scenario)
    opts = _options(options, overrides)
    if opts.daily_days is not None:
        if actuals is not None:
            raise PlanningError("a rolling re-plan (--from-day) needs the daily model; drop "
                                "--daily-days")
        if buffers is not None:
            raise PlanningError("buffers need the daily model; drop --daily-days")
        p = coarsen(p, opts.daily_days, opts.step_days)
    check_budget(estimate_size(p, opts, actuals, buffers), opts.memory_budget)
    model = build_model(p, opts, actuals, buffers)
    warm = warm_start.warm if isinstance(warm_start, PlanResult) else warm_start
    if actuals is not None:
        previous = warm.dispatch if warm is not None else None
        model = fix_actuals(model, actuals, freeze_days, previous)
    deadline = started + opts.time_limit
    if time.perf_counter() >= deadline:
        session, run = None, _out_of_time()
    else:
        session = Session(model, opts)
        if warm is not None:
            session.warm_start(warm)
        if on_solve is not None:
            on_solve(ModelSize(model.n_rows, model.n_cols, model.nnz, solver_bytes(
                model.n_rows, model.n_cols, model.nnz, solver_instances(opts))))
        run = session.run(_left(deadline), want_basis=not opts.integer)
    fairness = None if session is None else _cost_of_fairness(session, model, run, opts,
                                                              deadline)
    explanation = _explain(model, run, opts, deadline)
    if raise_on_infeasible and run.status is Status.INFEASIBLE:
        raise InfeasiblePlanError("; ".join(explanation))
    stats = {"build_s": round(model.build_seconds, 4), "n_vars": model.n_cols,
             "n_cons": model.n_rows, "nnz": model.nnz, **run.stats(),
             "total_s": round(time.perf_counter() - started, 4)}
    return _result(model, run, opts, fairness=fairness, explanation=explanation, stats=stats,
                   from_day=0 if actuals is None else actuals.from_day,
                   buffers=buffers)


def _options(options: PlanOptions | None, overrides: dict[str, Any]) -> PlanOptions:
    """``options`` with ``overrides`` applied; `PlanningError` names an unknown option."""
    try:
        return replace(options or PlanOptions(), **overrides)
    except TypeError as exc:
        raise PlanningError(f"unknown planning option: {exc}") from None


def _as_problem(source: Problem | Scenario | str | Path) -> Problem:
    if isinstance(source, Problem):
        return source
    if isinstance(source, Scenario):
        return compile_problem(source)
    return compile_problem(load_scenario(source))


def _out_of_time() -> SolverRun:
    """The run of a model whose time limit ended while it was built: no solve, no plan."""
    return SolverRun(Status.TIME_LIMIT, "time limit reached while the model was built", None,
                     None, None, float("nan"), float("nan"), 0, 0.0, None)


def _left(deadline: float) -> float:
    return max(deadline - time.perf_counter(), 0.01)


def _cost_of_fairness(session: Session, model: LpModel, run: SolverRun, opts: PlanOptions,
                      deadline: float) -> float | None:
    """Objective with fair-share bands minus without: a warm re-solve with the bands removed."""
    rows = model.rows_of(FAIR_ROWS)
    if not (opts.cost_of_fairness and len(rows) and run.status is Status.OPTIMAL
            and session.alive):
        return None
    session.change_rows(rows, np.full(len(rows), -np.inf), np.full(len(rows), np.inf))
    free = session.run(_left(deadline))
    if free.status is not Status.OPTIMAL:
        return None
    return run.objective - free.objective


def _explain(model: LpModel, run: SolverRun, opts: PlanOptions, deadline: float) -> list[str]:
    if not opts.explain:
        return []
    if run.status is Status.INFEASIBLE:
        return explain_infeasible(model, opts, _left(deadline))
    if run.col_value is None:
        return [f"no plan: the solve ended {run.status} ({run.message})"]
    return [*explain_shortfall(model, run, model.variables.u.values(run.col_value)),
            *explain_costs(model, run, model.term_values(run.col_value),
                           integer=opts.integer)]


def _result(model: LpModel, run: SolverRun, opts: PlanOptions, *, fairness: float | None,
            explanation: list[str], stats: dict[str, Any], from_day: int,
            buffers: Buffers | None) -> PlanResult:
    p, v = model.problem, model.variables
    values = run.col_value if run.col_value is not None else np.full(model.n_cols, np.nan)
    flows = _flows(model, values, from_day)
    terms = (model.term_values(values) if run.col_value is not None
             else dict.fromkeys(REPORTED_TERMS, float("nan")))
    dispatch = v.x.values(values)
    warm = None if run.warm is None else replace(run.warm, dispatch=dispatch)
    routes = v.z.values(values)
    hubs = v.h.values(values)
    supply = supply_flows(p, v, values)
    return PlanResult(
        problem=p, status=run.status, message=run.message, objective=run.objective,
        terms=terms, cost_of_fairness=fairness, dispatch=dispatch,
        moves=_by_depot(p, routes, p.route_from_hub >= 0), hub_stock=hubs.sum(axis=1),
        route_flows=routes, supply_flows=supply, hub_stocks=hubs,
        shortfall=v.u.values(values),
        buffer_deficit=v.w.values(values) if v.w is not None else np.zeros_like(p.need),
        hub_reserve_deficit=(v.wh.values(values) if v.wh is not None
                             else np.zeros(p.family_need().shape)),
        buffer_level=None if buffers is None else buffers.level,
        hub_reserve_level=None if buffers is None else buffers.hub_level,
        explanation=tuple(explanation), stats=stats,
        options=opts, from_day=from_day, warm=warm, **flows)


def _by_depot(p: Problem, per_route: F64, which: np.ndarray) -> F64:
    """[i, k, t] the routes' ``per_route`` [i, a, t] summed by destination depot, over the
    routes ``which`` [a]. One hub: the array itself (route a is depot k)."""
    out = np.zeros((per_route.shape[0], len(p.depots), per_route.shape[2]))
    for a in np.nonzero(which)[0]:
        out[:, p.route_depot[a], :] += per_route[:, a, :]
    return out


def supply_flows(p: Problem, v: Variables, values: F64) -> F64:
    """[b, i, t] units dispatched on each supply route."""
    return gather(values, supply_columns(p, v))


def _flows(model: LpModel, values: F64, from_day: int) -> dict[str, F64]:
    """Depot stock, arrivals, consumption and expected loss [i, k, t] from the solution."""
    p, v = model.problem, model.variables
    stock = v.s.values(values)
    routes = v.z.values(values)
    every = np.ones(len(p.route_ids), dtype=bool)
    arrivals = _by_depot(p, arrived(routes, move_arrival(p)), every)
    departures = np.zeros_like(stock)
    for a in np.nonzero(p.route_from_depot >= 0)[0]:
        departures[:, p.route_from_depot[a], :] += routes[:, a, :]
    before = np.concatenate([p.initial_stock[:, :, None], stock[:, :, :-1]], axis=2)
    r = step_retention(p)[None, :, :]
    consumption = np.maximum(r * before + arrivals - departures - stock, 0.0)
    loss = (1.0 - r) * before
    if from_day > 0:
        for array in (stock, consumption, loss):
            array[:, :, : from_day - 1] = np.nan
        consumption[:, :, from_day - 1] = np.nan
        loss[:, :, from_day - 1] = np.nan
    return {"depot_stock": stock, "arrivals": arrivals, "consumption": consumption,
            "expected_loss": loss}
