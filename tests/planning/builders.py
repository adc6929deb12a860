"""Small scenarios built in code, for hand-solvable and known-answer planning tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
