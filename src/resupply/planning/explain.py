"""Explanations in words: why a plan runs short, and why a model has no plan at all.

A shortfall is attributed to the first cause that holds, checked in this order on the rows and
variables around the first short day: nothing could have arrived yet (release date, or lead and
transit time); donors have nothing left to give (donor stock); the hub is at its throughput
(hub throughput); the depot is full (depot capacity); otherwise supplying costs more than the
shortfall penalty (cost). An infeasible model is re-solved *elastically*: every hard row gets
two slack columns (1 per unit for limits, `BALANCE_COST` for balances), and the families whose
slacks are used are named.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from resupply.compile.problem import F64, I64, Bool, Problem
from resupply.planning.constraints import DEPOT_CAPACITY, DISPATCH_CAPACITY, HUB_THROUGHPUT
from resupply.planning.layout import Constraint, entry_name
from resupply.planning.model import LpModel
from resupply.planning.options import PlanOptions
from resupply.planning.solve import Session, SolverRun
from resupply.planning.status import Status

WINDOW = 7
"""Days before the first short day from which a binding hub or depot row is looked for (up to
the last short day)."""



def explain_shortfall(model: LpModel, run: SolverRun, shortfall: F64) -> list[str]:
    """One sentence per family and depot that runs short: where, from when, how much, why."""
    p = model.problem
    lines = []
    short = shortfall > 1e-6 * np.maximum(p.need, 1.0)
    material = shortfall.sum(axis=2) > np.maximum(0.5, 1e-4 * p.need.sum(axis=2))
    for f, k in zip(*np.nonzero(short.any(axis=2) & material), strict=True):
        first = int(np.argmax(short[f, k]))
        last = int(p.n_days - 1 - np.argmax(short[f, k, ::-1]))
        total = float(shortfall[f, k].sum())
        cause = _cause(model, run, int(f), int(k), (first, last))
        lines.append(f"{p.families[f]} at {p.depots[k]} is short from {p.dates[first]} "
                     f"(day {first}): {total:,.0f} {p.family_units[f]} over the horizon; "
                     f"binding: {cause}")
    return lines


def _cause(model: LpModel, run: SolverRun, f: int, k: int, days: tuple[int, int]) -> str:
    """The first cause that holds for family f at depot k short on ``days`` (first, last)."""
    p, v = model.problem, model.variables
    day, last = days
    transit = int(p.transit_days[k])
    in_family = p.item_family == f
    x_days = np.nonzero((v.x.index[:, in_family, :] >= 0).any(axis=(0, 1)))
    reach = _earliest_arrival(p, v.x.index >= 0, in_family, k)
    if day < reach:
        then = f"; from day {reach}: {_cause(model, run, f, k, (reach, last))}" if (
            last >= reach) else ""
        if _released_late(p, in_family, k, day):
            return (f"release date — donors hold {p.families[f]} but may not send it early "
                    f"enough to arrive by day {day}{then}")
        return f"lead and transit time — nothing sent can arrive before day {reach}{then}"
    if run.col_value is None or not len(x_days[0]):
        return "donor stock — no donor holds or produces this family"
    if _unsent_in_time(p, v.x.index, run.col_value, in_family, k=k, last=last) <= 1e-6 * max(
            float(p.need[f].sum()), 1.0):
        return ("donor stock — donors have sent all they hold and produce in time for a "
                "tranche that arrives within the horizon")
    if _dispatch_full(model, run, in_family, (day - transit, last - transit)):
        return ("dispatch capacity — the donors that hold it send their full tonnage each "
                "day they may (capacity not used on a day is lost)")
    if _binding(model, run, HUB_THROUGHPUT, (slice(None),), (day - transit, last - transit)):
        return "hub throughput — the hub moves its full tonnage a day"
    if _binding(model, run, DEPOT_CAPACITY, (k,), (day, last)):
        return f"depot capacity — {p.depots[k]} is full"
    if _released_late(p, in_family, k, day):
        return "release date — more is held but released too late"
    return "cost — supplying would cost more than the shortfall penalty"


def _dispatch_full(model: LpModel, run: SolverRun, in_family: Bool,
                   days: tuple[int, int]) -> bool:
    """Some donor holding the family dispatches its full capacity in the window before the
    short days (``days`` shifted back by transit; lead is not known per donor here, so the
    window reaches `WINDOW` days further back)."""
    if DISPATCH_CAPACITY.name not in model.families:
        return False
    holders = np.nonzero((model.variables.x.index[:, in_family, :] >= 0).any(axis=(1, 2)))[0]
    lead = int(model.problem.lead_days[holders].max(initial=0))
    return any(_binding(model, run, DISPATCH_CAPACITY, (int(d),),
                        (days[0] - lead, days[1] - int(model.problem.lead_days[d])))
               for d in holders)


def explain_costs(model: LpModel, run: SolverRun, terms: dict[str, float], *,
                  integer: bool = False) -> list[str]:
    """One sentence for each cost term of the network and lot-sizing model that the plan
    pays (holding, fixed cost per tranche or shipment, purchase), and for dispatch capacity
    where it binds: what it costs and what the plan does about it. An LP (``integer``
    False) says that it left the fixed costs out."""
    if run.col_value is None:
        return []
    p, v = model.problem, model.variables
    lines = []
    if terms.get("tranche_fixed", 0.0) > 0 and v.y is not None:
        sent = int((v.y.values(run.col_value) > 0.5).sum())
        lines.append(f"fixed cost per tranche: {sent} tranches cost EUR "
                     f"{terms['tranche_fixed']:,.0f}; fewer, larger tranches trade it against "
                     "holding and strike losses")
    lines += _shipment_lines(model, run.col_value, terms.get("route_fixed", 0.0))
    if not integer:
        lines += _fixed_costs_left_out(p)
    if terms.get("holding", 0.0) > 0:
        held = float(terms["holding"] / max(p.holding_cost, 1e-300))
        lines.append(f"holding: EUR {terms['holding']:,.0f} for {held:,.0f} unit-days held at "
                     f"the hub and depots at EUR {p.holding_cost:,.4g} per unit and day")
    if terms.get("purchase", 0.0) > 0:
        lines.append(f"purchase: EUR {terms['purchase']:,.0f} paid for the units dispatched, "
                     "at the price of each dispatch day")
    full = _full_days(model, run, DISPATCH_CAPACITY)
    if full:
        lines.append(f"dispatch capacity: donors send their full daily tonnage on {full} "
                     "donor-days")
    return lines


def _shipment_lines(model: LpModel, values: F64, paid: float) -> list[str]:
    """MILP: the shipments paid on routes with a fixed cost per shipment, by route, and the
    routes with one that the plan leaves unused although they are open."""
    p, v = model.problem, model.variables
    ids, fixed, on, open_days = [], [], [], []
    for block, labels, cost in ((v.yb, p.supply_ids, p.supply_fixed_eur),
                                (v.ya, p.route_ids, p.route_fixed_eur)):
        if block is None:
            continue
        has = (block.index >= 0).any(axis=1)
        ids += [labels[r] for r in np.nonzero(has)[0]]
        fixed += list(cost[has])
        on += list((block.values(values) > 0.5).sum(axis=1)[has])
        open_days += list((block.index >= 0).sum(axis=1)[has])
    if not ids:
        return []
    used = [f"{r} {n} x EUR {c:,.0f}" for r, n, c in zip(ids, on, fixed, strict=True) if n]
    idle = [f"{r} (EUR {c:,.0f}, open {d} days)"
            for r, n, c, d in zip(ids, on, fixed, open_days, strict=True) if not n]
    lines = []
    if paid > 0:
        lines.append(f"fixed cost per shipment: EUR {paid:,.0f} for "
                     f"{_count(sum(on), 'shipment')} ({_first(used)}); fewer, larger "
                     "shipments trade it against holding and strike losses, and routes "
                     "without it against their cost per t")
    if idle:
        lines.append(f"fixed cost per shipment: not worth paying on {_first(idle)}; the plan "
                     "sends by other routes or not at all")
    return lines


def _count(n: int, noun: str) -> str:
    """``1 route``, ``3 routes``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _first(parts: list[str], n: int = 5) -> str:
    """The first ``n`` parts joined, and how many more."""
    more = f" and {len(parts) - n} more" if len(parts) > n else ""
    return ", ".join(parts[:n]) + more


