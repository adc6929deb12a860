"""Multi-resolution time: step lengths, and totals kept when days merge into steps."""

from __future__ import annotations

import numpy as np
import pytest

from resupply.compile import Problem
from resupply.compile.coarsen import coarsen, step_lengths
from resupply.errors import PlanningError


def test_steps_are_days_then_weeks_with_a_short_last_one() -> None:
    assert step_lengths(10, 3, 4).tolist() == [1, 1, 1, 4, 3]
    assert step_lengths(5, 9, 7).tolist() == [1] * 5
    with pytest.raises(PlanningError):
        step_lengths(5, 0, 7)


def test_coarsening_keeps_totals_and_maps_days_to_steps(tiny_problem: Problem) -> None:
    p = tiny_problem
    c = coarsen(p, 10, 7)
    assert c.step_days.tolist() == [1] * 10 + [7, 7, 6]
    assert c.step_start.tolist() == [*range(10), 10, 17, 24]
    assert c.dates[10] == p.dates[10] and c.n_days == 13
    for name in ("need", "donor_production", "delivered", "hub_throughput_t"):
        assert getattr(c, name).sum() == pytest.approx(getattr(p, name).sum()), name
    assert c.in_service[:, 12] == pytest.approx(p.in_service[:, 24:].mean(axis=1))
    assert c.tranche_day[0].tolist() == [*p.tranche_day[0, :10].tolist(), True, True, True]
    west = p.donors.index("west")
    assert c.pledge_day.tolist() == [10]  # day 14 lies in step 10, days 10-16
    assert c.release_day[west].max() == 2
    assert c.step_of_day(np.array([0, 9, 10, 16, 17, 29, 30])).tolist() == [0, 9, 10, 10, 11,
                                                                          12, -1]
    assert coarsen(p, 30) is p
    with pytest.raises(PlanningError):
        coarsen(c, 5)
