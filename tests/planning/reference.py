"""An independent, slow, readable formulation of DESIGN.md's planning LP in PuLP.

Written from the model's specification, not from `resupply.planning`: plain loops over donors,
items, hubs, routes, depots and days; every dispatch leaves on a supply route variable of its
own (the fast model reuses x for donors with one route); nearly every variable exists on every
day (the fast model leaves out entries that can only be zero); consumption is an explicit
variable; donor availability is the naive cumulative sum. It is solved by CBC (the binary
bundled with PuLP, run through ``COIN_CMD`` since ``PULP_CBC_CMD`` is deprecated), a second
solver.

With ``integer`` it is the MILP of ``plan --integer``: whole units of whole-unit items, and an
on/off binary per donor and day (minimum tranche, fixed cost per tranche) and per route and day
(fixed cost per shipment), each bounding its flows by one loose big-M of its own: the tons of
everything that exists over the whole horizon (`_everything_t`).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pulp
from pulp.apis.coin_api import pulp_cbc_path

from resupply.compile import Problem


def reference_objective(p: Problem, integer: bool = False) -> tuple[str, float]:
    """Solve the reference LP (MILP with ``integer``, to a zero gap); return (PuLP status,
    objective [EUR])."""
    lp = build_reference(p, integer)
    gaps = {"gapRel": 0.0, "gapAbs": 0.0} if integer else {}
    lp.solve(pulp.COIN_CMD(path=pulp_cbc_path, msg=False, **gaps))
    return pulp.LpStatus[lp.status], float(pulp.value(lp.objective) or 0.0)


def build_reference(p: Problem, integer: bool = False) -> pulp.LpProblem:
    """The LP (MILP with ``integer``), with names like the fast model's families."""
    n_d, n_i, n_k, n_f, T = (len(p.donors), len(p.items), len(p.depots),  # noqa: N806
                             len(p.families), p.n_days)
    lp = pulp.LpProblem("reference", pulp.LpMinimize)
    r = [1.0 - p.strike_prob[k] * p.loss_fraction[k] for k in range(n_k)]
    avail = p.donor_cumulative_available()
    last_pledge = {(int(p.pledge_donor[q]), int(p.pledge_item[q])): -1
                   for q in range(len(p.pledge_ids))}
    for q in range(len(p.pledge_ids)):
        key = (int(p.pledge_donor[q]), int(p.pledge_item[q]))
        last_pledge[key] = max(last_pledge[key], int(p.pledge_day[q]))

    def can_send(d: int, i: int, t: int) -> bool:
        """Tranche day outside a dated pause, released, and arriving within the horizon or
        needed for a pledge."""
        arrives = t + int(p.lead_days[d]) < T or t <= last_pledge.get((d, i), -1)
        sends = bool(p.tranche_day[d, t]) and not bool(p.donor_paused[d, t])
        return sends and t >= p.release_day[d, i] and arrives

    def cat(i: int) -> str:
        """Whole units of whole-unit items in the MILP."""
        return "Integer" if integer and p.item_whole[i] else "Continuous"

    x = {(d, i, t): lp.add_variable(f"x_{d}_{i}_{t}", lowBound=0, cat=cat(i))
         for d in range(n_d) for i in range(n_i) for t in range(T) if can_send(d, i, t)}
    n_n, n_a = len(p.hubs), len(p.route_ids)
    h = {(i, n, t): lp.add_variable(f"h_{i}_{n}_{t}", lowBound=0)
         for i in range(n_i) for n in range(n_n) for t in range(T)}
    # what leaves on each supply route (donor to hub), on days the route is open
    xb = {(b, i, t): lp.add_variable(f"xb_{b}_{i}_{t}", lowBound=0, cat=cat(i))
          for b in range(len(p.supply_ids)) for i in range(n_i) for t in range(T)
          if (int(p.supply_donor[b]), i, t) in x and p.supply_open[b, t]}
    # a move on route a (hub or depot to depot) is planned only on open days and if it lands
    # within the horizon (with holding costs, a move into the void after the horizon would
    # otherwise save the hub's holding cost)
    z = {(i, a, t): lp.add_variable(f"z_{i}_{a}_{t}", lowBound=0, cat=cat(i))
         for i in range(n_i) for a in range(n_a) for t in range(T)
         if t + int(p.route_transit_days[a]) < T and p.route_open[a, t]}
    s = {(i, k, t): lp.add_variable(f"s_{i}_{k}_{t}", lowBound=0)
         for i in range(n_i) for k in range(n_k) for t in range(T)}
    c = {(i, k, t): lp.add_variable(f"c_{i}_{k}_{t}", lowBound=0)
         for i in range(n_i) for k in range(n_k) for t in range(T)}
    u = {(f, k, t): lp.add_variable(f"u_{f}_{k}_{t}", lowBound=0)
         for f in range(n_f) for k in range(n_k) for t in range(T)}

    def stock_before(i: int, k: int, t: int) -> pulp.LpAffineExpression | float:
        return s[i, k, t - 1] if t > 0 else float(p.initial_stock[i, k])

    cost: list[pulp.LpAffineExpression | float] = []
    # donor availability: cumulative dispatch within stock + production
    for (d, i, t) in x:
        lp += pulp.lpSum(x[d, i, tau] for tau in range(t + 1) if (d, i, tau) in x) \
            <= float(avail[d, i, t])
    # pledges, accumulated over the pledges of the same donor and item
    for q in range(len(p.pledge_ids)):
        d, i, day = int(p.pledge_donor[q]), int(p.pledge_item[q]), int(p.pledge_day[q])
        if not 0 <= day < T:
            continue
        total = sum(float(p.pledge_quantity[o]) for o in range(len(p.pledge_ids))
                    if p.pledge_donor[o] == d and p.pledge_item[o] == i
                    and p.pledge_day[o] <= day)
        sent = pulp.lpSum(x[d, i, tau] for tau in range(day + 1) if (d, i, tau) in x)
        lp += (sent == total) if p.pledge_fixed[q] else (sent >= total)
    _network(lp, p, x=x, xb=xb, h=h, z=z)
    # dispatch capacity per donor and day (not carried over)
    for d in range(n_d):
        for t in range(T):
            if math.isfinite(float(p.dispatch_capacity_t[d, t])):
                lp += pulp.lpSum(float(p.item_mass_t[i]) * x[d, i, t] for i in range(n_i)
                                 if (d, i, t) in x) <= float(p.dispatch_capacity_t[d, t])
    # depot balance with strike decay, demand, capacity
    for i in range(n_i):
        for k in range(n_k):
            for t in range(T):
                arrival = pulp.lpSum(z.get((i, a, t - int(p.route_transit_days[a])), 0.0)
                                     for a in range(n_a) if p.route_depot[a] == k)
                leaving = pulp.lpSum(z.get((i, a, t), 0.0) for a in range(n_a)
                                     if p.route_from_depot[a] == k)
                lp += s[i, k, t] == r[k] * stock_before(i, k, t) + arrival - leaving \
                    - c[i, k, t]
    for f in range(n_f):
        for k in range(n_k):
            for t in range(T):
                lp += pulp.lpSum(c[i, k, t] for i in range(n_i) if p.item_family[i] == f) \
                    + u[f, k, t] == float(p.need[f, k, t])
    for k in range(n_k):
        for t in range(T):
            lp += pulp.lpSum(float(p.item_mass_t[i]) * s[i, k, t] for i in range(n_i)) \
                <= float(p.depot_capacity_t[k])
    cost += _packages(lp, p, s)
    cost += _fairness(lp, p, x)
    cost += _smoothness(lp, p, x)
    # objective terms
    for (f, _k, day), var in u.items():
        earlier = (T - 1 - day) / max(T - 1, 1)  # 1 on the first day, 0 on the last
        cost.append(float(p.shortfall_penalty[f] * (1.0 + p.w_shortfall_timing * earlier)) * var)
    for i in range(n_i):
        for k in range(n_k):
            for t in range(T):
                loss = p.w_strike_loss * p.item_value[i] * (1.0 - r[k])
                cost.append(float(loss) * stock_before(i, k, t))
    cost += _dispatch_and_holding_costs(p, x, [*s.values(), *h.values()])
    cost += _route_costs(p, xb, h, z)
    cost += _on_off(lp, p, x, xb, z) if integer else []
    lp += pulp.lpSum(cost)
    return lp


