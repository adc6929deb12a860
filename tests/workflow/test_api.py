"""The notebook API: `resupply.simulate` and `resupply.compare` with keywords, and reprs short
enough to read."""

from __future__ import annotations

import numpy as np
import pytest

import resupply
from resupply.compile import Problem
from resupply.errors import SimulationError
from resupply.simulation import CadencePolicy, DemandModel, PlanPolicy, SimOptions
from resupply.simulation import simulate as engine_simulate
from resupply.simulation.policy_spec import CadenceSpec
from resupply.workflow.policies import plan_input


def test_simulate_by_spec_is_the_engine_with_those_options(tiny_problem: Problem) -> None:
    sim = resupply.simulate(tiny_problem, policy="cadence:7", runs=50, seed=3, demand="poisson",
                            strikes=False)
    engine = engine_simulate(tiny_problem, CadencePolicy(7), SimOptions(
        runs=50, seed=3, demand=DemandModel("poisson"), strikes=False))
    np.testing.assert_array_equal(sim.result.totals.met, engine.totals.met)
    assert sim.result.options.strikes is False and sim.policy == "cadence:7"
    assert sim.spec == CadenceSpec(7)


def test_simulate_follows_a_plan_in_memory(tiny_problem: Problem) -> None:
    result = resupply.plan(tiny_problem)
    sim = resupply.simulate(tiny_problem, plan=result, runs=30, seed=2)
    engine = engine_simulate(tiny_problem, PlanPolicy(plan_input(result)),
                             SimOptions(runs=30, seed=2))
    np.testing.assert_array_equal(sim.result.totals.met, engine.totals.met)
    with pytest.raises(SimulationError, match="not both"):
        resupply.simulate(tiny_problem, policy="lump", plan=result)


def test_compare_by_name_with_a_plan(tiny_problem: Problem) -> None:
    result = resupply.plan(tiny_problem)
    choice = resupply.compare("tiny", ["lump", "cadence:1", "plan"], plan=result, runs=40,
                              seed=1)
    assert [p.policy for p in choice.frontier.points] == ["lump", "cadence:1", "plan"]
    assert list(choice.table()["policy"]) == ["lump", "cadence:1", "plan"]
    assert choice.frontier.out_of_scope == ("art152",)


def test_reprs_are_short_and_notebooks_get_tables(tiny_problem: Problem) -> None:
    result = resupply.plan(tiny_problem)
    sim = resupply.simulate(tiny_problem, policy="lump", runs=20)
    choice = resupply.compare(tiny_problem, ["lump", "cadence:7"], runs=20)
    for value in (tiny_problem, result, sim, sim.result, choice):
        text = repr(value)
        assert len(text) < 200 and "\n" not in text, text
        page = value._repr_html_()
        assert "<table" in page and len(page) < 5000
    assert repr(result).startswith("PlanResult('tiny': optimal, objective EUR ")
    assert "2 families in 2 standards" in repr(tiny_problem)
