"""The network section of a `Problem`: entry hubs, supply routes (donor to hub) and routes
(hub or depot to depot), as arrays with integer indices.

A scenario with `hub` compiles to a one-hub network with the same meaning as before: one hub
``hub`` without storage limit (struck as its fields say, by default never), one supply route
per donor (transit ``lead_days``, cost ``transport_eur_per_t``) and one route per depot, in
depot order (transit and cost of the depot), so that route a is depot k; no route has a
fixed cost per shipment (a donor's fixed cost per tranche stays on the donor). A scenario with
`network` compiles its hubs and routes; the old per-donor and per-depot arrays of the
`Problem` then hold summaries (shortest lead, shortest hub-to-depot path, total hub
throughput, no costs) for the parts of the tool that read only them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from resupply.compile.problem import F64, I64, Bool, Labels
from resupply.domain.schema import Network, Scenario


@dataclass(frozen=True)
class NetworkArrays:
    """The `Problem` fields of the network (see `Problem` for each) and the summaries."""

    hubs: Labels
    hub_limit_t: F64
    hub_capacity_t: F64
    hub_strike_prob: F64
    hub_loss_fraction: F64
    supply_ids: Labels
    supply_mode: Labels
    supply_donor: I64
    supply_hub: I64
    supply_transit_days: I64
    supply_capacity_t: F64
    supply_cost: F64
    supply_fixed_eur: F64
    supply_open: Bool
    route_ids: Labels
    route_mode: Labels
    route_from_hub: I64
    route_from_depot: I64
    route_depot: I64
    route_transit_days: I64
    route_capacity_t: F64
    route_cost: F64
    route_fixed_eur: F64
    route_open: Bool
    lead_days: I64
    """[d] summary: the shortest supply route of each donor. [days]"""
    transit_days: I64
    """[k] summary: the shortest path from any hub to each depot. [days]"""


def network_arrays(sc: Scenario, donors: dict[str, int], depots: dict[str, int]
                   ) -> NetworkArrays:
    """The network of ``sc`` (its `network`, or the one-hub form of its `hub`)."""
    if sc.network is None:
        return _one_hub(sc)
    return _explicit(sc, sc.network, donors, depots)


def _one_hub(sc: Scenario) -> NetworkArrays:
    n_d, n_k, horizon = len(sc.donors), len(sc.depots), sc.horizon_days
    throughput = sc.hub.throughput_t_per_day if sc.hub is not None else np.inf
    lead = np.array([d.lead_days for d in sc.donors], dtype=np.int64)
    transit = np.array([k.transit_days for k in sc.depots], dtype=np.int64)
    return NetworkArrays(
        hubs=("hub",), hub_limit_t=np.full((1, horizon), throughput),
        hub_capacity_t=np.full(1, np.inf),
        hub_strike_prob=np.full(1, sc.hub.strike_prob_per_day if sc.hub is not None else 0.0),
        hub_loss_fraction=np.full(1, sc.hub.loss_fraction if sc.hub is not None else 0.0),
        supply_ids=tuple(f"{d.id}>hub" for d in sc.donors), supply_mode=("",) * n_d,
        supply_donor=np.arange(n_d, dtype=np.int64), supply_hub=np.zeros(n_d, dtype=np.int64),
        supply_transit_days=lead, supply_capacity_t=np.full((n_d, horizon), np.inf),
        supply_cost=np.array([d.transport_eur_per_t for d in sc.donors]),
        supply_fixed_eur=np.zeros(n_d),
        supply_open=np.ones((n_d, horizon), dtype=bool),
        route_ids=tuple(f"hub>{k.id}" for k in sc.depots), route_mode=("",) * n_k,
        route_from_hub=np.zeros(n_k, dtype=np.int64),
        route_from_depot=np.full(n_k, -1, dtype=np.int64),
        route_depot=np.arange(n_k, dtype=np.int64), route_transit_days=transit,
        route_capacity_t=np.full((n_k, horizon), np.inf),
        route_cost=np.array([k.transport_eur_per_t for k in sc.depots]),
        route_fixed_eur=np.zeros(n_k),
        route_open=np.ones((n_k, horizon), dtype=bool), lead_days=lead, transit_days=transit)


def _explicit(sc: Scenario, net: Network, donors: dict[str, int],
              depots: dict[str, int]) -> NetworkArrays:
    horizon = sc.horizon_days
    hubs = {h.id: n for n, h in enumerate(net.hubs)}
    supply = [r for r in net.routes if r.origin in donors]
    moves = [r for r in net.routes if r.origin not in donors]
    supply_donor = np.array([donors[r.origin] for r in supply], dtype=np.int64)
    supply_transit = np.array([r.transit_days for r in supply], dtype=np.int64)
    lead = np.full(len(donors), horizon, dtype=np.int64)
    np.minimum.at(lead, supply_donor, supply_transit)
    from_hub = np.array([hubs.get(r.origin, -1) for r in moves], dtype=np.int64)
    from_depot = np.array([depots.get(r.origin, -1) if r.origin not in hubs else -1
                           for r in moves], dtype=np.int64)
    to_depot = np.array([depots[r.destination] for r in moves], dtype=np.int64)
    transit = np.array([r.transit_days for r in moves], dtype=np.int64)
    return NetworkArrays(
        hubs=tuple(hubs), hub_limit_t=np.repeat(
            np.array([h.throughput_t_per_day for h in net.hubs])[:, None], horizon, axis=1),
        hub_capacity_t=np.array([np.inf if h.capacity_t is None else h.capacity_t
                                 for h in net.hubs]),
        hub_strike_prob=np.array([h.strike_prob_per_day for h in net.hubs]),
        hub_loss_fraction=np.array([h.loss_fraction for h in net.hubs]),
        supply_ids=tuple(r.id for r in supply), supply_mode=tuple(r.mode for r in supply),
        supply_donor=supply_donor,
        supply_hub=np.array([hubs[r.destination] for r in supply], dtype=np.int64),
        supply_transit_days=supply_transit,
        supply_capacity_t=_capacity([r.capacity_t_per_day for r in supply], horizon),
        supply_cost=np.array([r.cost_eur_per_t for r in supply]),
        supply_fixed_eur=np.array([r.fixed_eur_per_shipment for r in supply], dtype=float),
        supply_open=_open(sc.start, horizon, [(r.open_from, r.open_until) for r in supply]),
        route_ids=tuple(r.id for r in moves), route_mode=tuple(r.mode for r in moves),
        route_from_hub=from_hub, route_from_depot=from_depot, route_depot=to_depot,
        route_transit_days=transit,
        route_capacity_t=_capacity([r.capacity_t_per_day for r in moves], horizon),
        route_cost=np.array([r.cost_eur_per_t for r in moves]),
        route_fixed_eur=np.array([r.fixed_eur_per_shipment for r in moves], dtype=float),
        route_open=_open(sc.start, horizon, [(r.open_from, r.open_until) for r in moves]),
        lead_days=lead,
        transit_days=shortest_from_hubs(from_hub, from_depot, to_depot, transit,
                                        n_depots=len(depots), unreachable=horizon))


def _capacity(values: list[float | None], horizon: int) -> F64:
    caps = np.array([np.inf if v is None else v for v in values], dtype=float)
    return np.repeat(caps.reshape(-1, 1), horizon, axis=1)


def _open(start: dt.date, horizon: int, windows: list[tuple[dt.date | None, dt.date | None]]
          ) -> Bool:
    days = np.arange(horizon)
    out = np.ones((len(windows), horizon), dtype=bool)
    for n, (first, last) in enumerate(windows):
        if first is not None:
            out[n] &= days >= (first - start).days
        if last is not None:
            out[n] &= days <= (last - start).days
    return out


def shortest_from_hubs(from_hub: I64, from_depot: I64, to_depot: I64, transit: I64, *,
                       n_depots: int, unreachable: int) -> I64:
    """[k] days of the shortest path from any hub to each depot (Bellman-Ford over the
    routes; ``unreachable`` where no path exists). [days]"""
    best = np.full(n_depots, unreachable, dtype=np.int64)
    for _ in range(max(n_depots, 1)):
        start = np.where(from_hub >= 0, 0, best[np.maximum(from_depot, 0)])
        start = np.where((from_hub < 0) & (from_depot < 0), unreachable, start)
        new = best.copy()
        np.minimum.at(new, to_depot, np.minimum(start + transit, unreachable))
        if (new == best).all():
            break
        best = new
    return best