def _everything_t(p: Problem) -> float:
    """Tons of all the donors hold and make over the horizon and of the initial depot stock:
    no flow on any day can weigh more. [t]"""
    made = p.donor_cumulative_available()[:, :, -1].sum(axis=0) + p.initial_stock.sum(axis=1)
    return float(p.item_mass_t @ made)


def _on_off(lp: pulp.LpProblem, p: Problem, x: dict[tuple[int, int, int], pulp.LpVariable],
            xb: dict[tuple[int, int, int], pulp.LpVariable],
            z: dict[tuple[int, int, int], pulp.LpVariable]) -> list[pulp.LpAffineExpression]:
    """MILP: a tranche of donor d on day t is 0 or between its minimum and everything, and
    costs its fixed cost; a day's shipment on a route with a fixed cost costs it."""
    big = _everything_t(p)
    mass = [float(m) for m in p.item_mass_t]
    cost = []
    for d in range(len(p.donors)):
        if p.min_tranche_t[d] <= 0 and p.tranche_fixed_cost[d] <= 0:
            continue
        for t in range(p.n_days):
            tons = pulp.lpSum(mass[i] * var for (dd, i, tt), var in x.items()
                              if dd == d and tt == t)
            on = lp.add_variable(f"y_{d}_{t}", cat="Binary")
            lp += tons <= big * on
            lp += tons >= float(p.min_tranche_t[d]) * on
            cost.append(float(p.tranche_fixed_cost[d]) * on)
    for b, fixed in enumerate(p.supply_fixed_eur):
        for t in range(p.n_days) if fixed > 0 else ():
            on = lp.add_variable(f"yb_{b}_{t}", cat="Binary")
            lp += pulp.lpSum(mass[i] * var for (bb, i, tt), var in xb.items()
                             if bb == b and tt == t) <= big * on
            cost.append(float(fixed) * on)
    for a, fixed in enumerate(p.route_fixed_eur):
        for t in range(p.n_days) if fixed > 0 else ():
            on = lp.add_variable(f"ya_{a}_{t}", cat="Binary")
            lp += pulp.lpSum(mass[i] * var for (i, aa, tt), var in z.items()
                             if aa == a and tt == t) <= big * on
            cost.append(float(fixed) * on)
    return cost


