"""Lognormal demand: mean exactly the need, spread as the cv says, from the CLI option and from
the scenario.

Closed forms (Johnson, Kotz and Balakrishnan, *Continuous Univariate Distributions* vol. 1,
ch. 14): for ``X = m exp(sigma Z - sigma^2 / 2)`` with ``sigma^2 = ln(1 + cv^2)`` and
``w = exp(sigma^2) = 1 + cv^2``: ``E[X] = m``, ``Var[X] = m^2 (w - 1) = (cv m)^2`` and the
fourth central moment ``mu_4 = Var[X]^2 (w^4 + 2 w^3 + 3 w^2 - 3)``. The sample mean of n draws
then has standard error ``cv m / sqrt(n)`` and the sample variance
``sqrt((mu_4 - Var^2) / n)``; both must fall within 3.3 standard errors (two-sided 99.9%).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from resupply.compile import compile_problem
from resupply.domain.schema import Scenario
from resupply.simulation import DemandModel, OrderUpToPolicy, SimOptions, simulate
from resupply.simulation.draws import ChunkDraws, block_generators

Z = 3.3
N = 400_000


def closed_form(mean: float, cv: float) -> tuple[float, float, float]:
    """Mean, variance and fourth central moment of the lognormal with that mean and cv."""
    w = 1.0 + cv * cv
    var = (cv * mean) ** 2
    return mean, var, var * var * (w**4 + 2 * w**3 + 3 * w**2 - 3)


def draws(demand: DemandModel, scenario_cv: float = math.nan) -> ChunkDraws:
    sizes = [N // 4] * 4
    return ChunkDraws(block_generators(11, 4), sizes, demand, math.inf, scenario_cv)


def assert_moments(sample: np.ndarray, mean: float, cv: float) -> None:
    m, var, mu4 = closed_form(mean, cv)
    n = len(sample)
    assert abs(sample.mean() - m) <= Z * math.sqrt(var / n), (sample.mean(), m)
    assert abs(sample.var(ddof=1) - var) <= Z * math.sqrt((mu4 - var * var) / n), (
        sample.var(ddof=1), var)
    sample_cv = sample.std(ddof=1) / sample.mean()
    assert sample_cv == pytest.approx(cv, rel=0.02)


@pytest.mark.parametrize(("mean", "cv"), [(20.0, 0.3), (1000.0, 0.8), (3.5, 1.5)])
def test_lognormal_draws_have_the_mean_and_cv(mean: float, cv: float) -> None:
    sample = draws(DemandModel("lognormal", cv)).consumption(np.full((N, 1), mean))[:, 0]
    assert (sample > 0).all()
    assert_moments(sample, mean, cv)


def test_the_scenario_cv_is_drawn_under_the_scenario_model() -> None:
    sample = draws(DemandModel("scenario"), 0.5).consumption(np.full((N, 1), 40.0))[:, 0]
    assert_moments(sample, 40.0, 0.5)
    again = draws(DemandModel("lognormal", 0.5)).consumption(np.full((N, 1), 40.0))[:, 0]
    np.testing.assert_array_equal(sample, again)


def test_a_zero_mean_draws_zero_without_warnings() -> None:
    out = draws(DemandModel("lognormal", 0.4)).consumption(np.zeros((N, 2)))
    assert not out.any()


def test_a_lognormal_needs_a_cv() -> None:
    from resupply.errors import SimulationError

    with pytest.raises(SimulationError, match="lognormal demand model needs cv"):
        DemandModel.parse("lognormal")
    assert DemandModel.parse("lognormal", 0.2) == DemandModel("lognormal", 0.2)


def _scenario(make: Any, uncertainty: dict[str, Any]) -> Scenario:
    data = make(20.0, 0, 1e9, 60)
    return data.model_copy(update={"uncertainty": data.uncertainty.model_validate(uncertainty)})


def test_the_scenario_field_compiles_and_the_simulated_demand_keeps_the_need(
        make_textbook_scenario: Any) -> None:
    """Mean consumption over 60 days x 400 runs equals the planner's need within its CI."""
    sc = _scenario(make_textbook_scenario, {"demand_distribution": "lognormal",
                                            "demand_cv": 0.6})
    problem = compile_problem(sc)
    assert problem.demand_cv == 0.6
    options = SimOptions(runs=400, seed=5, strikes=False, delays=False, surges=False)
    tot = simulate(problem, OrderUpToPolicy(level=1e9), options).totals
    per_run = tot.demand.sum(axis=(1, 2))
    need = problem.need.sum()
    sd = 0.6 * 20.0 * math.sqrt(60)
    assert abs(per_run.mean() - need) <= Z * sd / math.sqrt(400)
    assert per_run.std(ddof=1) == pytest.approx(sd, rel=0.15)


@pytest.mark.parametrize(("uncertainty", "says"), [
    ({"demand_distribution": "lognormal"}, "needs `demand_cv`"),
    ({"demand_cv": 0.3}, "set `demand_distribution: lognormal`"),
    ({"demand_distribution": "lognormal", "demand_cv": 0.3, "demand_dispersion": 4},
     "drop it"),
    ({"demand_distribution": "gamma"}, "negative_binomial"),
    ({"demand_distribution": "lognormal", "demand_cv": 0}, "greater than 0")])
def test_inconsistent_demand_fields_are_refused(uncertainty: dict[str, Any], says: str) -> None:
    from resupply.domain.schema import Uncertainty

    with pytest.raises(ValidationError, match=says):
        Uncertainty.model_validate(uncertainty)
