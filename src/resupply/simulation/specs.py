"""`parse_policy`: a policy from its spec string (``lump``, ``cadence:7``, ``order-up-to:14d``...).

See `resupply.simulation.policies` for what each spec means.
"""

from __future__ import annotations

from resupply.errors import SimulationError
from resupply.simulation.plan_input import PlanInput
from resupply.simulation.policies import (
    DEFAULT_BUFFER_DAYS,
    CadencePolicy,
    LumpPolicy,
    OrderUpToPolicy,
    PlanPolicy,
    Policy,
)
from resupply.simulation.rolling import Planner, RollingPolicy

SPECS = "plan[:fixed], lump, cadence:N[:B], order-up-to[:LEVEL|:Nd], rolling:N"
"""What `parse_policy` accepts, for messages and help."""


def _number(text: str, spec: str, whole: bool = False) -> float:
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        raise SimulationError(f"policy {spec!r}: {text!r} is not a "
                              f"{'whole ' if whole else ''}number; use {SPECS}") from None
    if value <= 0:
        raise SimulationError(f"policy {spec!r}: {text!r} must be positive")
    return value


def _order_up_to(arg: str | None, spec: str) -> OrderUpToPolicy:
    if arg is None:
        return OrderUpToPolicy()
    if arg.endswith("d"):
        return OrderUpToPolicy(days=_number(arg[:-1], spec))
    return OrderUpToPolicy(level=_number(arg, spec))


def parse_policy(spec: str, plan: PlanInput | None = None,
                 planner: Planner | None = None) -> Policy:
    """The policy a spec names; ``plan`` is needed for ``plan``, ``planner`` for rolling."""
    head, _, rest = spec.strip().partition(":")
    args = rest.split(":") if rest else []
    if head == "plan" and args in ([], ["fixed"]):
        if plan is None:
            raise SimulationError("policy 'plan' needs a plan (--plan DIR)")
        return PlanPolicy(plan, name=spec.strip(), track=not args)
    if head == "lump" and not args:
        return LumpPolicy()
    if head == "cadence" and len(args) in (1, 2):
        every = int(_number(args[0], spec, whole=True))
        buffer_days = _number(args[1], spec) if len(args) == 2 else DEFAULT_BUFFER_DAYS
        return CadencePolicy(every, buffer_days)
    if head == "order-up-to" and len(args) <= 1:
        return _order_up_to(args[0] if args else None, spec)
    if head == "rolling" and len(args) == 1:
        if planner is None:
            raise SimulationError("policy 'rolling' needs the planner (resupply.planning)")
        return RollingPolicy(int(_number(args[0], spec, whole=True)), planner)
    raise SimulationError(f"unknown policy {spec!r}; use {SPECS}")
