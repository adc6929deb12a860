"""A problem's network as the simulator reads it (`NetworkStatic`: the routes in order of
preference and the pipelines' lengths, fixed for a problem, built once) and a plan's flows
per route (`PlanRoutes`), which a ``plan`` policy follows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from resupply.compile.problem import F64, I64, Bool, Problem
from resupply.simulation.constants import per_problem


@dataclass(frozen=True)
class NetworkStatic:
    """What is fixed for a problem's network: the routes in order of preference."""

    supply_rank: list[list[int]]
    """For each donor, its supply routes by preference (shortest transit, then file order)."""
    route_rank: list[list[int]]
    """For each depot, its routes from a hub by preference."""
    return_hub: I64
    """[k] hub that takes a depot's capacity returns: that of its preferred route."""
    n_hubs: int
    hub_ring: int
    """Days the hub pipeline spans (longest supply transit + delay cap + 1, at least 2)."""
    depot_ring: int
    """Days the depot pipeline spans (longest route transit + 1)."""

    @classmethod
    def of(cls, problem: Problem, delay_cap: I64) -> NetworkStatic:
        p = problem
        supply_rank = [sorted(np.nonzero(p.supply_donor == d)[0].tolist(),
                              key=lambda b: (int(p.supply_transit_days[b]), b))
                       for d in range(len(p.donors))]
        from_hub = p.route_from_hub >= 0
        route_rank = [sorted(np.nonzero(from_hub & (p.route_depot == k))[0].tolist(),
                             key=lambda a: (int(p.route_transit_days[a]), a))
                      for k in range(len(p.depots))]
        return_hub = np.array([p.route_from_hub[r[0]] if r else 0 for r in route_rank],
                              dtype=np.int64)
        longest_supply = p.supply_transit_days + delay_cap[p.supply_donor]
        return cls(supply_rank=supply_rank, route_rank=route_rank, return_hub=return_hub,
                   n_hubs=len(p.hubs),
                   hub_ring=max(int(longest_supply.max(initial=0)) + 1, 2),
                   depot_ring=int(p.route_transit_days.max(initial=0)) + 1)


def network_static(problem: Problem, delay_cap: I64) -> NetworkStatic:
    """`NetworkStatic.of`, once per problem and delay cap."""
    return per_problem(problem, ("network_static", delay_cap.tobytes()),
                       lambda: NetworkStatic.of(problem, delay_cap))


def group_sum(x: F64, group: I64, n: int) -> F64:
    """[r, n, ...] sums of ``x[r, m, ...]`` over the members m of each group ``group[m]`` (in
    member order, the same for any number of runs)."""
    out = np.zeros((x.shape[0], n, *x.shape[2:]))
    for g in range(n):
        members = group == g
        if members.any():
            out[:, g] = x[:, members].sum(axis=1)
    return out


def open_donors(problem: Problem, t: int) -> Bool:
    """[d] donors with an open supply route on day t."""
    result: Bool = np.zeros(len(problem.donors), dtype=bool)
    result[problem.supply_donor[problem.supply_open[:, t]]] = True
    return result


@dataclass(frozen=True, eq=False)
class PlanRoutes:
    """A plan's flows per route, by day: what the plan puts on each route (the ``plan``
    policy passes them on, so a replay takes the plan's routes).

    supply
        ``xs[b, i, t]``: units dispatched on supply route b (donor to hub) on day t. [units]
    routes
        ``z[i, a, t]``: units leaving on route a (hub to depot) on day t. [units]
    """

    supply: F64
    routes: F64


def plan_routes(policy: object) -> PlanRoutes | None:
    """The routes a policy follows (a ``plan`` policy with a network plan), or None."""
    routes = getattr(policy, "plan_routes", None)
    return routes if isinstance(routes, PlanRoutes) else None
