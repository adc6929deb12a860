"""The flows of a plan per route of the network, as a table (``flows.csv`` of a plan directory).

One row per supply route (donor to hub) and per route (hub or depot to depot): where it goes,
how, its transit, capacity and cost, and what the plan sends on it over the horizon: units,
tons, transport cost [EUR], the busiest day's tons and that as a share of the route's capacity.
A final row per hub gives the tons that leave it and its busiest day against its throughput.

`route_table` and `hub_table` give the same flows day by day: units per route, item and day
(``routes.parquet``) and units held per hub, item and day (``hubs.parquet``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from resupply.compile.problem import F64, Problem
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


NONZERO = 1e-9
"""Daily tables keep only values above this. [units]"""


def route_table(result: PlanResult) -> pd.DataFrame:
    """Units sent per route, item and day (``routes.parquet`` of a plan directory): columns
    ``route`` (a supply route id of `Problem.supply_ids`, donor to hub, or a route id of
    `Problem.route_ids`, hub or depot to depot), ``item``, ``day`` (the day the units leave
    the route's origin, 0-based) and ``units``; rows only where units > `NONZERO`, sorted by
    route, item and day. A plan without supply or route flows gives no rows for them.

    In a multi-resolution plan (`resupply.compile.coarsen`) ``day`` is the first day of the
    step, as in stock.parquet, and ``units`` the step's total: units that leave on any day of
    the step (a daily step is the day itself)."""
    p = result.problem
    parts = []
    if result.supply_flows is not None:  # [b, i, t]
        parts.append(_long("route", p.supply_ids, p, np.nan_to_num(result.supply_flows),
                           "units"))
    if result.route_flows is not None:  # [i, a, t] -> [a, i, t]
        parts.append(_long("route", p.route_ids, p,
                           np.nan_to_num(result.route_flows).transpose(1, 0, 2), "units"))
    return _sorted(parts, "route", "units")


def hub_table(result: PlanResult) -> pd.DataFrame:
    """Units held per hub, item and day (``hubs.parquet`` of a plan directory): columns
    ``hub`` (`Problem.hubs`), ``item``, ``day`` (0-based) and ``stock`` (units at the hub at
    the end of the day), from `PlanResult.hub_stocks` (`hub_stock` as the first hub when a
    result has no per-hub stock); rows only where stock > `NONZERO`, sorted by hub, item and
    day. In a multi-resolution plan ``day`` is the first day of the step, as in
    stock.parquet, and ``stock`` the stock at the end of the step."""
    p = result.problem
    if result.hub_stocks is not None:  # [i, n, t] -> [n, i, t]
        stocks = np.nan_to_num(result.hub_stocks).transpose(1, 0, 2)
    else:
        stocks = np.nan_to_num(result.hub_stock)[None, :, :]
    return _sorted([_long("hub", p.hubs[:len(stocks)], p, stocks, "stock")], "hub", "stock")


def _long(key: str, ids: tuple[str, ...], p: Problem, values: F64, column: str) -> pd.DataFrame:
    """``values`` [key, i, t] as rows (key id, item, day, value) where value > `NONZERO`."""
    where = np.nonzero(values > NONZERO)
    return pd.DataFrame({
        key: np.asarray(ids, dtype=object)[where[0]],
        "item": np.asarray(p.items, dtype=object)[where[1]],
        "day": p.step_start[where[2]].astype(np.int64),
        column: values[where].astype(np.float64)})


def _sorted(parts: list[pd.DataFrame], key: str, column: str) -> pd.DataFrame:
    """The parts as one table sorted by key, item and day, with fixed column types."""
    if not parts:
        parts = [pd.DataFrame({key: [], "item": [], "day": [], column: []})]
    table = pd.concat(parts, ignore_index=True).astype(
        {key: str, "item": str, "day": np.int64, column: np.float64})
    return table.sort_values([key, "item", "day"], kind="stable", ignore_index=True)
