"""The frontier's tuned simple policies: the least cover that meets the level."""

from __future__ import annotations

import re

import numpy as np

from resupply.compile import Problem
from resupply.simulation import SimOptions, simulate
from resupply.simulation.policy_spec import OrderUpToSpec
from resupply.simulation.risk import RiskReference
from resupply.simulation.specs import build_policy
from resupply.workflow.certify import CertifyOptions, calibration_target
from resupply.workflow.frontier import GRID, REFINE, TUNABLES, tune
from resupply.workflow.policies import risk_scope


def test_a_tuned_policy_holds_the_least_cover_that_meets_the_level(
        tiny_problem: Problem) -> None:
    """order-up-to tuned to 10 % on tiny: its cover meets the calibration target on the
    calibration runs, and a cover one bisection step smaller (the grid's ratio to the power
    1 / 2^REFINE) does not; the tuned point is then certified on fresh runs."""
    options = CertifyOptions(risk=0.1, calibration_runs=400, certification_runs=400)
    reference = RiskReference.of(tiny_problem, options.simulation,
                                 scope=risk_scope(tiny_problem))
    point = tune(tiny_problem, TUNABLES[1], options, reference)
    match = re.fullmatch(r"order-up-to:([0-9.e+-]+)d", point.point.policy)
    assert match, point.point.policy
    days = float(match.group(1))
    target = calibration_target(options.risk, options.certification_runs, options.confidence)

    def rate(cover: float) -> float:
        sim = simulate(tiny_problem, build_policy(OrderUpToSpec(days=cover)),
                       SimOptions(runs=400, seed=options.seed), reference=reference)
        return float(np.mean(sim.totals.avoid_scope_days > 0))

    step = (TUNABLES[1].high / TUNABLES[1].low) ** (1 / (GRID - 1) / 2**REFINE)
    assert rate(days) <= target < rate(days / step * 0.999)
    assert point.level == 0.1 and point.meets == (point.upper_bound <= 0.1)


def test_when_no_grid_value_meets_the_level_the_search_looks_between() -> None:
    """A risk that is least at 50 days of cover (0.02 there, rising by 0.1 per factor e
    either side): the grid's 30.5 and 120 days miss a 5 % target (0.070 and 0.108); one
    round of bisection toward both neighbours of 30.5 tries sqrt(30.5 x 7.75) = 15.4 and
    sqrt(30.5 x 120) = 60.5, and 60.5 (0.039) meets it. The search stops there."""
    from types import SimpleNamespace

    from resupply.workflow.frontier import least_risk

    def trial(value: float) -> tuple[float, object]:
        risk = 0.02 + 0.1 * abs(np.log(value / 50.0))
        return value, SimpleNamespace(avoidable_prob=risk, lost_value=value)

    grid = [trial(float(v)) for v in np.geomspace(0.5, 120.0, GRID)]
    assert not any(pt.avoidable_prob <= 0.05 for _, pt in grid)
    tried = least_risk(trial, grid, 0.05, REFINE)  # type: ignore[arg-type]
    values = [round(v, 1) for v, _ in tried]
    assert values == [0.5, 2.0, 7.7, 15.4, 30.5, 60.5, 120.0]
    assert [v for v, pt in tried if pt.avoidable_prob <= 0.05] == [tried[5][0]]
