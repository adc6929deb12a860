"""The benchmark model in each tool; every runner returns one record (times in seconds).

``resupply`` is the planner itself (sparse assembly straight from the `Problem`). The others
build the *naive* model of `plan_instance.NaiveSets` in the tool's own idiom: linopy vectorised
over labelled arrays, PuLP and Pyomo row by row from Python loops. All are solved by HiGHS;
the other tools with HiGHS's defaults, as a user of them would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from plan_instance import NaiveSets, naive_sets
from resupply.compile import Problem
from resupply.compile.coarsen import coarsen
from resupply.planning.model import build_model
from resupply.planning.options import PlanOptions
from resupply.planning.solve import Session

Key = tuple[Any, ...]
Row = tuple[list[tuple[Key, float]], str, float]


MULTIRES = (28, 7)
"""``resupply-multires``: daily for 28 days, then weekly steps. [days]"""


def run_resupply(p: Problem, method: str = "race", solve: bool = True) -> dict[str, Any]:
    """The planner: build the sparse model and load it into HiGHS, then solve.

    ``method`` is a HiGHS method of `PlanOptions`, or ``multires[:DAILY:STEP]``: the race on
    the multi-resolution model (`MULTIRES` by default; its build time includes coarsening)."""
    started = time.perf_counter()
    if method.startswith("multires"):
        days = [int(n) for n in method.split(":")[1:]] or list(MULTIRES)
        p, method = coarsen(p, days[0], days[1]), "race"
    opts = PlanOptions(method=method, cost_of_fairness=False)  # type: ignore[arg-type]
    model = build_model(p, opts)
    session = Session(model, opts)
    built = time.perf_counter()
    if not solve:
        return _loaded(built - started, model.n_cols, model.n_rows, model.nnz)
    run = session.run(3600.0)
    solved = time.perf_counter()  # the race's second instance is loaded inside run()
    return {"build_s": built - started, "solve_s": solved - built, "highs_s": run.seconds,
            "n_vars": model.n_cols,
            "n_cons": model.n_rows, "nnz": model.nnz, "objective": run.objective,
            "status": str(run.status), "iterations": run.iterations, "method": run.method}


def _loaded(seconds: float, n_vars: int, n_cons: int, nnz: int) -> dict[str, Any]:
    """The record of a build-and-load-only run (``--load-only``)."""
    return {"build_s": seconds, "solve_s": 0.0, "n_vars": n_vars, "n_cons": n_cons,
            "nnz": nnz, "objective": float("nan"), "status": "loaded"}


def costs(p: Problem, n: NaiveSets) -> dict[str, np.ndarray]:
    """Objective coefficients of the naive model's blocks, and its constant. A donor with one
    supply route pays the route's cost on x (one hub: its transport cost to the hub)."""
    tons = p.w_transport * p.item_mass_t
    t = np.arange(p.n_days)
    later = (t < p.n_days - 1)[None, None, :]
    loss = (p.w_strike_loss * p.item_value[:, None, None] * (1 - n.retention)[None, :, None]
            * later)
    hub_loss = (p.w_strike_loss * p.item_value[:, None, None]
                * (1 - n.hub_retention)[None, :, None] * later)
    offset = p.w_strike_loss * (p.item_value[:, None] * (1 - n.retention)[None, :]
                                * p.initial_stock).sum()
    own = np.zeros(len(p.donors))
    own[p.supply_donor] = p.supply_cost
    own[n.split] = 0.0
    return {"x": np.broadcast_to(tons[None, :, None] * own[:, None, None], n.x.shape),
            "xb": np.broadcast_to(tons[None, :, None] * p.supply_cost[:, None, None],
                                  n.xb.shape),
            "z": np.broadcast_to(tons[:, None, None] * p.route_cost[None, :, None],
                                 n.z.shape),
            "s": np.broadcast_to(loss, (len(p.items), len(p.depots), p.n_days)),
            "h": np.broadcast_to(hub_loss, (len(p.items), len(p.hubs), p.n_days)),
            "u": np.broadcast_to(p.shortfall_cost()[:, None, :], p.need.shape),
            "offset": np.array(offset)}


