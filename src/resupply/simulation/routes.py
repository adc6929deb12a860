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
class Groups:
    """Members of each group: which routes belong to each donor, depot or hub."""

    members: tuple[I64, ...]
    """For each group, the indices of its members in order."""

    @classmethod
    def of(cls, group: I64, n: int) -> Groups:
        """Groups ``0 .. n-1`` of the members m with ``group[m]``."""
        return cls(tuple(np.nonzero(group == g)[0] for g in range(n)))


@dataclass(frozen=True)
class NetworkStatic:
    """What is fixed for a problem's network: which routes belong to whom, and the rounds in
    which routes are tried (each donor's, each depot's routes by preference: shortest
    transit, then file order)."""

    supply_groups: Groups
    """Supply routes of each donor."""
    route_groups: Groups
    """Routes into each depot (from a hub or a depot)."""
    hub_groups: Groups
    """Routes leaving each hub."""
    depot_groups: Groups
    """Routes leaving each depot (rear to forward)."""
    route_origin: I64
    """[a] hub a route from a hub leaves (0 for a route from a depot)."""
    from_depot: Bool
    """[a] the route leaves a depot."""
    supply_rounds: tuple[F64, ...]
    """[b, 1] per round: 1 for each donor's route of that rank of preference."""
    route_rounds: tuple[F64, ...]
    """[a, 1] per round: 1 for each depot's route of that rank of preference, its routes from
    a hub first, then those from other depots."""
    return_groups: Groups
    """Depots whose capacity returns go to each hub (that of their preferred route from a
    hub; the first hub for a depot that no hub reaches)."""
    hub_ring: int
    """Days the hub pipeline spans (longest supply transit + delay cap + 1, at least 2)."""
    depot_ring: int
    """Days the depot pipeline spans (longest route transit + 1)."""

    @classmethod
    def of(cls, problem: Problem, delay_cap: I64) -> NetworkStatic:
        p = problem
        n_h, n_k = len(p.hubs), len(p.depots)
        supply = Groups.of(p.supply_donor, len(p.donors))
        from_hub, from_depot = p.route_from_hub >= 0, p.route_from_depot >= 0
        by_hub = Groups.of(np.where(from_hub, p.route_depot, -1), n_k)
        origin = np.maximum(p.route_from_hub, 0)
        preferred = [a[np.argsort(p.route_transit_days[a], kind="stable")][0] if len(a) else -1
                     for a in by_hub.members]
        return_hub = np.array([origin[a] if a >= 0 else 0 for a in preferred], dtype=np.int64)
        longest_supply = p.supply_transit_days + delay_cap[p.supply_donor]
        return cls(supply_groups=supply, route_groups=Groups.of(p.route_depot, n_k),
                   hub_groups=Groups.of(np.where(from_hub, origin, -1), n_h),
                   depot_groups=Groups.of(np.where(from_depot, p.route_from_depot, -1), n_k),
                   route_origin=origin, from_depot=from_depot,
                   supply_rounds=_rank_rounds(supply, p.supply_transit_days),
                   route_rounds=(
                       _rank_rounds(by_hub, p.route_transit_days)
                       + _rank_rounds(Groups.of(np.where(from_depot, p.route_depot, -1), n_k),
                                      p.route_transit_days)),
                   return_groups=Groups.of(return_hub, n_h),
                   hub_ring=max(int(longest_supply.max(initial=0)) + 1, 2),
                   depot_ring=int(p.route_transit_days.max(initial=0)) + 1)


def _rank_rounds(groups: Groups, transit: I64) -> tuple[F64, ...]:
    """[m, 1] per rank: 1 for the member of that rank in each group (by transit, then
    index)."""
    ranked = [m[np.argsort(transit[m], kind="stable")] for m in groups.members]
    depth = max((len(m) for m in ranked), default=0)
    rounds = []
    for rank in range(depth):
        mask = np.zeros((len(transit), 1))
        for members in ranked:
            if rank < len(members):
                mask[members[rank]] = 1.0
        rounds.append(mask)
    return tuple(rounds)


def network_static(problem: Problem, delay_cap: I64) -> NetworkStatic:
    """`NetworkStatic.of`, once per problem and delay cap."""
    return per_problem(problem, ("network_static", delay_cap.tobytes()),
                       lambda: NetworkStatic.of(problem, delay_cap))


def group_sum(x: F64, groups: Groups) -> F64:
    """[r, n, ...] sums of ``x[r, m, ...]`` over the members m of each group (in member
    order, the same for any number of runs)."""
    out = np.zeros((x.shape[0], len(groups.members), *x.shape[2:]))
    for g, members in enumerate(groups.members):
        if len(members) == 1:
            out[:, g] = x[:, members[0]]
        elif len(members):
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


def depot_terms(problem: Problem, routes: PlanRoutes) -> tuple[F64, F64]:
    """What a plan over routes between depots means for its depots' positions:
    (``out[i, k, t]``, what depot k sends to other depots before day t, summed;
    ``from_hubs[i, k, t]``, the share of what the plan sends to depot k on day t that leaves
    a hub, 1 where it sends nothing). [units], [1]"""
    p = problem
    out = np.zeros((p.shape["i"], p.shape["k"], p.shape["t"]))
    into = np.zeros(out.shape)
    hubs = np.zeros(out.shape)
    for a in range(len(p.route_ids)):
        into[:, p.route_depot[a]] += routes.routes[:, a]
        if p.route_from_depot[a] >= 0:
            out[:, p.route_from_depot[a]] += routes.routes[:, a]
        else:
            hubs[:, p.route_depot[a]] += routes.routes[:, a]
    before = np.cumsum(out, axis=2) - out
    share = np.divide(hubs, into, out=np.ones(into.shape), where=into > 0)
    return before, share

