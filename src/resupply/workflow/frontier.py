"""The frontier of certified plans: at each risk level, the certified plan beside simple
policies tuned to the same certified level, so that strike losses are compared at equal risk.

A simple policy is tuned on its one parameter (the buffer days of ``cadence:N:B``, the cover
days of ``order-up-to:Nd``): first a coarse grid (`GRID` values, log-spaced over its range),
judged on the calibration runs (the calibration seed) against the calibration target of the
level (`certify.calibration_target`); of the values that meet it, the one with the least
strike loss (the risk need not fall as the parameter grows everywhere: more cover also means
full depots and more exposed stock, so the grid comes first); then `REFINE` bisection steps
(geometric) between that value and the largest smaller one that fails, where less cover
means less exposed stock: a grid alone would leave the policy up to one grid step (a factor
of about 4) above the cover it needs, and the comparison unfair to it. When no grid value
meets the target, `REFINE` rounds of bisection around the least risky one look for a value
that does (`least_risk`; on ukraine-2022 over its hubs the grid's 30.5 and 120 days both
missed every level); when none does, the least risky. The tuned policy is then certified
like a plan on fresh runs of the certification seed, with the same reference of what counts
as avoidable. Every point carries its bound.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from resupply.compile import Problem
from resupply.compile.problem import Bool
from resupply.errors import PlanningError
from resupply.simulation import SimResult, simulate
from resupply.simulation.frontier import PolicyPoint
from resupply.simulation.policies import Policy
from resupply.simulation.policy_spec import CadenceSpec, OrderUpToSpec, PolicySpec
from resupply.simulation.risk import RiskReference
from resupply.simulation.specs import build_policy
from resupply.workflow.certify import (
    Certificate,
    CertifyOptions,
    calibration_target,
    certify,
    clopper_pearson_upper,
    parse_risk,
)

GRID = 5
"""Values of a tuned policy's parameter tried first, log-spaced over its range."""
REFINE = 3
"""Bisection steps below the best grid value (`tune`)."""


@dataclass(frozen=True)
class Tunable:
    """A simple policy with one parameter, and the range to search. [days]"""

    label: str
    make: Callable[[float], PolicySpec]
    low: float
    high: float


TUNABLES = (
    Tunable("cadence:7 (buffer days)", lambda b: CadenceSpec(7, b), 0.5, 120.0),
    Tunable("order-up-to (cover days)", lambda d: OrderUpToSpec(days=d), 0.5, 120.0),
)
"""The simple policies the frontier tunes to each risk level."""


@dataclass(frozen=True)
class CertifiedPoint:
    """A policy at a risk level: its figures on the certification runs and its bound."""

    level: float
    """The risk level it was tuned or certified to. [1]"""
    kind: str
    """``certified plan`` or the tuned policy's label."""
    point: PolicyPoint
    upper_bound: float
    """One-sided Clopper-Pearson bound of its avoidable-stockout probability. [1]"""
    meets: bool
    """True when the bound is within the level."""

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {"level": self.level, "kind": self.kind, "upper_bound": self.upper_bound,
                "meets": self.meets, **self.point.to_dict()}


def _simulate(problem: Problem, policy: Policy, options: CertifyOptions, *, seed: int,
              runs: int, reference: RiskReference) -> SimResult:
    return simulate(problem, policy, options.runs_of(seed=seed, runs=runs), reference=reference)


Trial = tuple[float, PolicyPoint]
"""A value of a tuned parameter and the policy's figures on the calibration runs."""


def least_risk(trial: Callable[[float], Trial], tried: list[Trial], target: float,
               steps: int) -> list[Trial]:
    """When no value tried meets ``target``: ``steps`` rounds of geometric bisection from the
    least risky value toward each of its neighbours (the risk is not monotone in the cover:
    too little runs out, too much fills the depots and is struck), stopping at the first
    round that finds a value meeting it. Returns every value tried, in order of value."""
    tried = sorted(tried, key=lambda t: t[0])
    for _ in range(steps):
        n = min(range(len(tried)), key=lambda j: tried[j][1].avoidable_prob)
        value = tried[n][0]
        new = [trial(float(np.sqrt(tried[j][0] * value)))
               for j in (n - 1, n + 1) if 0 <= j < len(tried)]
        tried = sorted(tried + new, key=lambda t: t[0])
        if any(pt.avoidable_prob <= target for _, pt in new):
            break
    return tried


