"""Simulation layer: Monte Carlo stress tests of plans and supply policies.

`simulate` runs a `Policy` (`parse_policy` reads its spec) on a compiled `Problem` many times
under random consumption, delays, release slips, surges and depot strikes; `summarize` turns
the result into metrics, `bands` into daily percentile bands, and
`resupply.simulation.frontier` compares policies. `resupply.simulation.theory` gives the
closed-form order-up-to results the engine is checked against.
"""

from resupply.simulation.metrics import bands, summarize
from resupply.simulation.min_max import MinMaxPolicy
from resupply.simulation.options import DemandModel, SimOptions
from resupply.simulation.plan_input import PlanInput, plan_input_from_tranches
from resupply.simulation.policies import (
    CadencePolicy,
    LumpPolicy,
    OrderUpToPolicy,
    PlanPolicy,
    Policy,
)
from resupply.simulation.rolling import RollingPolicy, RunHistory
from resupply.simulation.run import SimResult, simulate
from resupply.simulation.specs import parse_policy
from resupply.simulation.view import DayView

__all__ = [
    "CadencePolicy",
    "DayView",
    "DemandModel",
    "LumpPolicy",
    "MinMaxPolicy",
    "OrderUpToPolicy",
    "PlanInput",
    "PlanPolicy",
    "Policy",
    "RollingPolicy",
    "RunHistory",
    "SimOptions",
    "SimResult",
    "bands",
    "parse_policy",
    "plan_input_from_tranches",
    "simulate",
    "summarize",
]