def _dispatch_and_holding_costs(p: Problem, x: dict[tuple[int, int, int], pulp.LpVariable],
                                stocks: list[pulp.LpVariable]) -> list[pulp.LpAffineExpression]:
    """Transport to the hub and the day's purchase price on each dispatch; holding on every
    unit at the hub or a depot at the end of a day."""
    cost = [float(p.purchase_cost[i, t]) * var for (_d, i, t), var in x.items()]
    cost += [float(p.holding_cost) * var for var in stocks]
    return cost


def _route_costs(p: Problem, xb: dict[tuple[int, int, int], pulp.LpVariable],
                 h: dict[tuple[int, int, int], pulp.LpVariable],
                 z: dict[tuple[int, int, int], pulp.LpVariable]) -> list[pulp.LpAffineExpression]:
    """Transport on every supply route and route (per t); expected strike loss of the stock a
    hub carries into each day."""
    cost = [float(p.w_transport * p.item_mass_t[i] * p.supply_cost[b]) * var
            for (b, i, _t), var in xb.items()]
    cost += [float(p.w_transport * p.item_mass_t[i] * p.route_cost[a]) * var
             for (i, a, _t), var in z.items()]
    for (i, n, t), var in h.items():
        lost = 1.0 - p.hub_strike_prob[n] * p.hub_loss_fraction[n]
        if t + 1 < p.n_days:  # carried into day t + 1, struck during it
            cost.append(float(p.w_strike_loss * p.item_value[i] * (1.0 - lost)) * var)
    return cost