def _fixed_costs_left_out(p: Problem) -> list[str]:
    """LP: the fixed costs per tranche and per shipment of the scenario, which only the MILP
    (``plan --integer``) weighs."""
    donors = int((p.tranche_fixed_cost > 0).sum())
    routes = int((p.supply_fixed_eur > 0).sum() + (p.route_fixed_eur > 0).sum())
    if not donors and not routes:
        return []
    what = [f"per tranche ({_count(donors, 'donor')})"] if donors else []
    what += [f"per shipment ({_count(routes, 'route')})"] if routes else []
    return [f"fixed costs left out: the LP pays no fixed cost {' or '.join(what)}; plan "
            "with --integer to weigh them"]


def _full_days(model: LpModel, run: SolverRun, kind: Constraint) -> int:
    """Rows of the family at their upper bound."""
    if run.row_value is None or kind.name not in model.families:
        return 0
    rows = model.families[kind.name].index
    rows = rows[rows >= 0]
    upper = model.row_upper[rows]
    return int((upper - run.row_value[rows] <= 1e-6 * np.maximum(np.abs(upper), 1.0)).sum())


def _unsent_in_time(p: Problem, x_index: I64, values: F64, in_family: Bool, *, k: int,
                    last: int) -> float:
    """Units of the family that donors could still have sent to reach depot k by step ``last``:
    what they held or had made by their last tranche that leaves by ``last``'s first day minus
    lead and transit, less what they sent by then."""
    by_day = p.step_start[last] - p.lead_days - int(p.transit_days[k])
    at = p.last_tranche_step(by_day)[:, in_family]
    exists = x_index[:, in_family, :] >= 0
    ok = at >= 0
    pick = np.maximum(at, 0)[:, :, None]
    avail = np.take_along_axis(p.donor_cumulative_available()[:, in_family, :], pick, axis=2)
    sent = np.cumsum(np.where(exists, values[np.maximum(x_index[:, in_family, :], 0)], 0.0),
                     axis=2)
    done = np.take_along_axis(sent, pick, axis=2)
    return float((np.maximum(avail - done, 0.0)[:, :, 0] * ok).sum())


