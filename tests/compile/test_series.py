"""Derived series checked by hand: training queue, attrition, ramps, steps, cadence, need."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from resupply.compile.series import (
    family_need,
    fleet_in_service,
    ramp_series,
    step_series,
    tranche_calendar,
)


def test_training_capacity_queues_deliveries() -> None:
    # 6 platforms delivered on day 4; 1 crew a day starts; training 3 days -> days 7..12.
    delivered = np.zeros((1, 15))
    delivered[0, 4] = 6
    n = fleet_in_service(np.array([0.0]), delivered, np.array([3]), np.array([1.0]),
                         np.array([0.0]))
    assert_allclose(n[0], [0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 6, 6])


def test_unlimited_training_and_attrition() -> None:
    delivered = np.zeros((1, 4))
    delivered[0, 1] = 10
    n = fleet_in_service(np.array([100.0]), delivered, np.array([0]), np.array([np.inf]),
                         np.array([0.1]))
    # day0: 90; day1: 81 + 10; day2: 81.9; day3: 73.71
    assert_allclose(n[0], [90, 91, 81.9, 73.71])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=5, max_size=40), st.integers(0, 10),
       st.floats(0.5, 10))
def test_fleet_never_exceeds_deliveries_and_is_monotone(counts: list[int], lag: int,
                                                        rate: float) -> None:
    delivered = np.array([counts], dtype=float)
    n = fleet_in_service(np.array([0.0]), delivered, np.array([lag]), np.array([rate]),
                         np.array([0.0]))
    assert np.all(np.diff(n[0]) >= -1e-12)
    assert np.all(n[0] <= np.cumsum(counts) + 1e-9)
    assert np.all(np.diff(np.concatenate([[0], n[0]])) <= rate + 1e-9)


def test_ramp_is_zero_before_linear_between_flat_after() -> None:
    series = ramp_series(np.array([2, 6]), np.array([100.0, 300.0]), 9)
    assert_allclose(series, [0, 0, 100, 150, 200, 250, 300, 300, 300])


def test_ramp_that_started_before_the_horizon() -> None:
    series = ramp_series(np.array([-10, 10]), np.array([0.0, 100.0]), 3)
    assert_allclose(series, [50, 55, 60])


def test_step_series_holds_each_level_until_the_next() -> None:
    series = step_series(np.array([3, 1]), np.array([2.0, 1.5]), 5, 1.0)
    assert_allclose(series, [1.0, 1.5, 1.5, 2.0, 2.0])


def test_tranche_calendar() -> None:
    cal = tranche_calendar(np.array([1, 3]), np.array([0, 2]), 8)
    assert cal[0].all()
    assert np.flatnonzero(cal[1]).tolist() == [2, 5]


def test_need_adds_rounds_and_worn_parts() -> None:
    fires = np.array([[40.0, 0.0]])  # one platform firing family 0
    wear = np.array([[0.0, 0.001]])  # wearing family 1 per round
    n = np.array([[10.0, 20.0]])
    need = family_need(n, fires, wear, np.array([1.0, 0.5]))
    assert_allclose(need, [[400, 400], [0.4, 0.4]])