def _network(lp: pulp.LpProblem, p: Problem, *, x: dict[tuple[int, int, int], pulp.LpVariable],
             xb: dict[tuple[int, int, int], pulp.LpVariable],
             h: dict[tuple[int, int, int], pulp.LpVariable],
             z: dict[tuple[int, int, int], pulp.LpVariable]) -> None:
    """Supply routes, hubs (balance with strike decay, throughput, capacity) and route
    capacities, written from the network's specification."""
    mass = [float(m) for m in p.item_mass_t]
    for (d, i, t), var in x.items():  # a dispatch leaves on the donor's routes
        lp += var == pulp.lpSum(v for (b, ii, tt), v in xb.items()
                                if p.supply_donor[b] == d and ii == i and tt == t)
    for (i, n, t), var in h.items():
        kept = 1.0 - p.hub_strike_prob[n] * p.hub_loss_fraction[n]
        before = kept * h[i, n, t - 1] if t > 0 else 0.0
        arriving = pulp.lpSum(v for (b, ii, tt), v in xb.items() if ii == i
                              and p.supply_hub[b] == n
                              and tt + int(p.supply_transit_days[b]) == t)
        leaving = pulp.lpSum(v for (ii, a, tt), v in z.items() if ii == i and tt == t
                             and p.route_from_hub[a] == n)
        lp += var == before + arriving - leaving
    for n in range(len(p.hubs)):
        for t in range(p.n_days):
            lp += pulp.lpSum(mass[i] * v for (i, a, tt), v in z.items()
                             if tt == t and p.route_from_hub[a] == n) \
                <= float(p.hub_limit_t[n, t])
            if math.isfinite(float(p.hub_capacity_t[n])):
                lp += pulp.lpSum(mass[i] * h[i, n, t] for i in range(len(p.items))) \
                    <= float(p.hub_capacity_t[n])
    for (b, t), cap in np.ndenumerate(p.supply_capacity_t):
        if math.isfinite(float(cap)):
            lp += pulp.lpSum(mass[i] * v for (bb, i, tt), v in xb.items()
                             if bb == b and tt == t) <= float(cap)
    for (a, t), cap in np.ndenumerate(p.route_capacity_t):
        if math.isfinite(float(cap)):
            lp += pulp.lpSum(mass[i] * v for (i, aa, tt), v in z.items()
                             if aa == a and tt == t) <= float(cap)


def _packages(lp: pulp.LpProblem, p: Problem, s: dict[tuple[int, int, int], pulp.LpVariable]
              ) -> list[pulp.LpAffineExpression]:
    """First load on hand at the end of the package day, soft at the shortfall penalty."""
    cost = []
    for q in range(len(p.package_day)):
        day = int(p.package_day[q])
        for f in range(len(p.families)):
            load = float(p.package_first_load[q, f])
            if load <= 0 or not 0 <= day < p.n_days:
                continue
            slack = lp.add_variable(f"v_{q}_{f}", lowBound=0)
            lp += pulp.lpSum(s[i, k, day] for i in range(len(p.items))
                             if p.item_family[i] == f for k in range(len(p.depots))) \
                + slack >= load
            cost.append(float(p.shortfall_penalty[f]) * slack)
    return cost


def _fairness(lp: pulp.LpProblem, p: Problem, x: dict[tuple[int, int, int], pulp.LpVariable]
              ) -> list[pulp.LpAffineExpression]:
    """Soft band on each donor's share of the value shipped."""
    value = {d: pulp.lpSum(float(p.item_value[i]) * var for (dd, i, _t), var in x.items()
                           if dd == d) for d in range(len(p.donors))}
    total = pulp.lpSum(value.values())
    cost = []
    for d in range(len(p.donors)):
        share = float(p.fair_share[d])
        if math.isnan(share):
            continue
        low = lp.add_variable(f"elo_{d}", lowBound=0)
        high = lp.add_variable(f"ehi_{d}", lowBound=0)
        lp += value[d] + low >= max(share - p.fair_share_band, 0.0) * total
        lp += value[d] - high <= (share + p.fair_share_band) * total
        cost += [p.fairness_penalty * low, p.fairness_penalty * high]
    return cost


def _smoothness(lp: pulp.LpProblem, p: Problem, x: dict[tuple[int, int, int], pulp.LpVariable]
                ) -> list[pulp.LpAffineExpression]:
    """|change of a donor's total tranche| between consecutive calendar tranche days."""
    cost = []
    for d in range(len(p.donors)):
        days = [t for t in range(p.n_days) if p.tranche_day[d, t]]
        for before, t in itertools.pairwise(days):
            now = pulp.lpSum(var for (dd, _i, tt), var in x.items() if dd == d and tt == t)
            then = pulp.lpSum(var for (dd, _i, tt), var in x.items() if dd == d and tt == before)
            up = lp.add_variable(f"up_{d}_{t}", lowBound=0)
            dn = lp.add_variable(f"dn_{d}_{t}", lowBound=0)
            lp += now - then == up - dn
            cost.append(p.w_smoothness * (up + dn))
    return cost
