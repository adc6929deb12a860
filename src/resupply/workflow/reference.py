"""The reference a risk is measured against: which families count, and what no supply could
have prevented (the deterministic optimum's own shortfall; see `resupply.simulation.risk`)."""

from __future__ import annotations

import numpy as np

from resupply.analysis import explain
from resupply.compile import Problem
from resupply.compile.problem import Bool
from resupply.errors import SimulationError
from resupply.planning import PlanResult, plan
from resupply.simulation import PlanInput, SimOptions
from resupply.simulation.risk import RiskReference

SCOPES = "ammunition, coverable, all, or a comma-separated list of families"
"""What `risk_scope` accepts, for messages and help."""


def risk_scope(problem: Problem, text: str) -> Bool:
    """[f] families the headline risk counts.

    ``coverable``: all that do not run dry even with every donor's supply sent at once
    (`resupply.analysis.explain`); ``ammunition`` (the default): coverable ammunition (spare
    parts are planned in fractions per depot while they fail whole); ``all``; or names.
    """
    coverable = np.array([f.runs_dry_with_all_supply is None
                          for f in explain(problem).families])
    if text == "coverable":
        return coverable
    if text == "ammunition":
        return coverable & ~problem.family_is_spare
    if text == "all":
        return np.ones(len(problem.families), dtype=bool)
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = sorted(set(names) - set(problem.families))
    if unknown or not names:
        raise SimulationError(f"--scope: unknown families {', '.join(unknown) or '(none)'}; "
                              f"use {SCOPES}: {', '.join(problem.families)}")
    return np.isin(np.array(problem.families), names)


def reference_plan(problem: Problem) -> PlanResult:
    """The deterministic optimum against the mean need, without the extras (fairness cost,
    explanations): what the best use of all supply achieves."""
    result = plan(problem, cost_of_fairness=False, explain=False)
    if not result.ok:
        raise SimulationError(f"the planner found no plan for {problem.name}: "
                              f"{result.status} {result.message}")
    return result


def plan_input(result: PlanResult) -> PlanInput:
    """A plan as the simulator follows it: tranches, moves and what it expects depots to
    consume and lose (so that the ``plan`` policy tracks its inventory positions)."""
    return PlanInput(dispatch=np.array(result.dispatch), moves=np.array(result.moves),
                     consumption=np.array(result.consumption),
                     expected_loss=np.array(result.expected_loss))


def risk_reference(problem: Problem, options: SimOptions, scope: Bool,
                   reference: PlanResult | None) -> RiskReference:
    """Avoidable means: after the first possible arrival, and where the reference plan is not
    itself short (every cell after the first arrival when there is no reference plan)."""
    shortfall = None if reference is None else np.asarray(reference.shortfall)
    return RiskReference.of(problem, options, scope=scope, plan_shortfall=shortfall)
