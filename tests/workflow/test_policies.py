"""`resupply.workflow.policies.planner`: the simulator's ``rolling:N`` re-plans each run over
a network of hubs through the real planner."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from planning.builders import problem_of
from planning.test_network_cli import _two_hub_tiny
from resupply.compile import Problem
from resupply.domain import load_scenario
from resupply.simulation import PlanInput, SimOptions, simulate
from resupply.simulation.rolling import RollingPolicy, RunHistory
from resupply.simulation.specs import parse_policy
from resupply.workflow.policies import planner

pytest.importorskip("resupply.planning")


def test_rolling_replans_over_two_hubs(tmp_path: Path) -> None:
    """tiny over two hubs (`_two_hub_tiny`: a donor with two supply routes, a depot reached
    from both hubs, no route between depots, which the simulator refuses): ``rolling:7``
    re-plans every run on days 7, 14, 21 and 28 from its own history (actuals by donor and
    depot), and every re-plan succeeds."""
    import yaml

    p = problem_of(yaml.safe_load(_two_hub_tiny(tmp_path).read_text()))
    assert len(p.hubs) == 2 and not p.simple_network
    assert load_scenario("tiny").horizon_days == p.n_days == 30
    solve = planner()
    assert solve is not None
    days: list[int] = []

    def counted(problem: Problem, history: RunHistory | None) -> PlanInput:
        days.append(0 if history is None else history.from_day)
        return solve(problem, history)

    policy = parse_policy("rolling:7", planner=counted)
    assert isinstance(policy, RollingPolicy)
    result = simulate(p, policy, SimOptions(runs=2, seed=5))
    assert policy.failed_replans == 0
    assert sorted(d for d in days if d) == [7, 7, 14, 14, 21, 21, 28, 28]
    assert np.isfinite(result.totals.met).all() and result.totals.met.sum() > 0
