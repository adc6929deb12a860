"""`parse_policy`: a policy from its spec string (``lump``, ``cadence:7``, ``order-up-to:14d``...).

See `resupply.simulation.policies` for what each spec means. Every number of a spec is parsed
as its type and checked against its range (`DAYS`, `BUFFER_DAYS`, `LEVEL`) before a policy
is built; the message names the part, the range and the spec.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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

SPECS = "plan, lump, cadence:N[:B], order-up-to[:LEVEL|:Nd], rolling:N"
"""What `parse_policy` accepts, for messages and help."""


@dataclass(frozen=True)
class Part:
    """One number of a spec: what it is, whether whole, and its range: ``lo..hi``, or
    above `lo` and at most `hi` when `positive`."""

    name: str
    whole: bool
    lo: float
    hi: float
    positive: bool = False

    def parse(self, text: str, spec: str) -> float:
        """`text` as this part's number; `SimulationError` stating the valid range."""
        kind = "a whole number" if self.whole else "a number"
        valid = (f"{kind} above {self.lo:g}, at most {self.hi:g}" if self.positive
                 else f"{kind} in {self.lo:g}..{self.hi:g}")
        try:
            value = float(int(text)) if self.whole else float(text)
        except ValueError:
            value = math.nan
        inside = self.lo < value <= self.hi if self.positive else self.lo <= value <= self.hi
        if not inside:  # NaN and infinities fail here too
            raise SimulationError(f"policy {spec!r}: {self.name} {text[:40]!r} must be {valid}; "
                                  f"use {SPECS}")
        return value


DAYS = Part("the number of days", whole=True, lo=1, hi=36_500)
"""A period of days (cadence, re-plan interval, days of cover): up to 100 years. [days]"""
BUFFER_DAYS = Part("the buffer", whole=False, lo=0, hi=36_500, positive=True)
"""Days of need a cadence shipment adds as buffer (positive). [days]"""
LEVEL = Part("the order-up-to level", whole=False, lo=0, hi=1e12, positive=True)
"""Units an order-up-to policy tops up to (positive, at most the ledger's limit). [units]"""
COVER_DAYS = Part("the days of cover", whole=False, lo=0, hi=36_500, positive=True)
"""Days of need an order-up-to policy tops up to (``Nd``). [days]"""


def split_specs(text: str, option: str = "--policies") -> list[str]:
    """The comma-separated specs of `text`, stripped; `SimulationError` when there are none."""
    specs = [s.strip() for s in text.split(",") if s.strip()]
    if not specs:
        raise SimulationError(f"{option} {text!r} names no policy; give a comma-separated list "
                              f"of {SPECS}")
    return specs


def _order_up_to(arg: str | None, spec: str) -> OrderUpToPolicy:
    if arg is None:
        return OrderUpToPolicy()
    if arg.endswith("d"):
        return OrderUpToPolicy(days=COVER_DAYS.parse(arg[:-1], spec))
    return OrderUpToPolicy(level=LEVEL.parse(arg, spec))


def parse_policy(spec: str, plan: PlanInput | None = None,
                 planner: Planner | None = None) -> Policy:
    """The policy a spec names; ``plan`` is needed for ``plan``, ``planner`` for rolling."""
    head, _, rest = spec.strip().partition(":")
    args = rest.split(":") if rest else []
    if head == "plan" and not args:
        if plan is None:
            raise SimulationError("policy 'plan' needs a plan (--plan DIR)")
        return PlanPolicy(plan)
    if head == "lump" and not args:
        return LumpPolicy()
    if head == "cadence" and len(args) in (1, 2):
        every = int(DAYS.parse(args[0], spec))
        buffer_days = BUFFER_DAYS.parse(args[1], spec) if len(args) == 2 else DEFAULT_BUFFER_DAYS
        return CadencePolicy(every, buffer_days)
    if head == "order-up-to" and len(args) <= 1:
        return _order_up_to(args[0] if args else None, spec)
    if head == "rolling" and len(args) == 1:
        if planner is None:
            raise SimulationError("policy 'rolling' needs the planner (resupply.planning)")
        return RollingPolicy(int(DAYS.parse(args[0], spec)), planner)
    raise SimulationError(f"unknown policy {spec!r}; use {SPECS}")