def naive_columns(p: Problem, n: NaiveSets) -> Iterator[tuple[Key, float]]:
    """Every variable of the naive model with its cost."""
    cost = costs(p, n)
    n_d, n_i, n_k, n_t = len(p.donors), len(p.items), len(p.depots), p.n_days
    for d, i, t in zip(*(a.tolist() for a in np.nonzero(n.x)), strict=True):
        yield ("x", d, i, t), float(cost["x"][d, i, t])
    for b, i, t in zip(*(a.tolist() for a in np.nonzero(n.xb)), strict=True):
        yield ("xb", b, i, t), float(cost["xb"][b, i, t])
    for d in range(n_d):
        for i in range(n_i):
            for t in range(n_t):
                yield ("g", d, i, t), 0.0
    for i in range(n_i):
        for hub in range(len(p.hubs)):
            for t in range(n_t):
                yield ("h", i, hub, t), float(cost["h"][i, hub, t])
        for a in range(len(p.route_ids)):
            for t in range(n_t):
                if n.z[i, a, t]:
                    yield ("z", i, a, t), float(cost["z"][i, a, t])
        for k in range(n_k):
            for t in range(n_t):
                yield ("s", i, k, t), float(cost["s"][i, k, t])
                yield ("c", i, k, t), 0.0
    for f, k, t in np.ndindex(p.need.shape):
        yield ("u", f, k, t), float(cost["u"][f, k, t])
    for d, t in zip(*(a.tolist() for a in np.nonzero(n.pairs)), strict=True):
        yield ("up", d, t), float(p.w_smoothness)
        yield ("dn", d, t), float(p.w_smoothness)


def _supply(p: Problem, n: NaiveSets, b: int, i: int, t: int) -> Key | None:
    """The column that supply route b carries item i on day t with (x of a donor with one
    route, else xb), or None."""
    d = int(p.supply_donor[b])
    if t < 0:
        return None
    if n.split[d]:
        return ("xb", b, i, t) if n.xb[b, i, t] else None
    return ("x", d, i, t) if n.x[d, i, t] else None


def _network_rows(p: Problem, n: NaiveSets) -> Iterator[Row]:
    """Supply split, hub balance (strike decay, supply routes in, routes out), hub
    throughput, route capacities."""
    n_i, n_t, m = len(p.items), p.n_days, p.item_mass_t
    for d, i, t in zip(*(a.tolist() for a in np.nonzero(n.x & n.split[:, None, None])),
                       strict=True):
        yield ([(("x", d, i, t), 1.0)] + [(("xb", b, i, t), -1.0) for b in range(
            len(p.supply_ids)) if p.supply_donor[b] == d and n.xb[b, i, t]], "=", 0.0)
    for i in range(n_i):
        for hub in range(len(p.hubs)):
            for t in range(n_t):
                terms = [(("h", i, hub, t), 1.0)]
                if t > 0:
                    terms.append((("h", i, hub, t - 1), -float(n.hub_retention[hub])))
                for b in np.nonzero(p.supply_hub == hub)[0].tolist():
                    key = _supply(p, n, b, i, t - int(p.supply_transit_days[b]))
                    if key is not None:
                        terms.append((key, -1.0))
                terms += [(("z", i, a, t), 1.0) for a in np.nonzero(
                    p.route_from_hub == hub)[0].tolist() if n.z[i, a, t]]
                yield terms, "=", 0.0
    for hub in range(len(p.hubs)):
        for t in range(n_t):
            terms = [(("z", i, a, t), float(m[i])) for i in range(n_i)
                     for a in np.nonzero(p.route_from_hub == hub)[0].tolist() if n.z[i, a, t]]
            if terms or len(p.hubs) == 1:  # one hub: every row, as before the network
                yield terms, "<=", float(p.hub_limit_t[hub, t])
    for (a, t), cap in np.ndenumerate(p.route_capacity_t):
        terms = [(("z", i, a, t), float(m[i])) for i in range(n_i) if n.z[i, a, t]]
        if np.isfinite(cap) and terms:
            yield terms, "<=", float(cap)


def naive_rows(p: Problem, n: NaiveSets) -> Iterator[Row]:
    """Every row of the naive model: (terms, sense, right-hand side)."""
    n_d, n_i, n_k, n_t = len(p.donors), len(p.items), len(p.depots), p.n_days
    r, m = n.retention, p.item_mass_t
    for d in range(n_d):  # donor inventory
        for i in range(n_i):
            for t in range(n_t):
                terms = [(("g", d, i, t), 1.0)]
                if t > 0:
                    terms.append((("g", d, i, t - 1), -1.0))
                if n.x[d, i, t]:
                    terms.append((("x", d, i, t), 1.0))
                rhs = p.donor_production[d, i, t] + (p.donor_stock[d, i] if t == 0 else 0.0)
                yield terms, "=", float(rhs)
    yield from _network_rows(p, n)
    for i in range(n_i):  # depot balance
        for k in range(n_k):
            for t in range(n_t):
                terms = [(("s", i, k, t), 1.0), (("c", i, k, t), 1.0)]
                if t > 0:
                    terms.append((("s", i, k, t - 1), -float(r[k])))
                for a in np.nonzero(p.route_depot == k)[0].tolist():
                    sent = t - int(p.route_transit_days[a])
                    if sent >= 0 and n.z[i, a, sent]:
                        terms.append((("z", i, a, sent), -1.0))
                terms += [(("z", i, a, t), 1.0) for a in np.nonzero(
                    p.route_from_depot == k)[0].tolist() if n.z[i, a, t]]
                yield terms, "=", float(r[k] * p.initial_stock[i, k]) if t == 0 else 0.0
    for f, k, t in np.ndindex(p.need.shape):  # demand
        yield ([(("c", i, k, t), 1.0) for i in np.nonzero(p.item_family == f)[0].tolist()]
               + [(("u", f, k, t), 1.0)], "=", float(p.need[f, k, t]))
    for k in range(n_k):  # depot capacity
        for t in range(n_t):
            yield ([(("s", i, k, t), float(m[i])) for i in range(n_i)], "<=",
                   float(p.depot_capacity_t[k]))
    for d, t in zip(*(a.tolist() for a in np.nonzero(n.pairs)), strict=True):  # smoothness
        before = t - int(n.every[d])
        terms = [(("x", d, i, t), 1.0) for i in range(n_i) if n.x[d, i, t]]
        terms += [(("x", d, i, before), -1.0) for i in range(n_i) if n.x[d, i, before]]
        yield [*terms, (("up", d, t), -1.0), (("dn", d, t), 1.0)], "=", 0.0


