"""Buffers in the LP: soft minimum stock that never takes supply from the need.

With the buffers' shortfall bound (each shortfall at most the plan's without buffers), a
buffered plan is short exactly where and as much as the plan without buffers, on every random
scenario of the property tests, whatever the buffer levels; and where supply allows, it holds
the buffer every day.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from resupply.compile import Problem
from resupply.planning import Buffers, PlanResult, plan

from .builders import day, problem_of
from .test_properties import scenarios


def buffers_for(p: Problem, base: PlanResult, level: np.ndarray) -> Buffers:
    """Buffers of ``level`` [f, k, t] wherever there is need, capped by ``base``'s
    shortfall, at the family's shortfall penalty per unit and day / horizon."""
    mask = p.need > 0
    return Buffers(mask=mask, level=np.where(mask, level, 0.0),
                   penalty=p.shortfall_penalty / p.n_days,
                   shortfall_cap=np.array(base.shortfall))


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(costs=False), st.sampled_from([0.5, 2.0, 20.0]))
def test_buffers_never_take_supply_from_need(data: dict[str, Any], days: float) -> None:
    """Buffers of 0.5, 2 or 20 days of need: the shortfall is unchanged, cell by cell. (Without
    holding costs, purchase prices or dear routes: with them, a plan may leave need short
    rather than pay for supply, and the stock a buffer makes it hold then also meets that
    need, so the shortfall falls.)"""
    p = problem_of(data)
    base = plan(p, cost_of_fairness=False, explain=False)
    assume(base.ok)
    buffered = plan(p, cost_of_fairness=False, explain=False, warm_start=base,
                    buffers=buffers_for(p, base, days * p.need))
    assert buffered.ok
    np.testing.assert_allclose(buffered.shortfall, base.shortfall, atol=1e-6, rtol=1e-6)


def test_a_buffer_is_held_every_day_and_costs_its_expected_strike_loss() -> None:
    """One family, ample supply with lead 0, need 10 a day, strikes keep r = 0.98 of the
    stock a day, item worth 100 EUR. A buffer of 30 rounds from day 1 on is held at the end of
    every day, and the extra expected strike loss is the decay of 30 rounds carried into the
    next day: held at the end of days 1..29, carried from days 1..28 (the last day's stock is
    not carried past the horizon), 30 x 0.02 x 100 x 28 = 1,680 EUR."""
    data = {
        "name": "hand", "start": day(0), "horizon_days": 30, "standards": [{"id": "std"}],
        "families": [{"id": "fam", "standard": "std", "shortfall_penalty_eur": 10_000.0}],
        "items": [{"id": "it", "family": "fam", "mass_kg": 1000, "value_eur": 100}],
        "platforms": [{"id": "gun", "standard": "std", "initial": 1,
                       "uses": [{"family": "fam", "rounds_per_day": 10.0}]}],
        "donors": [{"id": "d", "lead_days": 0, "stock": [{"item": "it", "quantity": 1e6}]}],
        "hub": {"throughput_t_per_day": 1e6},
        "depots": [{"id": "dep", "capacity_t": 1e6, "demand_share": 1.0, "transit_days": 0,
                    "strike_prob_per_day": 0.04, "loss_fraction": 0.5}],
        "weights": {"smoothness": 0.0, "shortfall_timing": 0.0}}
    p = problem_of(data)
    base = plan(p, cost_of_fairness=False, explain=False)
    level = np.zeros_like(p.need)
    level[:, :, 1:] = 30.0
    buffered = plan(p, cost_of_fairness=False, explain=False, warm_start=base,
                    buffers=buffers_for(p, base, level))
    assert buffered.ok and base.shortfall.sum() < 1e-9
    stock = buffered.depot_stock[0, 0]
    np.testing.assert_allclose(stock[1:], 30.0, atol=1e-7)
    extra = buffered.terms["strike_loss"] - base.terms["strike_loss"]
    assert extra == pytest.approx(30 * 0.02 * 100 * 28, rel=1e-9)
    assert buffered.terms["buffer"] == pytest.approx(0.0, abs=1e-9)
