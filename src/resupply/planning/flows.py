"""The flows of a plan per route of the network, as a table (``flows.csv`` of a plan directory).

One row per supply route (donor to hub) and per route (hub or depot to depot): where it goes,
how, its transit, capacity and cost, and what the plan sends on it over the horizon: units,
tons, transport cost [EUR], the busiest day's tons and that as a share of the route's capacity.
A final row per hub gives the tons that leave it and its busiest day against its throughput.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from resupply.compile.problem import F64
from resupply.planning.result import PlanResult


def flow_table(result: PlanResult) -> pd.DataFrame:
    """The table of the module docstring (empty when the plan has no route flows)."""
    p = result.problem
    if result.route_flows is None or result.supply_flows is None:
        return pd.DataFrame()
    mass = p.item_mass_t
    supply_t = np.einsum("bit,i->bt", np.nan_to_num(result.supply_flows), mass)
    route_t = np.einsum("iat,i->at", np.nan_to_num(result.route_flows), mass)
    places = np.asarray([*p.hubs, *p.depots], dtype=object)
    origin = np.where(p.route_from_hub >= 0, p.route_from_hub,
                      len(p.hubs) + np.maximum(p.route_from_depot, 0))
    supply = _rows(kind="supply", ids=p.supply_ids,
                   origin=np.asarray(p.donors, dtype=object)[p.supply_donor],
                   destination=np.asarray(p.hubs, dtype=object)[p.supply_hub],
                   mode=p.supply_mode, transit=p.supply_transit_days,
                   cost=p.supply_cost * p.w_transport, capacity=p.supply_capacity_t,
                   units=np.nan_to_num(result.supply_flows).sum(axis=(1, 2)), tons=supply_t)
    routes = _rows(kind="route", ids=p.route_ids, origin=places[origin],
                   destination=np.asarray(p.depots, dtype=object)[p.route_depot],
                   mode=p.route_mode, transit=p.route_transit_days,
                   cost=p.route_cost * p.w_transport, capacity=p.route_capacity_t,
                   units=np.nan_to_num(result.route_flows).sum(axis=(0, 2)), tons=route_t)
    leaving = np.zeros(p.hub_limit_t.shape)
    for a in np.nonzero(p.route_from_hub >= 0)[0]:
        leaving[p.route_from_hub[a]] += route_t[a]
    hubs = _rows(kind="hub", ids=p.hubs, origin=np.asarray(p.hubs, dtype=object),
                 destination=np.full(len(p.hubs), "", dtype=object), mode=("",) * len(p.hubs),
                 transit=np.zeros(len(p.hubs), dtype=np.int64), cost=np.zeros(len(p.hubs)),
                 capacity=p.hub_limit_t, units=np.full(len(p.hubs), np.nan), tons=leaving)
    return pd.concat([supply, routes, hubs], ignore_index=True)


def _rows(*, kind: str, ids: tuple[str, ...], origin: np.ndarray, destination: np.ndarray,
          mode: tuple[str, ...], transit: np.ndarray, cost: F64, capacity: F64, units: F64,
          tons: F64) -> pd.DataFrame:
    """Rows of one kind; ``capacity`` and ``tons`` are [row, t] per day (``inf``: none)."""
    total = tons.sum(axis=1)
    peak = tons.max(axis=1, initial=0.0)
    limit = capacity.min(axis=1, initial=np.inf)
    use = np.divide(peak, limit, out=np.full(len(ids), np.nan), where=np.isfinite(limit))
    return pd.DataFrame({
        "kind": kind, "route": list(ids), "origin": origin, "destination": destination,
        "mode": list(mode), "transit_days": transit,
        "cost_eur_per_t": cost, "capacity_t_per_day": np.where(np.isfinite(limit), limit, np.nan),
        "units": units, "tons": total, "transport_eur": cost * total,
        "peak_t_per_day": peak, "peak_use": use})
