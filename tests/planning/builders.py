"""Small scenarios built in code, for hand-solvable and known-answer planning tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from resupply.compile import Problem, compile_problem
from resupply.domain import Scenario

START = dt.date(2024, 1, 1)


def day(n: int) -> str:
    """The ISO date of day ``n`` of the horizon."""
    return (START + dt.timedelta(days=n)).isoformat()


def one_family(*, horizon: int, rate: float, initial_stock: float = 0.0, donors: Any = (),
               strike: tuple[float, float] = (0.0, 0.0), transit: int = 0,
               depot_transport: float = 0.0, penalty: float = 1000.0,
               smoothness: float = 0.0, items: Any = None,
               **extra: Any) -> dict[str, Any]:
    """One standard, one family, one platform firing ``rate`` a day, one depot.

    The item ``it`` weighs 1 t and is worth 100 EUR unless ``items`` says otherwise.
    """
    return {
        "name": "hand", "start": START.isoformat(), "horizon_days": horizon,
        "standards": [{"id": "std"}],
        "families": [{"id": "fam", "standard": "std", "shortfall_penalty_eur": penalty}],
        "items": items or [{"id": "it", "family": "fam", "mass_kg": 1000, "value_eur": 100}],
        "platforms": [{"id": "gun", "standard": "std", "initial": 1,
                       "uses": [{"family": "fam", "rounds_per_day": rate}]}],
        "donors": list(donors),
        "hub": {"throughput_t_per_day": 1e6},
        "depots": [{"id": "dep", "capacity_t": 1e6, "demand_share": 1.0,
                    "transit_days": transit, "strike_prob_per_day": strike[0],
                    "loss_fraction": strike[1], "transport_eur_per_t": depot_transport,
                    "initial_stock": ([{"item": "it", "quantity": initial_stock}]
                                      if initial_stock else [])}],
        "weights": {"smoothness": smoothness, "transport": 1.0, "strike_loss": 1.0},
        **extra,
    }


def problem_of(data: dict[str, Any]) -> Problem:
    """Validate and compile a scenario dict."""
    return compile_problem(Scenario.model_validate(data))


def many_donors(n_donors: int, n_items: int, n_depots: int, days: int, *,
                held: int = 3, seed: int = 0) -> dict[str, Any]:
    """A random scenario of the given size (each donor holds ``held`` items and produces
    some; depots with transit, strikes and tight capacity): large sizes solve for minutes
    (Ctrl-C tests) or do not fit in memory at all (model-size tests)."""
    rng = np.random.default_rng(seed)
    n_f = max(2, n_items // 5)
    items = [{"id": f"i{i}", "family": f"f{i % n_f}", "mass_kg": float(rng.uniform(5, 100)),
              "value_eur": float(rng.uniform(100, 5000))} for i in range(n_items)]
    donors = []
    for d in range(n_donors):
        own = rng.choice(n_items, size=min(held, n_items), replace=False)
        donors.append({
            "id": f"d{d}", "lead_days": int(rng.integers(1, 8)), "tranche_every_days": 1,
            "transport_eur_per_t": float(rng.uniform(10, 200)),
            "stock": [{"item": f"i{i}", "quantity": float(rng.uniform(100, 5000))}
                      for i in own],
            "production": [{"item": f"i{own[0]}", "rates": [
                {"date": day(int(rng.integers(0, days))), "per_day": float(rng.uniform(1, 50))}]}]})
    share = np.full(n_depots, 1.0 / n_depots)
    share[-1] = 1.0 - share[:-1].sum()
    depots = [{"id": f"k{k}", "capacity_t": float(rng.uniform(20, 200)),
               "transit_days": int(rng.integers(0, 4)),
               "strike_prob_per_day": float(rng.uniform(0, 0.05)),
               "loss_fraction": float(rng.uniform(0.2, 0.6)), "demand_share": float(share[k]),
               "transport_eur_per_t": float(rng.uniform(5, 50))} for k in range(n_depots)]
    return {
        "name": f"many-{n_donors}x{n_items}x{n_depots}x{days}", "start": START.isoformat(),
        "horizon_days": days, "standards": [{"id": "std"}],
        "families": [{"id": f"f{f}", "standard": "std"} for f in range(n_f)],
        "items": items,
        "platforms": [{"id": f"p{f}", "standard": "std", "initial": int(rng.integers(5, 50)),
                       "uses": [{"family": f"f{f}", "rounds_per_day": float(rng.uniform(5, 50))}]}
                      for f in range(n_f)],
        "donors": donors, "hub": {"throughput_t_per_day": 200.0}, "depots": depots}
