"""Multi-resolution time: the first days day by day, the rest of the horizon in longer steps.

A plan for next week needs days; a plan for month five only needs weeks. `coarsen` turns a
daily `Problem` into one whose time axis has ``daily_days`` one-day steps followed by steps
of ``step_days`` days (the last one shorter if the horizon says so). The planner reads it as
it reads a daily problem, with these approximations, each on the side noted:

- per-day quantities become step totals: need, production, platforms delivered, hub
  throughput (so the hub may move a week's tonnage on any day of the week);
- platforms in service and intensity become step means;
- a donor may dispatch in a step if any of its days is a tranche day, and an item from the
  step holding its release day (up to ``step_days - 1`` days early: optimistic); a step is
  paused only when every day of it is in a dated pause (optimistic as well);
- pledge and package days move to the step that holds them;
- a step's consumption draws on the stock carried in, which decays by ``r ** step_days``
  before the step's arrivals (strike losses counted on the stock at the step's end only);
- stock and capacity are checked at the end of each step, not inside it;
- tranche smoothness compares a donor's step totals (a week's tranches count as one), and
  the MILP pays a fixed cost per tranche or per shipment once a step (optimistic);
- a donor's dispatch capacity becomes the step's total (a week's tonnage in one tranche),
  and the purchase price of a step is the price on its first day; so do the capacities of
  the hubs and routes, and a route is open in a step if it is open on any of its days.

Lead and transit times stay in days: a dispatch at the start of a step arrives in the step
holding ``start + lead``. docs/performance.md reports the objective against the daily solve.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from resupply.compile.problem import F64, I64, Bool, Problem
from resupply.errors import PlanningError


def step_lengths(n_days: int, daily_days: int, step_days: int) -> I64:
    """[steps] days in each step: ``daily_days`` ones, then ``step_days`` each. [days]"""
    if daily_days < 1 or step_days < 1:
        raise PlanningError(f"multi-resolution needs at least 1 daily day and steps of at "
                            f"least 1 day, not {daily_days} and {step_days}")
    head = min(daily_days, n_days)
    rest = n_days - head
    tail = [step_days] * (rest // step_days) + ([rest % step_days] if rest % step_days else [])
    return np.array([1] * head + tail, dtype=np.int64)


def coarsen(p: Problem, daily_days: int, step_days: int = 7) -> Problem:
    """``p`` with days ``daily_days`` and later merged into steps of ``step_days`` days."""
    if not p.is_daily:
        raise PlanningError("this problem is already coarsened")
    lengths = step_lengths(p.n_days, daily_days, step_days)
    if len(lengths) == p.n_days:
        return p
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)

    def total(a: F64) -> F64:
        out: F64 = np.add.reduceat(a, starts, axis=-1)
        return out

    def mean(a: F64) -> F64:
        out: F64 = total(a) / lengths
        return out

    def any_day(a: Bool) -> Bool:
        out: Bool = np.logical_or.reduceat(a, starts, axis=-1)
        return out

    def all_days(a: Bool) -> Bool:
        out: Bool = np.logical_and.reduceat(a, starts, axis=-1)
        return out

    def step_of(day: I64) -> I64:
        """Days inside the horizon -> their step; days outside keep their side of it."""
        inside = (day >= 0) & (day < p.n_days)
        step = np.searchsorted(starts, day, side="right") - 1
        out: I64 = np.where(inside, step, np.where(day < 0, day, len(lengths))).astype(np.int64)
        return out

    return replace(
        p, dates=p.dates[starts], step_days=lengths, in_service=mean(p.in_service),
        delivered=total(p.delivered), intensity=mean(p.intensity), need=total(p.need),
        donor_production=total(p.donor_production), release_day=step_of(p.release_day),
        tranche_day=any_day(p.tranche_day), donor_paused=all_days(p.donor_paused),
        pledge_day=step_of(p.pledge_day),
        package_day=step_of(p.package_day), hub_throughput_t=total(p.hub_throughput_t),
        dispatch_capacity_t=total(p.dispatch_capacity_t), hub_limit_t=total(p.hub_limit_t),
        supply_capacity_t=total(p.supply_capacity_t), supply_open=any_day(p.supply_open),
        route_capacity_t=total(p.route_capacity_t), route_open=any_day(p.route_open),
        purchase_cost=p.purchase_cost[:, starts])
