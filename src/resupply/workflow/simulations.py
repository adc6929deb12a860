"""The simulate step: a policy and options in, a `Simulation` (result, metrics, bands) out;
the files of a simulation part."""

from __future__ import annotations

import html
import io
import json
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from resupply.compile import Problem
from resupply.simulation import SimOptions, SimResult, bands, simulate
from resupply.simulation.policies import Policy
from resupply.simulation.policy_spec import PolicySpec, parse_spec
from resupply.simulation.records import SimMetrics
from resupply.simulation.risk import RiskReference
from resupply.simulation.run import Progress
from resupply.workflow.rundir import BANDS, METRICS

ProgressHook = Callable[[str, int], AbstractContextManager[Progress | None]]
"""(label, runs) -> a context giving the progress callback of one simulation (or None)."""


def no_progress(label: str, runs: int) -> AbstractContextManager[Progress | None]:
    """A `ProgressHook` that shows nothing."""
    return nullcontext()


@dataclass(frozen=True, eq=False)
class Simulation:
    """A simulation's result, with its metrics and daily bands computed once, on demand."""

    result: SimResult

    @property
    def policy(self) -> str:
        """Spec text of the policy simulated."""
        return self.result.policy

    @property
    def spec(self) -> PolicySpec:
        """Spec of the policy simulated, as a value."""
        return parse_spec(self.result.policy)

    @cached_property
    def metrics(self) -> SimMetrics:
        """The result's metrics (metrics.json)."""
        return SimMetrics.from_result(self.result)

    @cached_property
    def bands(self) -> pd.DataFrame:
        """`resupply.simulation.bands` of the result (bands.parquet)."""
        return bands(self.result)

    def table(self) -> pd.DataFrame:
        """The figures per family (`SimMetrics.family_table`)."""
        return self.metrics.family_table()

    def __repr__(self) -> str:
        return f"Simulation({self.metrics.summary()})"

    def _repr_html_(self) -> str:
        table = self.table().to_html(index=False, float_format=lambda v: f"{v:,.3g}")
        return f"<p>{html.escape(self.metrics.summary())}</p>{table}"


def run_simulation(problem: Problem, policy: Policy, options: SimOptions | None = None,
                   progress: ProgressHook = no_progress,
                   reference: RiskReference | None = None) -> Simulation:
    """Simulate ``policy`` on ``problem`` (`resupply.simulation.simulate`); ``reference``
    says what counts as avoidable (`resupply.simulation.risk`)."""
    chosen = options or SimOptions()
    with progress(policy.name, chosen.runs) as update:
        return Simulation(simulate(problem, policy, chosen, progress=update,
                                   reference=reference))


def simulation_files(sim: Simulation) -> dict[str, str | bytes]:
    """What a simulation part holds: metrics.json and bands.parquet."""
    buffer = io.BytesIO()
    sim.bands.to_parquet(buffer, index=False)
    return {METRICS: json.dumps(sim.metrics.to_dict(), indent=2) + "\n",
            BANDS: buffer.getvalue()}


def simulation_options(options: SimOptions) -> dict[str, Any]:
    """The settings of a simulation as JSON values (manifest and store)."""
    return {"runs": options.runs, "seed": options.seed, "block_runs": options.block_runs,
            "demand": options.demand.kind, "cv": options.demand.cv,
            "strikes": options.strikes, "expected_strikes": options.expected_strikes,
            "delays": options.delays, "surges": options.surges, "pauses": options.pauses,
            "backorders": options.backorders, "warmup_days": options.warmup_days}
