"""Strikes on the hub: the planner's hub decay is the simulator's expected hub loss.

A one-hub network version of tiny whose hub is struck (probability 0.05 a day, half the stock
lost), planned with a reserve of 300 rounds of 155 mm at the hub from day 10 (the
deterministic plan keeps nothing there: stock passes straight through). Replayed at the
expectation (`SimOptions.replay`), following the plan gives the plan's depot stock, and the
hub loses each day what the planner's decay takes from the hub stock it planned,
``(1 - rh) h[i, t-1]`` (computed here from the plan's hub stock, not from the simulator).
Drawn at random, the mean value lost at the hub matches that expectation within the Monte
Carlo interval, and every overall strike-loss figure counts the hub.
"""

from __future__ import annotations

import numpy as np

from resupply import planning
from resupply.compile import Problem, compile_problem
from resupply.domain import Scenario, load_scenario
from resupply.planning import PlanResult
from resupply.simulation import PlanPolicy, SimOptions, simulate
from resupply.simulation.frontier import PolicyPoint
from resupply.simulation.records import SimMetrics
from resupply.workflow.policies import plan_input

from .test_network import as_network

P, LF = 0.05, 0.5


def struck_tiny() -> Scenario:
    data = as_network(load_scenario("tiny").model_dump(mode="json", exclude_none=True))
    data["network"]["hubs"][0].update(strike_prob_per_day=P, loss_fraction=LF)
    return Scenario.model_validate(data)


def reserve_plan(p: Problem) -> PlanResult:
    """The plan holding 300 rounds of 155 mm at the hub from day 10."""
    base = planning.plan(p, cost_of_fairness=False, explain=False)
    hub_mask = np.zeros(p.need.shape[::2], dtype=bool)
    hub_mask[p.families.index("art155"), 10:] = True
    result = planning.plan(p, cost_of_fairness=False, explain=False, buffers=planning.Buffers(
        mask=np.zeros(p.need.shape, dtype=bool), level=np.zeros(p.need.shape),
        penalty=p.shortfall_penalty / p.n_days, shortfall_cap=np.array(base.shortfall),
        hub_mask=hub_mask, hub_level=np.where(hub_mask, 300.0, 0.0)))
    assert result.ok and result.hub_stock.sum() > 0
    return result


def test_a_replay_loses_at_the_hub_what_the_plan_expects() -> None:
    p = compile_problem(struck_tiny())
    result = reserve_plan(p)
    sim = simulate(p, PlanPolicy(plan_input(result)), SimOptions.replay(runs=1,
                                                                         record_stock=True))
    np.testing.assert_allclose(sim.stock[0], result.depot_stock, rtol=1e-6, atol=1e-6)
    carried = np.concatenate([np.zeros((len(p.items), 1)), result.hub_stock[:, :-1]], axis=1)
    expected_units = (carried * P * LF).sum(axis=1)  # [i]
    onehot = np.eye(len(p.families))[p.item_family]
    np.testing.assert_allclose(sim.totals.hub_lost_units[0], expected_units @ onehot,
                               rtol=1e-6, atol=1e-6)
    value = float(expected_units @ p.item_value)
    assert value > 0
    assert sim.totals.strike_loss[0] == (sim.totals.lost_value[0].sum()
                                         + sim.totals.hub_lost_value[0].sum())


def test_random_hub_strikes_lose_the_expectation_on_average() -> None:
    p = compile_problem(struck_tiny())
    result = reserve_plan(p)
    carried = np.concatenate([np.zeros((len(p.items), 1)), result.hub_stock[:, :-1]], axis=1)
    expected = float((carried * P * LF).sum(axis=1) @ p.item_value)
    options = SimOptions(runs=4000, seed=5, demand=SimOptions().demand.parse("fixed"),
                         delays=False, surges=False, pauses=False)
    sim = simulate(p, PlanPolicy(plan_input(result)), options)
    lost = sim.totals.hub_lost_value.sum(axis=1)
    half = 3.0 * lost.std(ddof=1) / np.sqrt(len(lost))
    assert abs(lost.mean() - expected) <= half, (lost.mean(), expected, half)
    point = PolicyPoint.from_result(sim)
    assert point.lost_value == float(sim.totals.strike_loss.mean())
    metrics = SimMetrics.from_result(sim)
    overall = metrics.overall.lost_value.mean
    np.testing.assert_allclose(overall, point.lost_value, rtol=1e-12)
    depot_only = sum(d.lost_value.mean for d in metrics.depots.values())
    np.testing.assert_allclose(overall - depot_only, lost.mean(), rtol=1e-9)


def test_the_hub_section_says_the_same_as_a_one_hub_network() -> None:
    """``hub: {strike_prob_per_day, loss_fraction}`` compiles to the same struck hub as the
    network form: same plan objective, same simulated hub losses for the same seed."""
    data = load_scenario("tiny").model_dump(mode="json", exclude_none=True)
    data["hub"].update(strike_prob_per_day=P, loss_fraction=LF)
    simple = compile_problem(Scenario.model_validate(data))
    network = compile_problem(struck_tiny())
    assert simple.hub_strike_prob[0] == P and simple.hub_loss_fraction[0] == LF
    one, other = reserve_plan(simple), reserve_plan(network)
    assert abs(one.objective - other.objective) <= 1e-9 * abs(other.objective)
    options = SimOptions(runs=200, seed=2)
    a = simulate(simple, PlanPolicy(plan_input(one)), options)
    b = simulate(network, PlanPolicy(plan_input(other)), options)
    np.testing.assert_allclose(a.totals.hub_lost, b.totals.hub_lost, rtol=1e-9, atol=1e-9)
