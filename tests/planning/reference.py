"""An independent, slow, readable formulation of DESIGN.md's planning LP in PuLP.

Written from the model's specification, not from `resupply.planning`: plain loops over donors,
items, depots and days; every variable exists on every day (the fast model leaves out entries
that can only be zero); consumption is an explicit variable; donor availability is the naive
cumulative sum. It is solved by CBC (the binary bundled with PuLP, run through ``COIN_CMD``
since ``PULP_CBC_CMD`` is deprecated), a second solver.
"""

from __future__ import annotations

import itertools
import math

import pulp
from pulp.apis.coin_api import pulp_cbc_path

from resupply.compile import Problem


def reference_objective(p: Problem) -> tuple[str, float]:
    """Solve the reference LP; return (PuLP status, objective [EUR])."""
    lp = build_reference(p)
    lp.solve(pulp.COIN_CMD(path=pulp_cbc_path, msg=False))
    return pulp.LpStatus[lp.status], float(pulp.value(lp.objective) or 0.0)


def build_reference(p: Problem) -> pulp.LpProblem:
    """The LP, with names like the fast model's families."""
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
        """Tranche day, released, and arriving within the horizon or needed for a pledge."""
        arrives = t + int(p.lead_days[d]) < T or t <= last_pledge.get((d, i), -1)
        return bool(p.tranche_day[d, t]) and t >= p.release_day[d, i] and arrives

    x = {(d, i, t): lp.add_variable(f"x_{d}_{i}_{t}", lowBound=0)
         for d in range(n_d) for i in range(n_i) for t in range(T) if can_send(d, i, t)}
    h = {(i, t): lp.add_variable(f"h_{i}_{t}", lowBound=0) for i in range(n_i) for t in range(T)}
    # a move is planned only if it lands within the horizon (with holding costs, a move into
    # the void after the horizon would otherwise save the hub's holding cost)
    z = {(i, k, t): lp.add_variable(f"z_{i}_{k}_{t}", lowBound=0)
         for i in range(n_i) for k in range(n_k) for t in range(T)
         if t + int(p.transit_days[k]) < T}
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
    # hub balance and throughput
    for i in range(n_i):
        for t in range(T):
            arriving = pulp.lpSum(x[d, i, t - int(p.lead_days[d])] for d in range(n_d)
                                  if (d, i, t - int(p.lead_days[d])) in x)
            before = h[i, t - 1] if t > 0 else 0.0
            lp += h[i, t] == before + arriving - pulp.lpSum(z[i, k, t] for k in range(n_k)
                                                            if (i, k, t) in z)
    for t in range(T):
        lp += pulp.lpSum(float(p.item_mass_t[i]) * z[i, k, t] for i in range(n_i)
                         for k in range(n_k) if (i, k, t) in z) <= float(p.hub_throughput_t[t])
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
                tr = int(p.transit_days[k])
                arrival = z.get((i, k, t - tr), 0.0)
                lp += s[i, k, t] == r[k] * stock_before(i, k, t) + arrival - c[i, k, t]
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
                tons = p.w_transport * p.item_mass_t[i]
                if (i, k, t) in z:
                    cost.append(float(tons * p.depot_transport[k]) * z[i, k, t])
    cost += _dispatch_and_holding_costs(p, x, [*s.values(), *h.values()])
    lp += pulp.lpSum(cost)
    return lp


def _dispatch_and_holding_costs(p: Problem, x: dict[tuple[int, int, int], pulp.LpVariable],
                                stocks: list[pulp.LpVariable]) -> list[pulp.LpAffineExpression]:
    """Transport to the hub and the day's purchase price on each dispatch; holding on every
    unit at the hub or a depot at the end of a day."""
    cost = []
    for (d, i, t), var in x.items():
        cost.append(float(p.w_transport * p.item_mass_t[i] * p.donor_transport[d]) * var)
        cost.append(float(p.purchase_cost[i, t]) * var)
    cost += [float(p.holding_cost) * var for var in stocks]
    return cost


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
