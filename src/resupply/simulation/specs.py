"""`parse_policy` and `build_policy`: a policy from its spec (`policy_spec`), text or value.

See `resupply.simulation.policies` for what each spec means.
"""

from __future__ import annotations

from resupply.errors import SimulationError
from resupply.simulation.min_max import MinMaxPolicy
from resupply.simulation.plan_input import PlanInput
from resupply.simulation.policies import (
    CadencePolicy,
    LumpPolicy,
    OrderUpToPolicy,
    PlanPolicy,
    Policy,
)
from resupply.simulation.policy_spec import (
    SPECS,
    CadenceSpec,
    LumpSpec,
    MinMaxSpec,
    OrderUpToSpec,
    PlanSpec,
    PolicySpec,
    RollingSpec,
    parse_spec,
    split_specs,
)
from resupply.simulation.rolling import Planner, RollingPolicy

__all__ = ["SPECS", "build_policy", "parse_policy", "split_specs"]


def build_policy(spec: PolicySpec, plan: PlanInput | None = None,
                 planner: Planner | None = None) -> Policy:
    """The policy of a spec; ``plan`` is needed for ``plan``, ``planner`` for rolling."""
    match spec:
        case PlanSpec(fixed=fixed):
            if plan is None:
                raise SimulationError("policy 'plan' needs a plan (--plan DIR)")
            return PlanPolicy(plan, track=not fixed)
        case LumpSpec():
            return LumpPolicy()
        case CadenceSpec(every=every, buffer_days=buffer_days):
            return CadencePolicy(every, buffer_days)
        case OrderUpToSpec(level=level, days=days):
            return OrderUpToPolicy(level=level, days=days)
        case MinMaxSpec(low=low, high=high, days=days):
            return MinMaxPolicy(low, high, days)
        case RollingSpec(every=every):
            if planner is None:
                raise SimulationError("policy 'rolling' needs the planner (resupply.planning)")
            return RollingPolicy(every, planner)
    raise SimulationError(f"unknown policy {spec!r}; use {SPECS}")  # pragma: no cover


def parse_policy(spec: str | PolicySpec, plan: PlanInput | None = None,
                 planner: Planner | None = None) -> Policy:
    """The policy a spec (text or value) names; ``plan`` is needed for ``plan``, ``planner``
    for rolling."""
    return build_policy(parse_spec(spec) if isinstance(spec, str) else spec, plan, planner)
