"""The Python API a notebook uses: `simulate` and `compare` with options as keywords.

Both take a problem (a compiled `Problem`, a `Scenario`, or a file or bundled name), a policy
as its spec (``"cadence:7"``, a `PolicySpec`) or a plan (a `PlanResult` from
`resupply.plan`, followed as planned), and return typed results with short reprs and HTML
tables: `Simulation` and `Comparison`.

>>> import resupply
>>> sim = resupply.simulate("tiny", policy="cadence:7", runs=200, seed=1)
>>> sim.metrics.runs, sim.policy
(200, 'cadence:7')
>>> 0.0 <= sim.metrics.families["art155"].stockout_prob <= 1.0
True
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from resupply.compile import Problem, compile_problem
from resupply.domain.load import load_scenario
from resupply.domain.schema import Scenario
from resupply.errors import SimulationError
from resupply.simulation import DemandModel, PlanInput, SimOptions
from resupply.simulation.policy_spec import PolicySpec, parse_spec
from resupply.workflow.comparisons import RISK_LIMIT, Comparison
from resupply.workflow.comparisons import compare as compare_policies
from resupply.workflow.policies import (
    DEFAULT_POLICIES,
    DEFAULT_SCOPE,
    plan_input,
    policy_for,
    reference_for,
)
from resupply.workflow.simulations import Simulation, run_simulation

if TYPE_CHECKING:
    from resupply.planning import PlanResult

ProblemLike = Problem | Scenario | str | Path
"""What `simulate` and `compare` accept as the problem."""


def as_problem(source: ProblemLike) -> Problem:
    """A compiled problem from a problem, a scenario, or a scenario file or bundled name."""
    if isinstance(source, Problem):
        return source
    return compile_problem(source if isinstance(source, Scenario) else load_scenario(source))


def _arrays(plan: PlanResult | PlanInput | None) -> PlanInput | None:
    if plan is None or isinstance(plan, PlanInput):
        return plan
    if not plan.ok:
        raise SimulationError(f"the plan is {plan.status}, not optimal: nothing to follow")
    return plan_input(plan)


def simulate(problem: ProblemLike, policy: str | PolicySpec | None = None, *,
             plan: PlanResult | PlanInput | None = None, runs: int = 1000, seed: int = 0,
             demand: str = "scenario", cv: float = 0.0, strikes: bool = True,
             delays: bool = True, surges: bool = True, pauses: bool = True,
             backorders: bool = False, warmup_days: int = 0, chunk_runs: int = 1000,
             workers: int = 1, record_stock: bool = False,
             scope: str = DEFAULT_SCOPE) -> Simulation:
    """Monte Carlo of a policy (default ``cadence:7``) or of a plan, ``runs`` times from
    ``seed``; the keywords are the fields of `SimOptions` (``demand`` and ``cv`` make its
    `DemandModel`); avoidable stockouts of the ``scope`` families are measured against the
    deterministic optimum. Raises `SimulationError` for a policy it cannot run."""
    p = as_problem(problem)
    options = SimOptions(runs=runs, seed=seed, chunk_runs=chunk_runs, workers=workers,
                         demand=DemandModel.parse(demand, cv), strikes=strikes, delays=delays,
                         surges=surges, pauses=pauses, backorders=backorders,
                         warmup_days=warmup_days, record_stock=record_stock)
    optimum, reference = reference_for(p, options, scope)
    chosen = policy_for(p, policy, _arrays(plan), plan_input(optimum))
    return run_simulation(p, chosen, options, reference=reference)


def compare(problem: ProblemLike, policies: Sequence[str | PolicySpec] = DEFAULT_POLICIES, *,
            plan: PlanResult | PlanInput | None = None, runs: int = 1000, seed: int = 0,
            scope: str = DEFAULT_SCOPE, risk_limit: float = RISK_LIMIT, chunk_runs: int = 1000,
            workers: int = 1) -> Comparison:
    """Simulate each policy with the same runs and seed and compare them on strike loss
    against running out (`resupply.simulation.frontier`); ``plan`` is what the ``plan``
    policy follows (without one the planner makes it). ``scope``: the families the stockout
    figures count (``ammunition``, ``coverable`` or a comma-separated list)."""
    p = as_problem(problem)
    options = SimOptions(runs=runs, seed=seed, chunk_runs=chunk_runs, workers=workers)
    optimum, reference = reference_for(p, options, scope)
    arrays = _arrays(plan) or plan_input(optimum)
    specs = [parse_spec(s) if isinstance(s, str) else s for s in policies]
    chosen = [policy_for(p, s, None, arrays) for s in specs]
    return compare_policies(p, chosen, options, reference, risk_limit=risk_limit)
