"""Pledge rows against a plain loop: the same cumulative quantities and the same dispatch
columns in each row, for many pledges (duplicates, same days, days outside the horizon);
and the build holds no pledge x pledge array (issue 15: 40,000 pledges took 14 GB)."""

from __future__ import annotations

import dataclasses
import tracemalloc

import numpy as np
import pytest

from resupply.compile import Problem
from resupply.planning.constraints import PLEDGE, cumulative_pledged
from resupply.planning.model import build_model
from resupply.planning.options import PlanOptions
from resupply.planning.size import estimate_size


def with_pledges(p: Problem, n: int, seed: int) -> Problem:
    """``p`` with ``n`` random minimum/fixed pledges of donors' items, some due outside the
    horizon, many on the same donor, item and day."""
    rng = np.random.default_rng(seed)
    donor = rng.integers(0, len(p.donors), n)
    item = rng.integers(0, len(p.items), n)
    day = rng.integers(-3, p.n_days + 3, n)
    return dataclasses.replace(
        p, pledge_ids=np.array([f"q{k}" for k in range(n)], dtype=object),
        pledge_donor=donor.astype(np.int64), pledge_item=item.astype(np.int64),
        pledge_day=day.astype(np.int64), pledge_quantity=rng.integers(0, 5, n).astype(float),
        pledge_fixed=rng.random(n) < 0.3)


def loop_totals(p: Problem) -> list[float]:
    """Q[q] by the definition, one pledge at a time."""
    return [sum(float(p.pledge_quantity[r]) for r in range(len(p.pledge_day))
                if p.pledge_donor[r] == p.pledge_donor[q] and p.pledge_item[r] == p.pledge_item[q]
                and p.pledge_day[r] <= p.pledge_day[q]) for q in range(len(p.pledge_day))]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pledge_rows_match_a_plain_loop(tiny_problem: Problem, seed: int) -> None:
    p = with_pledges(tiny_problem, 300, seed)
    model = build_model(p, PlanOptions())
    family = model.families[PLEDGE.name]
    x = model.variables.x.index
    matrix = model.matrix.tocsr()
    totals = loop_totals(p)
    inside = [q for q in range(len(p.pledge_day)) if 0 <= p.pledge_day[q] < p.n_days]
    assert family.stop - family.start == len(inside)
    for q in inside:
        row = int(family.index[q])
        expected = {int(c) for c in x[p.pledge_donor[q], p.pledge_item[q], : p.pledge_day[q] + 1]
                    if c >= 0}
        got = matrix.indices[matrix.indptr[row]:matrix.indptr[row + 1]]
        assert set(got.tolist()) == expected and len(got) == len(expected)
        assert np.all(matrix.data[matrix.indptr[row]:matrix.indptr[row + 1]] == 1.0)
        assert model.row_lower[row] == pytest.approx(totals[q], abs=1e-9)
        upper = totals[q] if p.pledge_fixed[q] else np.inf
        assert model.row_upper[row] == pytest.approx(upper, abs=1e-9)
    assert np.all(family.index[[q for q in range(len(p.pledge_day)) if q not in inside]] == -1)


def test_cumulative_pledged_by_hand() -> None:
    pair = np.array([1, 0, 1, 1, 0, 1], dtype=np.int64)
    day = np.array([5, 2, 3, 5, 2, 9], dtype=np.int64)
    qty = np.array([10.0, 1.0, 100.0, 1000.0, 2.0, 5.0])
    # pair 1: day 3 -> 100; day 5 (two pledges) -> 1110 each; day 9 -> 1115; pair 0: 3, 3
    assert cumulative_pledged(pair, day, qty).tolist() == [1110.0, 3.0, 100.0, 1110.0, 3.0,
                                                           1115.0]
    assert cumulative_pledged(pair[:0], day[:0], qty[:0]).shape == (0,)


def test_many_pledges_build_without_a_quadratic_array(tiny_problem: Problem) -> None:
    """20,000 pledges: the largest array the build allocates stays far below one pledge x
    pledge array of floats (3.2 GB), and the estimate of the model's size is exact."""
    p = with_pledges(tiny_problem, 20_000, 7)
    tracemalloc.start()
    try:
        model = build_model(p, PlanOptions())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100e6  # bytes; 8 x 20,000**2 = 3.2e9 before
    size = estimate_size(p, PlanOptions())
    assert (size.rows, size.cols, size.nnz) == (model.n_rows, model.n_cols, model.nnz)
