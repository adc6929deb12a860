"""Hypothesis invariants: stock never negative, every unit accounted for, results independent
of chunking and workers, and reproducible from the seed."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from resupply.compile import Problem
from resupply.simulation import SimOptions, SimResult, simulate
from resupply.simulation.specs import parse_policy
from resupply.simulation.state import PER_RUN

SPECS = ["lump", "cadence:7", "cadence:3:2", "order-up-to", "order-up-to:800", "plan"]
SETTINGS = settings(max_examples=20, deadline=None)


def run(problem: Problem, plan: Any, spec: str, **options: Any) -> SimResult:
    return simulate(problem, parse_policy(spec, plan=plan), SimOptions(**options))


def assert_same(a: SimResult, b: SimResult) -> None:
    for name in PER_RUN:
        np.testing.assert_allclose(getattr(a.totals, name), getattr(b.totals, name),
                                   rtol=1e-12, atol=1e-9, err_msg=name)
    np.testing.assert_array_equal(a.totals.any_short_days, b.totals.any_short_days)
    np.testing.assert_array_equal(a.totals.dos_hist, b.totals.dos_hist)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), spec=st.sampled_from(SPECS),
       runs=st.integers(1, 9), backorders=st.booleans())
def test_stock_never_negative_and_every_unit_accounted_for(
        tiny: Problem, make_hand_plan: Any, *, seed: int, spec: str, runs: int,
        backorders: bool) -> None:
    result = run(tiny, make_hand_plan(tiny), spec, runs=runs, seed=seed, block_runs=2,
                 chunk_runs=4, backorders=backorders, record_stock=True)
    assert result.stock.min() >= 0.0
    t = result.totals
    inflow = t.start + t.arrivals
    outflow = t.end + t.consumed + t.lost_units + t.returned
    np.testing.assert_allclose(inflow, outflow, rtol=1e-9, atol=1e-6)
    assert np.all(t.met <= t.demand + 1e-9)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), spec=st.sampled_from(SPECS),
       runs=st.integers(1, 12), block=st.integers(1, 5), chunk_a=st.integers(1, 12),
       chunk_b=st.integers(1, 12))
def test_results_do_not_depend_on_chunking(tiny: Problem, make_hand_plan: Any, *, seed: int,
                                           spec: str, runs: int, block: int, chunk_a: int,
                                           chunk_b: int) -> None:
    plan = make_hand_plan(tiny)
    a = run(tiny, plan, spec, runs=runs, seed=seed, block_runs=block, chunk_runs=chunk_a)
    b = run(tiny, plan, spec, runs=runs, seed=seed, block_runs=block, chunk_runs=chunk_b)
    assert_same(a, b)


def test_workers_do_not_change_results(tiny: Problem, make_hand_plan: Any) -> None:
    plan = make_hand_plan(tiny)
    serial = run(tiny, plan, "cadence:7", runs=40, seed=5, block_runs=10, chunk_runs=10)
    parallel = run(tiny, plan, "cadence:7", runs=40, seed=5, block_runs=10, chunk_runs=10,
                   workers=2)
    assert_same(serial, parallel)


def test_same_seed_same_numbers_other_seed_other_numbers(tiny: Problem) -> None:
    a = run(tiny, None, "lump", runs=30, seed=1)
    b = run(tiny, None, "lump", runs=30, seed=1)
    c = run(tiny, None, "lump", runs=30, seed=2)
    assert_same(a, b)
    assert not np.array_equal(a.totals.demand, c.totals.demand)


def test_totals_fields_are_all_merged() -> None:
    from resupply.simulation.state import SUMMED, Totals

    names = {f.name for f in fields(Totals)}
    assert names == {*PER_RUN, *SUMMED, "counted_days", "stock_trace"}
