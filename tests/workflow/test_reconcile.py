"""The plan's expected strike loss and the simulated one, reconciled step by step."""

from __future__ import annotations

import pytest

from resupply.compile import Problem
from resupply.simulation import SimOptions
from resupply.workflow.policies import plan_input, reference_plan
from resupply.workflow.reconcile import reconcile_losses, reconciliation_lines


def test_the_replay_is_the_plans_expectation_and_drawn_strikes_match_it(
        tiny_problem: Problem) -> None:
    """Step 1 equals the planner's expected strike loss to 1e-9 (tiny's plan keeps one item
    per family at its depots, so the item mix cannot differ); with only strikes drawn the
    simulated mean matches it within its 95 % interval (the planner's decay is the mean of
    the simulator's strikes); each later step is one more source of randomness."""
    plan = reference_plan(tiny_problem)
    steps = reconcile_losses(tiny_problem, plan_input(plan), SimOptions(runs=2000, seed=5))
    expected = plan.terms["strike_loss"]
    assert steps[0].mean == pytest.approx(expected, rel=1e-9)
    assert abs(steps[1].mean - expected) <= steps[1].half_width
    assert len(steps) == 5 and steps[1].half_width > 0
    lines = reconciliation_lines(steps, expected)
    assert lines[0].startswith("plan's expected strike loss") and len(lines) == 5
