"""Why the simulated strike loss differs from the plan's expectation: the same plan simulated
with one source of randomness switched on after another (common random numbers: one seed).

Steps, each adding one thing to the one before:

1. **replay**: demand at the need, strikes at their expectation, no delays or surges
   (`SimOptions.replay`): the plan's own stock, family by family, and its expected loss in
   units, reproduced exactly; in EUR it differs where a family has items of different value,
   since the simulator consumes the items of a family in proportion to their stock while the
   planner chooses the mix it keeps;
2. **strikes drawn**: strikes hit at random (Beta-distributed losses): the same mean, now a
   spread;
3. **demand drawn**: random consumption; the execution rule refills what strikes and demand
   took, so stock (and what strikes can destroy) moves with them;
4. **surges**: mean-preserving intensity surges;
5. **late tranches**: random delays, release slips and random donor pauses, whose catch-up
   brings several tranches in at once (more stock exposed for a while): the full simulation.

The differences between consecutive steps make up the gap between the plan's expectation and
the simulated mean, term by term [EUR].
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from resupply.compile import Problem
from resupply.simulation import DemandModel, PlanInput, PlanPolicy, SimOptions, simulate
from resupply.simulation.risk import RiskReference

STEPS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("replay (the plan's expectation)", {"demand": "fixed", "expected_strikes": True,
                                         "delays": False, "surges": False, "pauses": False}),
    ("strikes drawn at random", {"demand": "fixed", "delays": False, "surges": False,
                                 "pauses": False}),
    ("random demand", {"delays": False, "surges": False, "pauses": False}),
    ("intensity surges", {"delays": False, "pauses": False}),
    ("late tranches, release slips and donor pauses", {}),
)
"""Label and the options of each step (`SimOptions` fields; ``demand: fixed`` fixes demand)."""


@dataclass(frozen=True)
class LossStep:
    """One step of the reconciliation: mean strike loss and its 95 % half-width. [EUR]"""

    label: str
    mean: float
    half_width: float


def reconcile_losses(problem: Problem, plan: PlanInput, options: SimOptions,
                     reference: RiskReference | None = None) -> tuple[LossStep, ...]:
    """The steps of the module docstring for ``plan``, each with ``options``' runs and seed."""
    out = []
    for label, changes in STEPS:
        settings = dict(changes)
        demand = DemandModel("fixed") if settings.pop("demand", None) == "fixed" else (
            options.demand)
        step_options = replace(options, demand=demand, **settings)
        sim = simulate(problem, PlanPolicy(plan), step_options, reference=reference)
        lost = sim.totals.strike_loss
        half = 1.96 * float(lost.std(ddof=1)) / np.sqrt(len(lost)) if len(lost) > 1 else 0.0
        out.append(LossStep(label, float(lost.mean()), half))
    return tuple(out)


def reconciliation_lines(steps: tuple[LossStep, ...], planned: float) -> list[str]:
    """The steps in words: the plan's figure, then what each source adds. [EUR]"""
    lines = [f"plan's expected strike loss EUR {planned:,.0f}; replayed at the expectation "
             f"EUR {steps[0].mean:,.0f} (items of a family consumed pro rata, not in the "
             "plan's mix)"]
    for before, step in itertools.pairwise(steps):
        lines.append(f"+ {step.label}: EUR {step.mean - before.mean:+,.0f} (mean EUR "
                     f"{step.mean:,.0f} +- {step.half_width:,.0f})")
    return lines
