"""With strikes off and demand fixed, following a plan reproduces its expected stock exactly;
with strikes on, the mean stock follows the expected decay within the confidence interval."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from resupply.compile import Problem, compile_problem
from resupply.domain.schema import StockLine
from resupply.simulation import DemandModel, PlanInput, PlanPolicy, SimOptions, simulate

DETERMINISTIC = {"demand": DemandModel("fixed"), "delays": False, "surges": False}


def reference_family_stock(p: Problem, plan: PlanInput) -> np.ndarray:
    """[f, k, t] family stock at depots by a plain loop: arrivals z[t - transit], then
    consumption min(need, stock). Valid when the plan never meets a hub or capacity limit."""
    n_f, n_k = len(p.families), len(p.depots)
    stock = [[sum(p.initial_stock[i, k] for i in range(len(p.items))
                  if p.item_family[i] == f) for k in range(n_k)] for f in range(n_f)]
    out = np.zeros((n_f, n_k, p.n_days))
    for t in range(p.n_days):
        for f in range(n_f):
            for k in range(n_k):
                sent = t - int(p.transit_days[k])
                if sent >= 0:
                    stock[f][k] += sum(plan.moves[i, k, sent] for i in range(len(p.items))
                                       if p.item_family[i] == f)
                stock[f][k] -= min(p.need[f, k, t], stock[f][k])
                out[f, k, t] = stock[f][k]
    return out


def family_stock(p: Problem, stock_ikt: np.ndarray) -> np.ndarray:
    return np.einsum("...ikt,if->...fkt", stock_ikt, np.eye(len(p.families))[p.item_family])


def test_hand_plan_is_reproduced_exactly(make_tiny_variant: Any, make_hand_plan: Any) -> None:
    p = compile_problem(make_tiny_variant(strikes=False))
    plan = make_hand_plan(p)
    options = SimOptions(runs=4, seed=3, strikes=False, record_stock=True, **DETERMINISTIC)
    result = simulate(p, PlanPolicy(plan), options)
    expected = reference_family_stock(p, plan)
    simulated = family_stock(p, result.stock)
    np.testing.assert_allclose(simulated, np.broadcast_to(expected, simulated.shape),
                               rtol=1e-12, atol=1e-9)


def expected_decay(p: Problem, plan: PlanInput) -> np.ndarray:
    """[f, k, t] mean family stock under random strikes when no run ever runs short:
    ``E s[t] = r E s[t-1] + arrivals[t] - need[t]`` with ``r = 1 - strike_prob loss``."""
    onehot = np.eye(len(p.families))[p.item_family]
    s = np.einsum("ik,if->fk", p.initial_stock, onehot)
    keep = 1.0 - p.strike_prob * p.loss_fraction
    out = np.zeros((len(p.families), len(p.depots), p.n_days))
    for t in range(p.n_days):
        arrivals = np.zeros_like(s)
        for k in range(len(p.depots)):
            sent = t - int(p.transit_days[k])
            if sent >= 0:
                arrivals[:, k] = plan.moves[:, k, sent] @ onehot
        s = keep[None, :] * s + arrivals - p.need[:, :, t]
        out[:, :, t] = s
    return out


def test_strikes_decay_the_mean_stock_as_expected(make_tiny_variant: Any,
                                                  make_hand_plan: Any) -> None:
    scenario = make_tiny_variant(
        strike_prob_per_day=0.05, loss_fraction=0.2, capacity_t=1e6,
        initial_stock=[StockLine(item="of540", quantity=20000),
                       StockLine(item="m795", quantity=5000)])
    p = compile_problem(scenario)
    plan = make_hand_plan(p)
    runs = 1000
    options = SimOptions(runs=runs, seed=11, record_stock=True, **DETERMINISTIC)
    result = simulate(p, PlanPolicy(plan), options)
    assert result.totals.any_short_days.max() == 0, "the check needs runs that never run short"
    simulated = family_stock(p, result.stock)  # [r, f, k, t]
    expected = expected_decay(p, plan)
    total = simulated.sum(axis=(1, 2))  # [r, t]
    se = total.std(axis=0, ddof=1) / np.sqrt(runs)
    assert abs(total.mean(axis=0) - expected.sum(axis=(0, 1)))[-1] <= 1.96 * se[-1]
    whole = total.mean(axis=1)
    assert abs(whole.mean() - expected.sum(axis=(0, 1)).mean()) <= 1.96 * whole.std(
        ddof=1) / np.sqrt(runs)
    per_cell = simulated[:, :, :, -1]
    cell_se = per_cell.std(axis=0, ddof=1) / np.sqrt(runs)
    assert np.all(abs(per_cell.mean(axis=0) - expected[:, :, -1]) <= 2.58 * cell_se + 1e-9)


def test_strikes_lose_stock_on_average(make_tiny_variant: Any, make_hand_plan: Any) -> None:
    p = compile_problem(make_tiny_variant(strike_prob_per_day=0.2, loss_fraction=0.5))
    result = simulate(p, PlanPolicy(make_hand_plan(p)), SimOptions(runs=200, seed=1))
    lost = result.totals.lost_units.sum(axis=(1, 2))
    assert lost.mean() > 0
    mass = result.totals.lost_tons.sum(axis=(1, 2))
    assert mass.mean() == pytest.approx(lost.mean() * 0.05)  # every tiny item weighs 50 kg
