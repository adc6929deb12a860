"""The compare step: policies simulated with the same options and seed, the frontier of
strike loss against running out, and the files of a compare part."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from resupply.compile import Problem
from resupply.simulation import SimOptions
from resupply.simulation.frontier import Frontier, PolicyPoint, frontier
from resupply.simulation.policies import Policy
from resupply.simulation.risk import RiskReference
from resupply.workflow.rundir import FRONTIER
from resupply.workflow.simulations import ProgressHook, Simulation, no_progress, run_simulation

RISK_LIMIT = 0.05
"""Default largest acceptable probability of a stockout. [1]"""


@dataclass(frozen=True, eq=False)
class Comparison:
    """Policies compared: the frontier and each policy's simulation."""

    frontier: Frontier
    simulations: tuple[Simulation, ...]
    options: SimOptions
    interrupted: str | None = None
    """The policy cut short by Ctrl-C (later policies were not run), or None."""

    def table(self) -> pd.DataFrame:
        """One row per policy (means across runs), the frontier marked."""
        return pd.DataFrame([p.to_dict() for p in self.frontier.points])

    def summary(self) -> str:
        """One line: how many policies, over how many runs, and the choice."""
        fr = self.frontier
        verdict = "" if fr.best_meets_limit else " (none meets the limit: least risky)"
        return (f"{len(fr.points)} policies over {self.options.runs} runs; best with "
                f"P(avoidable stockout) <= {fr.risk_limit:g}: {fr.best}{verdict}")

    def __repr__(self) -> str:
        return f"Comparison({self.summary()})"

    def _repr_html_(self) -> str:
        table = self.table().to_html(index=False, float_format=lambda v: f"{v:,.3g}")
        return f"<p>{html.escape(self.summary())}</p>{table}"


def compare(problem: Problem, policies: Sequence[Policy], options: SimOptions,
            reference: RiskReference, *, risk_limit: float = RISK_LIMIT,
            progress: ProgressHook = no_progress,
            done: Sequence[Simulation] = ()) -> Comparison:
    """Simulate each policy with the same options; ``reference`` says what counts as avoidable
    and which families the headline risk counts (its scope). ``done`` holds simulations the
    caller already ran with these options and reference (e.g. a certified plan on its
    certification runs): a policy of the same name is taken from there, not simulated again.
    Stops after a policy interrupted by Ctrl-C (its runs so far count)."""
    dropped = tuple(f for f, keep in zip(problem.families, reference.scope, strict=True)
                    if not keep)
    ready = {s.policy: s for s in done}
    sims: list[Simulation] = []
    points: list[PolicyPoint] = []
    for policy in policies:
        sim = ready.get(policy.name) or run_simulation(problem, policy, options, progress,
                                                       reference)
        sims.append(sim)
        points.append(PolicyPoint.from_result(sim.result))
        if sim.result.partial:
            return Comparison(frontier(points, risk_limit, dropped), tuple(sims), options,
                              interrupted=policy.name)
    return Comparison(frontier(points, risk_limit, dropped), tuple(sims), options)


def metrics_file(policy: str) -> str:
    """File of a policy's metrics in a compare part (``cadence:7`` -> metrics-cadence-7.json)."""
    return f"metrics-{policy.replace(':', '-')}.json"


def compare_files(comparison: Comparison) -> dict[str, str | bytes]:
    """What a compare part holds: each policy's metrics and frontier.json."""
    files: dict[str, str | bytes] = {
        metrics_file(s.policy): json.dumps(s.metrics.to_dict(), indent=2) + "\n"
        for s in comparison.simulations}
    files[FRONTIER] = json.dumps(comparison.frontier.to_dict(), indent=2) + "\n"
    return files