def run_pulp(p: Problem, solve: bool = True) -> dict[str, Any]:
    """PuLP, row by row, solved through its HiGHS (highspy) interface."""
    import pulp

    started = time.perf_counter()
    n = naive_sets(p)
    lp = pulp.LpProblem("bench", pulp.LpMinimize)
    cols = dict(naive_columns(p, n))
    var = {key: pulp.LpVariable("_".join(map(str, key)), lowBound=0) for key in cols}
    lp += pulp.LpAffineExpression([(var[k], c) for k, c in cols.items() if c])
    sense = {"=": pulp.LpConstraintEQ, "<=": pulp.LpConstraintLE, ">=": pulp.LpConstraintGE}
    nnz = 0
    for terms, how, rhs in naive_rows(p, n):
        nnz += len(terms)
        lp += pulp.LpConstraint(pulp.LpAffineExpression([(var[k], c) for k, c in terms]),
                                sense[how], rhs=rhs)
    if not solve:
        solver = pulp.HiGHS(msg=False)
        solver.createAndConfigureSolver(lp)
        solver.buildSolverModel(lp)
        return _loaded(time.perf_counter() - started, len(var), len(lp.constraints), nnz)
    built = time.perf_counter()
    lp.solve(pulp.HiGHS(msg=False))
    objective = float(pulp.value(lp.objective)) + float(costs(p, n)["offset"])
    return {"build_s": built - started, "solve_s": time.perf_counter() - built,
            "n_vars": len(var), "n_cons": len(lp.constraints), "nnz": nnz,
            "objective": objective, "status": pulp.LpStatus[lp.status],
            "highs_s": _highs_time(getattr(lp, "solverModel", None))}


def _highs_time(solver: Any) -> float | None:
    """HiGHS's own run time inside the solve call, when the tool exposes the solver. [s]"""
    return float(solver.getRunTime()) if solver is not None else None


def run_pyomo(p: Problem, solve: bool = True) -> dict[str, Any]:
    """Pyomo, row by row (ConstraintList), solved by its HiGHS (highspy) interface."""
    import pyomo.environ as pyo

    started = time.perf_counter()
    n = naive_sets(p)
    model = pyo.ConcreteModel()
    cols = dict(naive_columns(p, n))
    pos = {key: n_col for n_col, key in enumerate(cols)}
    model.v = pyo.Var(range(len(cols)), within=pyo.NonNegativeReals)
    model.obj = pyo.Objective(expr=pyo.quicksum(c * model.v[pos[k]] for k, c in cols.items()
                                                if c))
    model.rows = pyo.ConstraintList()
    nnz = 0
    for terms, how, rhs in naive_rows(p, n):
        nnz += len(terms)
        expr = pyo.quicksum(c * model.v[pos[k]] for k, c in terms)
        model.rows.add(expr == rhs if how == "=" else expr <= rhs if how == "<=" else expr >= rhs)
    if not solve:
        from pyomo.contrib.appsi.solvers.highs import Highs

        Highs().set_instance(model)
        return _loaded(time.perf_counter() - started, len(cols), len(model.rows), nnz)
    built = time.perf_counter()
    result = pyo.SolverFactory("highs").solve(model)
    objective = float(pyo.value(model.obj)) + float(costs(p, n)["offset"])
    return {"build_s": built - started, "solve_s": time.perf_counter() - built,
            "n_vars": len(cols), "n_cons": len(model.rows), "nnz": nnz, "objective": objective,
            "status": str(result.solver.termination_condition)}
