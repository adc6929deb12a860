"""The simulator benchmark's scenario, built in code: 50 items in 10 families, 6 depots,
365 days, 5 donors with random delays, depot strikes, negative-binomial demand with surges.

Shared by `sim_bench.py` and the reference models in `sim_reference.py`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from resupply.compile import Problem, compile_problem
from resupply.domain.schema import Scenario
from resupply.simulation import PlanInput

N_FAMILIES = 10


def bench_scenario(n_items: int = 50, n_depots: int = 6, days: int = 365, *,
                   capacity_t: float = 1e6, pause_prob: float = 0.0,
                   slip_days: float = 0.0) -> Scenario:
    """A scenario of the benchmark's size (items spread evenly over 10 families); the
    keywords add what the benchmark leaves out (binding depot capacity [t], random donor
    pauses [1/day], release slips [days]) for the reference-model tests."""
    fams = [f"f{n}" for n in range(N_FAMILIES)]
    items = [{"id": f"i{n}", "family": fams[n % N_FAMILIES], "mass_kg": 20.0 + n,
              "value_eur": 500.0 + 10 * n} for n in range(n_items)]
    donors = [{"id": f"d{n}", "lead_days": 2 + 2 * n, "delay_days_mean": 1.0 + n % 3,
               "stock": [{"item": it["id"], "quantity": 5e6} for j, it in enumerate(items)
                         if j % 5 == n],
               **({"pause_prob_per_day": pause_prob, "resume_prob_per_day": 0.3}
                  if pause_prob > 0 else {}),
               **({"releases": [{"family": fams[n], "date": "2024-01-03",
                                 "slip_days_mean": slip_days}]} if slip_days > 0 else {})}
              for n in range(5)]
    data: dict[str, Any] = {
        "name": "bench", "start": "2024-01-01", "horizon_days": days,
        "standards": [{"id": "s0"}, {"id": "s1"}],
        "families": [{"id": f, "standard": f"s{n % 2}"} for n, f in enumerate(fams)],
        "items": items,
        "platforms": [{"id": f"p{n}", "standard": f"s{n % 2}", "initial": 20,
                       "uses": [{"family": f, "rounds_per_day": 30.0}]}
                      for n, f in enumerate(fams)],
        "donors": donors,
        "hub": {"throughput_t_per_day": 1e6},
        "depots": [{"id": f"k{n}", "capacity_t": capacity_t, "transit_days": 1 + n % 3,
                    "strike_prob_per_day": 0.01, "loss_fraction": 0.4,
                    "demand_share": 1.0 / n_depots,
                    "initial_stock": [{"item": it["id"], "quantity": 500.0} for it in items]}
                   for n in range(n_depots)],
        "uncertainty": {"demand_dispersion": 5.0, "surge_prob_per_day": 0.05},
    }
    return Scenario.model_validate(data)


def bench_problem(**sizes: Any) -> Problem:
    """The compiled benchmark scenario."""
    return compile_problem(bench_scenario(**sizes))


def weekly_plan(p: Problem) -> PlanInput:
    """Every 7 days each donor sends the next week's need of its items (split evenly over the
    items of a family), moved on to the depots by demand share on arrival."""
    n_d, n_i, n_k, n_t = len(p.donors), len(p.items), len(p.depots), p.n_days
    per_family = np.bincount(p.item_family, minlength=len(p.families))
    x = np.zeros((n_d, n_i, n_t))
    z = np.zeros((n_i, n_k, n_t))
    holder = np.argmax(p.donor_stock, axis=0)  # [i] the donor holding the item
    share = p.demand_share / p.demand_share.sum()
    for t in range(0, n_t, 7):
        week = p.need[:, :, t:t + 7].sum(axis=(1, 2))  # [f]
        for i in range(n_i):
            d = holder[i]
            qty = week[p.item_family[i]] / per_family[p.item_family[i]]
            x[d, i, t] += qty
            arrive = t + int(p.lead_days[d])
            if arrive < n_t:
                z[i, :, arrive] += qty * share
    return PlanInput(dispatch=x, moves=z)
