"""Policy constants hoisted out of the day loop (`resupply.simulation.constants`): the same
numbers bit for bit as computing them every day, as the policies did before."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pytest

from resupply import compile_problem, load_scenario
from resupply.compile import Problem
from resupply.simulation import SimOptions, constants, min_max, policies, simulate
from resupply.simulation.constants import greedy_order
from resupply.simulation.policies import supply_lead, window_need, window_table
from resupply.simulation.specs import parse_policy
from resupply.simulation.state import PER_RUN


@pytest.fixture(scope="module")
def uk_problem() -> Problem:
    return compile_problem(load_scenario("ukraine-2022"))


def test_window_table_is_window_need_of_each_day(tiny: Problem,
                                                 uk_problem: Problem) -> None:
    for p in (tiny, uk_problem):
        for extra in (0.0, 2.5, 10.0, 400.0):
            days = supply_lead(p) + extra
            table = window_table(p, days)
            for t in range(p.n_days):
                assert np.array_equal(table[t], window_need(p, t, days))
            assert window_table(p, days) is table  # built once


def _old_greedy_order(p: Problem) -> tuple[np.ndarray, ...]:
    """The order as `greedy_dispatch` computed it on every call before."""
    lead = (p.lead_days + p.delay_mean)[:, None] * np.ones(len(p.items))[None, :]
    d_idx, i_idx = np.indices(lead.shape)
    fam = p.item_family[i_idx]
    keys = np.lexsort((i_idx.ravel(), d_idx.ravel(), lead.ravel(), fam.ravel()))
    d_p, i_p, f_p = d_idx.ravel()[keys], i_idx.ravel()[keys], fam.ravel()[keys]
    return d_p, i_p, f_p, np.searchsorted(f_p, f_p)


def test_greedy_order_is_the_old_one(tiny: Problem, uk_problem: Problem) -> None:
    for p in (tiny, uk_problem):
        for new, old in zip(greedy_order(p), _old_greedy_order(p), strict=True):
            assert np.array_equal(new, old)


def _uncached(problem: Problem, key: Hashable, build: Callable[[], Any]) -> Any:
    return build()


class _EveryDay:
    """`window_table` as the policies computed it before: `window_need` on the day asked."""

    def __init__(self, problem: Problem, days: np.ndarray) -> None:
        self.problem, self.days = problem, days

    def __getitem__(self, t: int) -> np.ndarray:
        return window_need(self.problem, t, self.days)


@pytest.mark.parametrize("spec", ["cadence:7", "order-up-to:10d", "sS:3d:12d"])
def test_simulation_same_with_and_without_the_cache(spec: str, uk_problem: Problem,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    options = SimOptions(runs=12, seed=3, block_runs=4, chunk_runs=8)
    cached = simulate(uk_problem, parse_policy(spec), options).totals
    monkeypatch.setattr(constants, "per_problem", _uncached)
    monkeypatch.setattr(policies, "per_problem", _uncached)
    monkeypatch.setattr(policies, "window_table", _EveryDay)
    monkeypatch.setattr(min_max, "window_table", _EveryDay)
    fresh = simulate(uk_problem, parse_policy(spec), options).totals
    for name in PER_RUN:
        assert np.array_equal(getattr(cached, name), getattr(fresh, name)), name
