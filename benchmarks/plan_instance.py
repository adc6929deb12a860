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
START = dt.date(2024, 1, 1)


def _date(day: int) -> str:
    return (START + dt.timedelta(days=int(day))).isoformat()


def scenario_data(size: str, seed: int = 0) -> dict[str, Any]:
    """A random but reproducible scenario of the given size."""
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
    pairs: NDArray[np.bool_]
    every: NDArray[np.int64]
    retention: NDArray[np.float64]


def naive_sets(p: Problem) -> NaiveSets:
    """The naive model's masks for ``p`` (no pledges in the benchmark instance)."""
    t = np.arange(p.n_days)
    x = (p.tranche_day[:, None, :] & (t >= p.release_day[:, :, None])
         & ((t[None, :] + p.lead_days[:, None]) < p.n_days)[:, None, :])
    z = np.broadcast_to((t[None, :] + p.transit_days[:, None]) < p.n_days,
                        (len(p.items), len(p.depots), p.n_days))
    first = np.argmax(p.tranche_day, axis=1)
    pairs = p.tranche_day & (t[None, :] > first[:, None])
    every = np.array([np.diff(np.nonzero(row)[0])[0] if row.sum() > 1 else p.n_days
                      for row in p.tranche_day], dtype=np.int64)
    return NaiveSets(x, z, pairs, every, 1.0 - p.strike_prob * p.loss_fraction)
