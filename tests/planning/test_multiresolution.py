"""Plans on a multi-resolution time axis, solved by hand."""

from __future__ import annotations

import numpy as np
import pytest

from resupply.compile import Problem
from resupply.errors import PlanningError
from resupply.planning import Actuals, Status, plan

from .builders import one_family, problem_of


def test_strike_decay_over_a_two_day_step() -> None:
    """100 in a depot, r = 0.95, need 10 a day, steps [day 0], [days 1-2]. Step 0 as daily:
    loses 5, fires 10, holds 85. Step 1 carries 85 x 0.95^2 = 76.7125 (loses 8.2875) and
    fires 20: holds 56.7125 (the daily model holds 57.2125: the step fires after its losses).
    Objective (100 EUR/unit): (5 + 8.2875) x 100 = 1,328.75 EUR."""
    p = problem_of(one_family(horizon=3, rate=10, initial_stock=100, strike=(0.1, 0.5)))
    result = plan(p, daily_days=1, step_days=2)
    assert result.status is Status.OPTIMAL
    np.testing.assert_allclose(result.depot_stock[0, 0], [85, 56.7125], rtol=1e-9)
    np.testing.assert_allclose(result.expected_loss[0, 0], [5, 8.2875], rtol=1e-9)
    assert result.objective == pytest.approx(1328.75, rel=1e-9)


def test_lead_time_into_a_weekly_step_matches_the_daily_plan() -> None:
    """100 at a donor with lead 2 days (1 EUR/t, items of 1 t), need 10 a day for 10 days,
    no stock, steps [0], [1], [2], [3-9]. Days 0 and 1 are short whatever is done (20 units:
    20,000 EUR plus 10 x 1000 x 0.001 x (9 + 8) / 9 for being short early); a dispatch of
    day 0 lands on day 2, those of days 1-3 in the weekly step; 80 units shipped: 80 EUR.
    The coarse plan finds the daily optimum."""
    donor = {"id": "don", "stock": [{"item": "it", "quantity": 100}], "lead_days": 2,
             "transport_eur_per_t": 1.0}
    p = problem_of(one_family(horizon=10, rate=10, donors=[donor]))
    expected = 20_000 + 170 / 9 + 80
    daily = plan(p)
    coarse = plan(p, daily_days=3)
    assert daily.objective == pytest.approx(expected, rel=1e-9)
    assert coarse.objective == pytest.approx(expected, rel=1e-9)
    assert coarse.problem.step_days.tolist() == [1, 1, 1, 7]
    np.testing.assert_allclose(coarse.shortfall[0, 0], [10, 10, 0, 0], atol=1e-9)
    assert coarse.tranches["day"].tolist() == sorted(coarse.tranches["day"].tolist())
    assert set(coarse.tranches["day"]) <= {0, 1, 2, 3}


def test_a_rolling_replan_needs_the_daily_model(tiny_problem: Problem) -> None:
    shape = tiny_problem.donor_production.shape
    actuals = Actuals(from_day=3, depot_stock=tiny_problem.initial_stock,
                      dispatched=np.zeros(shape),
                      moves=np.zeros((len(tiny_problem.items), len(tiny_problem.depots), 30)))
    with pytest.raises(PlanningError, match="daily model"):
        plan(tiny_problem, actuals=actuals, daily_days=7)
