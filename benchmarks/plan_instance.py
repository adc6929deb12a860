"""The generated benchmark instance, and the naive model's index sets shared by the other tools.

Sizes follow issue 6: small (5 donors, 10 items, 5 depots, 90 days), medium (20, 50, 10,
180), large (30, 200, 20, 365). The instance exercises the flow core of the planning model
(donor availability with production and release dates, tranche cadence, lead and transit
times, hub balance and throughput, depot balance with strike decay, demand, depot capacity,
transport, strike-loss and smoothness costs); it has no pledges, packages or fair shares, so
that the models written in linopy, Pyomo and PuLP stay short.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from resupply.compile import Problem, compile_problem
from resupply.domain import Scenario

SIZES = {"small": (5, 10, 5, 90), "medium": (20, 50, 10, 180), "large": (30, 200, 20, 365)}
"""Size -> (donors, items, depots, days)."""
HUBS = 3
"""Entry hubs of a ``SIZE-hubs`` instance (``medium-hubs``: the medium instance on a network)."""
START = dt.date(2024, 1, 1)


def _date(day: int) -> str:
    return (START + dt.timedelta(days=int(day))).isoformat()


def scenario_data(size: str, seed: int = 0) -> dict[str, Any]:
    """A random but reproducible scenario of the given size; ``SIZE-hubs`` is the instance of
    SIZE with its hub replaced by a network (`with_network`)."""
    if size.endswith("-hubs"):
        return with_network(scenario_data(size.removesuffix("-hubs"), seed), seed)
    n_d, n_i, n_k, n_t = SIZES[size]
    rng = np.random.default_rng(seed)
    n_f = max(2, n_i // 5)
    fam_std = ["soviet" if f < n_f // 2 else "nato" for f in range(n_f)]
    item_fam = np.arange(n_i) % n_f
    mass = rng.uniform(5, 100, n_i)
    rate, initial = rng.uniform(5, 50, n_f), rng.integers(5, 50, n_f)
    need_f = rate * initial  # units/day per family
    per_item = need_f[item_fam] / np.bincount(item_fam)[item_fam]
    donors = []
    for d in range(n_d):
        held = np.nonzero(rng.random(n_i) < 0.3)[0]
        every = int(rng.choice([1, 1, 3, 7]))
        donor: dict[str, Any] = {
            "id": f"d{d}", "lead_days": int(rng.integers(1, 8)), "tranche_every_days": every,
            "tranche_offset_days": int(rng.integers(0, every)),
            "transport_eur_per_t": float(rng.uniform(10, 200)),
            "stock": [{"item": f"i{i}", "quantity": float(rng.uniform(0, 30) * per_item[i])}
                      for i in held]}
        donor["production"] = [
            {"item": f"i{i}", "rates": [{"date": _date(rng.integers(0, n_t)),
                                         "per_day": float(0.2 * per_item[i])}]}
            for i in held if rng.random() < 0.3]
        donor["releases"] = [{"item": f"i{i}", "date": _date(rng.integers(0, n_t // 2))}
                             for i in held if rng.random() < 0.2]
        donors.append(donor)
    share = rng.dirichlet(np.ones(n_k))
    share = np.round(share / share.sum(), 12)
    share[-1] = 1.0 - share[:-1].sum()
    tons_per_day = float((per_item * mass / 1000).sum())
    depots = [{"id": f"k{k}", "capacity_t": float(5 * tons_per_day * share[k] + 1),
               "transit_days": int(rng.integers(0, 4)),
               "strike_prob_per_day": float(rng.uniform(0, 0.05)),
               "loss_fraction": float(rng.uniform(0.2, 0.6)), "demand_share": float(share[k]),
               "transport_eur_per_t": float(rng.uniform(5, 50)),
               "initial_stock": [{"item": f"i{i}", "quantity": float(3 * per_item[i] * share[k])}
                                 for i in range(n_i) if rng.random() < 0.5]}
              for k in range(n_k)]
    return {
        "name": f"bench-{size}", "start": START.isoformat(), "horizon_days": n_t,
        "standards": [{"id": "soviet"}, {"id": "nato"}],
        "families": [{"id": f"f{f}", "standard": fam_std[f]} for f in range(n_f)],
        "items": [{"id": f"i{i}", "family": f"f{item_fam[i]}", "mass_kg": float(mass[i]),
                   "value_eur": float(rng.uniform(100, 5000))} for i in range(n_i)],
        "platforms": [{"id": f"p{f}", "standard": fam_std[f], "initial": int(initial[f]),
                       "uses": [{"family": f"f{f}", "rounds_per_day": float(rate[f])}]}
                      for f in range(n_f)],
        "donors": donors, "hub": {"throughput_t_per_day": 0.8 * tons_per_day},
        "depots": depots}


def with_network(data: dict[str, Any], seed: int) -> dict[str, Any]:
    """``data`` on a network of `HUBS` entry hubs, each with a third of the hub's throughput:
    every donor has a supply route to one hub (its lead time and transport cost) and a third of
    the donors a second, slower and cheaper one to another hub; every hub has a route to every
    depot (transit 0-3 days, 5-50 EUR/t), the routes from the last hub with a capacity of a
    fifth of the daily need's tons; the first depot feeds the second (1 day, 10 EUR/t)."""
    rng = np.random.default_rng(seed + 1)
    out = {**data, "donors": [dict(d) for d in data["donors"]],
           "depots": [dict(k) for k in data["depots"]]}
    hub = out.pop("hub")
    hubs = [{"id": f"h{n}", "throughput_t_per_day": hub["throughput_t_per_day"] / HUBS}
            for n in range(HUBS)]
    routes: list[dict[str, Any]] = []
    for n_d, donor in enumerate(out["donors"]):
        lead, cost = donor.pop("lead_days"), donor.pop("transport_eur_per_t")
        first = n_d % HUBS
        routes.append({"id": f"{donor['id']}-h{first}", "origin": donor["id"],
                       "destination": f"h{first}", "transit_days": lead, "cost_eur_per_t": cost})
        if n_d % 3 == 0:
            other = (first + 1) % HUBS
            routes.append({"id": f"{donor['id']}-h{other}", "origin": donor["id"],
                           "destination": f"h{other}", "transit_days": lead + 2,
                           "cost_eur_per_t": 0.7 * cost})
    tons = hub["throughput_t_per_day"] / 0.8 / 5  # a fifth of the need's tons a day
    for depot in out["depots"]:
        depot.pop("transit_days"), depot.pop("transport_eur_per_t")
        for n in range(HUBS):
            route = {"id": f"h{n}-{depot['id']}", "origin": f"h{n}", "destination": depot["id"],
                     "transit_days": int(rng.integers(0, 4)),
                     "cost_eur_per_t": float(rng.uniform(5, 50))}
            if n == HUBS - 1:
                route["capacity_t_per_day"] = tons
            routes.append(route)
    routes.append({"id": "k0-k1", "origin": "k0", "destination": "k1", "transit_days": 1,
                   "cost_eur_per_t": 10.0})
    out["network"] = {"hubs": hubs, "routes": routes}
    return out


