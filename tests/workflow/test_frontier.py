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