def tune(problem: Problem, tunable: Tunable, options: CertifyOptions,
         reference: RiskReference) -> CertifiedPoint:
    """The tuned policy at ``options.risk`` (see the module docstring)."""
    target = calibration_target(options.risk, options.certification_runs, options.confidence)

    def trial(value: float) -> tuple[float, PolicyPoint]:
        sim = _simulate(problem, build_policy(tunable.make(value)), options, seed=options.seed,
                        runs=options.calibration_runs, reference=reference)
        return value, PolicyPoint.from_result(sim)

    tried = [trial(float(v)) for v in np.geomspace(tunable.low, tunable.high, GRID)]
    if not any(pt.avoidable_prob <= target for _, pt in tried):
        tried = least_risk(trial, tried, target, REFINE)
    meeting = [t for t in tried if t[1].avoidable_prob <= target]
    if meeting:
        best = min(meeting, key=lambda t: t[1].lost_value)
        low = max((v for v, pt in tried if v < best[0] and pt.avoidable_prob > target),
                  default=None)
        high = best[0]
        for _ in range(REFINE if low is not None else 0):
            assert low is not None
            mid = trial(float(np.sqrt(low * high)))
            if mid[1].avoidable_prob <= target:
                high, best = mid[0], min(best, mid, key=lambda t: t[1].lost_value)
            else:
                low = mid[0]
    else:
        best = min(tried, key=lambda t: t[1].avoidable_prob)
    spec = tunable.make(best[0])
    fresh = _simulate(problem, build_policy(spec), options, seed=options.fresh_seed,
                      runs=options.certification_runs, reference=reference)
    failures = int(np.sum(fresh.totals.avoid_scope_days > 0))
    bound = clopper_pearson_upper(failures, fresh.runs, options.confidence)
    return CertifiedPoint(options.risk, tunable.label, PolicyPoint.from_result(fresh), bound,
                          bound <= options.risk)


def plan_point(cert: Certificate) -> CertifiedPoint:
    """The certified plan as a point, from its certification runs (kept by the certificate:
    the same seed would give the same runs)."""
    return CertifiedPoint(cert.options.risk, "certified plan", cert.point, cert.upper_bound,
                          cert.status == "certified")


def parse_levels(text: str) -> list[float]:
    """Risk levels as a user writes them: ``1,2,5,10,20%`` (a trailing % applies to all),
    ``0.01,0.05`` or ``1%,5%``."""
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise PlanningError("--risk-levels: give levels such as 1,2,5,10,20%")
    percent = items[-1].endswith("%")
    return sorted({parse_risk(t if t.endswith("%") or not percent else f"{t}%") for t in items})


def finding(points: Sequence[CertifiedPoint], level: float) -> str:
    """The frontier's finding at ``level``, in words: the certified plan's strike loss against
    the best simple policy tuned to the same certified level."""
    at = [p for p in points if p.level == level]
    plan = next((p for p in at if p.kind == "certified plan"), None)
    simple = [p for p in at if p.kind != "certified plan" and p.meets]
    if plan is None or not plan.meets:
        return f"at {level:.0%} risk no plan could be certified"
    loss = plan.point.lost_value
    if not simple:
        return (f"at {level:.0%} risk the certified plan loses {euros(loss)} to strikes; no "
                "simple policy tuned here meets that risk")
    best = min(simple, key=lambda p: p.point.lost_value)
    change = 1.0 - loss / best.point.lost_value if best.point.lost_value > 0 else 0.0
    word = "less" if change >= 0 else "more"
    return (f"at {level:.0%} risk the certified plan loses {euros(loss)} to strikes, "
            f"{abs(change):.0%} {word} than {best.point.policy} tuned to the same risk "
            f"({euros(best.point.lost_value)})")


def euros(value: float) -> str:
    """An amount as a minister reads it: ``EUR 12.3 M`` from a million, else ``EUR 45,600``."""
    return f"EUR {value / 1e6:,.1f} M" if abs(value) >= 1e6 else f"EUR {value:,.0f}"


def certified_frontier(problem: Problem, levels: Sequence[float], options: CertifyOptions,
                       scope: Bool, tunables: Sequence[Tunable] = TUNABLES
                       ) -> tuple[list[CertifiedPoint], list[Certificate]]:
    """At each level: the certified plan and every tunable policy tuned to it, all judged
    against the certified plan's reference (what counts as avoidable). The deterministic plan
    is solved and simulated once for all levels."""
    points: list[CertifiedPoint] = []
    certificates: list[Certificate] = []
    for level in levels:
        at = replace(options, risk=level)
        start = certificates[0].deterministic_start() if certificates else None
        cert = certify(problem, at, scope, start)
        certificates.append(cert)
        reference = cert.reference()
        points.append(plan_point(cert))
        points += [tune(problem, t, at, reference) for t in tunables]
    return points, certificates