def problem(size: str, seed: int = 0) -> Problem:
    """The compiled benchmark instance."""
    return compile_problem(Scenario.model_validate(scenario_data(size, seed)))


@dataclass(frozen=True)
class NaiveSets:
    """Index sets and data of the naive model (every variable on every day it may exist).

    x[d,i,t] and g[d,i,t]: x on tranche days on/after release while arriving in the horizon;
    g (donor inventory) on every day. h[i,t], s, c [i,k,t], u[f,k,t] on every entry;
    z[i,k,t] while it arrives within the horizon; up/dn[d,t] on each tranche day after the
    donor's first.
    """

    x: NDArray[np.bool_]
    z: NDArray[np.bool_]
    """[i, a, t] moves on route a (one hub: a is depot k)."""
    pairs: NDArray[np.bool_]
    every: NDArray[np.int64]
    retention: NDArray[np.float64]
    xb: NDArray[np.bool_]
    """[b, i, t] dispatch on supply route b, for donors with several routes only (`split`)."""
    split: NDArray[np.bool_]
    """[d] donors with several supply routes."""
    hub_retention: NDArray[np.float64]
    """[n] share of a hub's stock kept a day."""


def naive_sets(p: Problem) -> NaiveSets:
    """The naive model's masks for ``p`` (no pledges in the benchmark instance). On a network,
    x exists on days some route of the donor is open and arrives in the horizon; a donor with
    several routes splits x over xb[b,i,t]; z[i,a,t] exists on open days while it arrives."""
    t = np.arange(p.n_days)
    split = np.bincount(p.supply_donor, minlength=len(p.donors)) > 1
    open_any = np.zeros((len(p.donors), p.n_days), dtype=bool)
    np.logical_or.at(open_any, p.supply_donor, p.supply_open)
    x = (p.tranche_day[:, None, :] & (t >= p.release_day[:, :, None])
         & ((t[None, :] + p.lead_days[:, None]) < p.n_days)[:, None, :] & open_any[:, None, :])
    z = np.broadcast_to(((t[None, :] + p.route_transit_days[:, None]) < p.n_days)
                        & p.route_open, (len(p.items), len(p.route_ids), p.n_days))
    xb = x[p.supply_donor] & p.supply_open[:, None, :] & split[p.supply_donor][:, None, None]
    first = np.argmax(p.tranche_day, axis=1)
    pairs = p.tranche_day & (t[None, :] > first[:, None])
    every = np.array([np.diff(np.nonzero(row)[0])[0] if row.sum() > 1 else p.n_days
                      for row in p.tranche_day], dtype=np.int64)
    return NaiveSets(x, z, pairs, every, 1.0 - p.strike_prob * p.loss_fraction, xb, split,
                     1.0 - p.hub_strike_prob * p.hub_loss_fraction)
