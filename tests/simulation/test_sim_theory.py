"""Against inventory theory: the order-up-to policy with backorders matches closed forms.

Each run is one batch: its mean over the days after the warm-up is one observation, runs are
independent, so the batch means give a 95% confidence interval for the steady-state mean. The
closed forms (`resupply.simulation.theory`) must lie within it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from resupply.simulation import DemandModel, OrderUpToPolicy, SimOptions, simulate
from resupply.simulation.theory import (
    BaseStockFigures,
    base_stock_normal,
    base_stock_poisson,
    normal_loss,
    optimal_level_normal,
)

RUNS, DAYS, WARMUP = 400, 160, 10
Z95 = 1.96


def batch_means(problem: Any, level: float, demand: DemandModel) -> dict[str, np.ndarray]:
    """Per-run steady-state means of on hand, backorders, fill rate and cost."""
    options = SimOptions(runs=RUNS, seed=2024, demand=demand, backorders=True,
                         warmup_days=WARMUP, strikes=False, delays=False, surges=False)
    tot = simulate(problem, OrderUpToPolicy(level=level), options).totals
    days = tot.counted_days
    on_hand = tot.onhand_days.sum(axis=(1, 2)) / days
    backorders = tot.backorder_days.sum(axis=(1, 2)) / days
    return {"on_hand": on_hand, "backorders": backorders,
            "fill_rate": tot.met.sum(axis=(1, 2)) / tot.demand.sum(axis=(1, 2)),
            "cost": problem.holding_cost * on_hand + problem.backorder_cost * backorders}


def assert_within_ci(batches: dict[str, np.ndarray], theory: BaseStockFigures) -> None:
    for name, values in batches.items():
        half = Z95 * values.std(ddof=1) / np.sqrt(len(values))
        expected = getattr(theory, name)
        assert abs(values.mean() - expected) <= half, (
            f"{name}: simulated {values.mean():.4f} +- {half:.4f}, theory {expected:.4f}")


@pytest.mark.parametrize(("lead", "level"), [(0, 110.0), (2, 330.0)])
def test_normal_demand_matches_the_normal_loss_function(make_textbook: Any, lead: int,
                                                        level: float) -> None:
    problem = make_textbook(100.0, lead, level, DAYS)
    batches = batch_means(problem, level, DemandModel("normal", cv=0.2))
    assert_within_ci(batches, base_stock_normal(100.0, 20.0, lead, level, h=1.0, p=9.0))


@pytest.mark.parametrize(("lead", "level"), [(0, 22.0), (1, 45.0)])
def test_poisson_demand_matches_the_poisson_loss_function(make_textbook: Any, lead: int,
                                                          level: float) -> None:
    problem = make_textbook(20.0, lead, level, DAYS)
    batches = batch_means(problem, level, DemandModel("poisson"))
    assert_within_ci(batches, base_stock_poisson(20.0, lead, level, h=1.0, p=9.0))


def test_normal_loss_function_known_values() -> None:
    # G(0) = phi(0) = 0.398942; G(1.2816) = 0.04735 (tables, e.g. Snyder & Shen, App. C)
    assert normal_loss(0.0) == pytest.approx(0.3989423, abs=1e-6)
    assert normal_loss(1.2816) == pytest.approx(0.04735, abs=1e-4)


def test_closed_forms_against_direct_sampling() -> None:
    """An independent check of the formulas: sample D_{L+1} directly."""
    rng = np.random.default_rng(7)
    d = rng.normal(300.0, 20.0 * np.sqrt(3), 2_000_000)
    theory = base_stock_normal(100.0, 20.0, 2, 330.0, h=1.0, p=9.0)
    assert np.maximum(d - 330.0, 0).mean() == pytest.approx(theory.backorders, rel=5e-3)
    assert np.maximum(330.0 - d, 0).mean() == pytest.approx(theory.on_hand, rel=5e-3)
    x = rng.poisson(40.0, 2_000_000)
    poisson = base_stock_poisson(20.0, 1, 45.0, h=1.0, p=9.0)
    assert np.maximum(x - 45.0, 0).mean() == pytest.approx(poisson.backorders, rel=5e-3)


def test_newsvendor_level_minimises_cost() -> None:
    best = optimal_level_normal(100.0, 20.0, 2, h=1.0, p=9.0)
    cost = [base_stock_normal(100.0, 20.0, 2, best + dx, h=1.0, p=9.0).cost for dx in (-5, 0, 5)]
    assert cost[1] < cost[0] and cost[1] < cost[2]