def _earliest_arrival(p: Problem, has_x: np.ndarray, in_family: np.ndarray, k: int) -> int:
    d_idx, _, t_idx = np.nonzero(has_x[:, in_family, :])
    if not len(d_idx):
        return p.n_days
    stock_there = p.initial_stock[in_family, k].sum() > 0
    first_day = int((p.step_start[t_idx] + p.lead_days[d_idx]).min() + p.transit_days[k])
    arrive = int(p.step_of_day(np.array(first_day)))
    return 0 if stock_there else (p.n_days if arrive < 0 else arrive)


def _released_late(p: Problem, in_family: np.ndarray, k: int, day: int) -> bool:
    """Some donor holds the family and could have had it at depot k by ``day`` (lead and
    transit allow it) but for a release date after day 0."""
    holds = p.donor_cumulative_available()[:, in_family, -1] > 0
    release = p.step_start[np.minimum(p.release_day[:, in_family], p.n_days - 1)]
    latest_ok = p.step_start[day] - p.lead_days[:, None] - int(p.transit_days[k])
    return bool((holds & (release > 0) & (release > latest_ok) & (latest_ok >= 0)).any())


def _binding(model: LpModel, run: SolverRun, kind: Constraint,
             where: tuple[int | slice, ...], days: tuple[int, int]) -> bool:
    """Some row of the family is at its upper bound from ``WINDOW`` days before the first to
    the last day of ``days``."""
    if run.row_value is None or kind.name not in model.families:
        return False
    window = slice(max(days[0] - WINDOW, 0), max(days[1], 0) + 1)
    rows = model.families[kind.name].index[where][..., window]
    rows = rows[rows >= 0]
    upper = model.row_upper[rows]
    slack = upper - run.row_value[rows]
    return bool((slack <= 1e-6 * np.maximum(np.abs(upper), 1.0)).any())


BALANCE_COST = 1e3
"""Cost per unit of relaxing a conservation law or definition (`Constraint.balance`) in the
elastic re-solve, so that it blames a limit a user can change (a pledge, a capacity) where one
suffices."""


def explain_infeasible(model: LpModel, opts: PlanOptions, time_limit: float) -> list[str]:
    """Elastic re-solve: name the constraint families that cannot all hold, with examples."""
    hard = model.rows_of(tuple(f.kind for f in model.families.values() if not f.soft))
    finite = np.isfinite(model.row_lower[hard]) | np.isfinite(model.row_upper[hard])
    hard = hard[finite]
    weight = np.ones(len(hard))
    for fam in model.families.values():
        if fam.kind.balance:
            weight[(hard >= fam.start) & (hard < fam.stop)] = BALANCE_COST
    elastic = _elastic_model(model, hard, weight)
    run = Session(elastic, opts).run(time_limit)
    if run.status is not Status.OPTIMAL or run.col_value is None:
        return [f"the model is infeasible; the elastic re-solve ended {run.status}"]
    slack = run.col_value[model.n_cols:]
    violation = slack[: len(hard)] + slack[len(hard):]
    return _name_violations(model, hard, violation)


def _elastic_model(model: LpModel, hard: np.ndarray, weight: F64) -> LpModel:
    n = len(hard)
    eye = sp.csc_matrix((np.ones(n), (hard, np.arange(n))), shape=(model.n_rows, n))
    matrix = sp.hstack([model.matrix, eye, -eye], format="csc")
    return replace(
        model, matrix=matrix, cost=np.concatenate([np.zeros(model.n_cols), weight, weight]),
        lower=np.concatenate([model.lower, np.zeros(2 * n)]),
        upper=np.concatenate([model.upper, np.full(2 * n, np.inf)]),
        integrality=np.concatenate([np.zeros_like(model.integrality), np.zeros(2 * n, np.int32)]),
        offset=0.0)


def _name_violations(model: LpModel, hard: np.ndarray, violation: F64) -> list[str]:
    lines = []
    for name, fam in model.families.items():
        inside = (hard >= fam.start) & (hard < fam.stop)
        amount = violation[inside]
        if not (amount > 1e-6).any():
            continue
        worst = hard[inside][np.argsort(-amount)[:3]]
        where = [entry_name(model.problem, name, fam.axes,
                            tuple(int(a) for a in np.argwhere(fam.index == r)[0])) for r in worst]
        lines.append(f"{fam.kind.words}; violated by {amount.sum():,.4g} in all, "
                     f"e.g. {', '.join(where)}")
    return lines or ["the model is infeasible, but no single constraint family could be named"]
