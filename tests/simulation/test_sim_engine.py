"""Hand-checked cases of single mechanisms: spare parts worn by rounds fired, platforms idle
when out of ammunition, hub throughput and depot capacity caps, lead times."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from resupply.compile import Problem, compile_problem
from resupply.domain.schema import Scenario
from resupply.simulation import DemandModel, LumpPolicy, SimOptions, simulate

FIXED = {"demand": DemandModel("fixed"), "strikes": False, "delays": False, "surges": False}


def gun_with_barrels(rounds: float, barrels: float, *, donor_rounds: float = 0.0,
                     lead: int = 0, throughput: float = 1e6, capacity: float = 1e9) -> Problem:
    """One gun firing 100 rounds a day and wearing 0.01 barrel per round; ``rounds`` and
    ``barrels`` in the depot at the start; a donor holding ``donor_rounds``."""
    data: dict[str, Any] = {
        "name": "gun", "start": "2024-01-01", "horizon_days": 10,
        "standards": [{"id": "s"}],
        "families": [{"id": "ammo", "standard": "s"},
                     {"id": "barrel", "standard": "s", "kind": "spare_part"}],
        "items": [{"id": "round", "family": "ammo", "mass_kg": 100.0},
                  {"id": "tube", "family": "barrel", "mass_kg": 1000.0}],
        "platforms": [{"id": "gun", "standard": "s", "initial": 1,
                       "uses": [{"family": "ammo", "rounds_per_day": 100.0}],
                       "wear": [{"family": "barrel", "per_round": 0.01}]}],
        "donors": [{"id": "d", "stock": [{"item": "round", "quantity": donor_rounds}],
                    "lead_days": lead}],
        "hub": {"throughput_t_per_day": throughput},
        "depots": [{"id": "k", "capacity_t": capacity, "demand_share": 1.0,
                    "initial_stock": [{"item": "round", "quantity": rounds},
                                      {"item": "tube", "quantity": barrels}]}],
    }
    return compile_problem(Scenario.model_validate(data))


def test_spare_parts_are_worn_by_rounds_fired() -> None:
    p = gun_with_barrels(rounds=2000.0, barrels=50.0)
    tot = simulate(p, LumpPolicy(), SimOptions(runs=2, **FIXED)).totals
    np.testing.assert_allclose(tot.consumed[0, 0], [1000.0, 10.0])  # 10 days x (100, 1)


def test_a_gun_out_of_ammunition_idles_and_wears_nothing() -> None:
    p = gun_with_barrels(rounds=250.0, barrels=50.0)
    tot = simulate(p, LumpPolicy(), SimOptions(runs=2, **FIXED)).totals
    np.testing.assert_allclose(tot.consumed[0, 0], [250.0, 2.5])
    assert tot.family_short_days[0].tolist() == [8.0, 0.0]
    assert tot.dry_day[0].tolist() == [2, -1]  # 100 + 100 + 50 of 100: dry on day 2


def test_lead_time_and_hub_throughput() -> None:
    """1000 rounds sent on day 0 arrive on day 3; 2 t/day of 100 kg rounds = 20 rounds/day
    leave the hub, so 7 days x 20 = 140 rounds reach the depot by the end."""
    p = gun_with_barrels(rounds=0.0, barrels=0.0, donor_rounds=1000.0, lead=3, throughput=2.0)
    tot = simulate(p, LumpPolicy(), SimOptions(runs=1, **FIXED)).totals
    assert tot.arrivals[0, 0, 0] == 140.0
    assert tot.consumed[0, 0, 0] == 140.0


def test_depot_capacity_holds_the_rest_at_the_hub() -> None:
    """Capacity 10 t holds 100 rounds of 100 kg at the end of a day (as in the planner); the
    gun fires 100 a day, never short, and what the depot cannot hold goes back to the hub:
    100 on hand every evening, the rest of the 5,000 at the hub."""
    p = gun_with_barrels(rounds=0.0, barrels=0.0, donor_rounds=5000.0, capacity=10.0)
    result = simulate(p, LumpPolicy(), SimOptions(runs=1, record_stock=True, **FIXED))
    np.testing.assert_allclose(result.stock[0, 0, 0], 100.0, rtol=1e-12)
    assert result.totals.consumed[0, 0, 0] == pytest.approx(1000.0, rel=1e-12)
    assert result.totals.met[0, 0, 0] == pytest.approx(result.totals.demand[0, 0, 0])


def test_metrics_of_a_hand_case() -> None:
    """250 rounds against 100 a day for 10 days: fill 0.25, 750 short, 8 stockout days, dry
    on day 2 (2024-01-03) in every run; barrels: 2.5 worn of 10 needed, never short."""
    from resupply.simulation.metrics import bands, summarize

    p = gun_with_barrels(rounds=250.0, barrels=50.0)
    result = simulate(p, LumpPolicy(), SimOptions(runs=3, **FIXED))
    m = summarize(result)
    ammo = m["families"]["ammo"]
    assert ammo["fill_rate"]["mean"] == 0.25 and ammo["short"]["p95"] == 750.0
    assert ammo["stockout_prob"] == 1.0 and ammo["stockout_days"]["p50"] == 8.0
    assert ammo["runs_dry"] == {"probability": 1.0, "p5": "2024-01-03", "p50": "2024-01-03",
                                "p95": "2024-01-03"}
    assert m["families"]["barrel"]["runs_dry"]["probability"] == 0.0
    assert m["families"]["barrel"]["runs_dry"]["p50"] is None
    assert m["overall"]["stockout_days"]["mean"] == 8.0
    frame = bands(result)
    day0 = frame[(frame.day == 0) & (frame.family == "ammo")].iloc[0]
    assert day0.stock_mean == 150.0 and day0.dos_p50 == 1.5  # 150 left / 100 a day
