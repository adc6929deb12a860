"""The tranche trade-off: expected strike loss against the probability of running out.

A policy is on the frontier when no other policy is at least as good on expected strike loss
[EUR], probability of an avoidable stockout [1] and expected days with one [days], and better
on one. The totals (avoidable or not) are kept beside them.

The risk counts only the families in ``scope``: a family that runs dry whatever the policy
(a legacy standard whose donors have nothing left) would make every policy's probability 1.
The CLI leaves out the families that run dry even with all donor supply sent at its earliest
release (`resupply explain`). The best
policy under a risk limit is the one with the least expected strike loss among those whose
avoidable-stockout probability is within the limit; when none is, the one least likely to run out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from resupply.simulation.metrics import inventory_per_run
from resupply.simulation.run import SimResult


@dataclass(frozen=True)
class PolicyPoint:
    """One policy's overall figures (means across runs)."""

    policy: str
    avoidable_prob: float
    """Share of runs with an avoidable stockout of a family in scope (`simulation.risk`). [1]"""
    avoidable_days: float
    """Days with avoidable unmet demand of a family in scope (never summed across families).
    [days]"""
    stockout_prob: float
    """Share of runs with a stockout of a family in scope, avoidable or not. [1]"""
    stockout_days: float
    """Days with unmet demand of a family in scope, avoidable or not. [days]"""
    fill_rate: float
    """[1]"""
    lost_value: float
    """Stock destroyed by strikes. [EUR]"""
    lost_tons: float
    """[t]"""
    peak_exposed_tons: float
    """[t]"""
    on_frontier: bool = False
    orders_per_day: float | None = None
    """Donor tranches per counted day (None: not recorded, in an older frontier). [1/day]"""
    cost_per_day: float | None = None
    """Holding + shortage + ordering cost per counted day, as `simulate` reports it
    (`resupply.simulation.metrics.inventory_per_run`; None: not recorded). [EUR/day]"""

    @classmethod
    def from_result(cls, result: SimResult) -> PolicyPoint:
        """The point of a simulation; its reference's scope selects the families counted."""
        tot = result.totals
        scope = result.reference.scope
        demand = tot.demand[:, :, scope].sum(axis=(1, 2))
        met = tot.met[:, :, scope].sum(axis=(1, 2))
        fill = np.divide(met, demand, out=np.ones_like(met), where=demand > 0)
        inventory = inventory_per_run(result)
        return cls(policy=result.policy,
                   avoidable_prob=float(np.mean(tot.avoid_scope_days > 0)),
                   avoidable_days=float(tot.avoid_scope_days.mean()),
                   stockout_prob=float(np.mean(tot.scope_short_days > 0)),
                   stockout_days=float(tot.scope_short_days.mean()), fill_rate=float(fill.mean()),
                   lost_value=float(tot.strike_loss.mean()),
                   lost_tons=float(tot.lost_tons.sum(axis=(1, 2)).mean()
                                   + tot.hub_lost_tons.sum(axis=1).mean()),
                   peak_exposed_tons=float(tot.peak_total_tons.mean()),
                   orders_per_day=float(inventory["orders_per_day"].mean()),
                   cost_per_day=float(inventory["cost_per_day"].mean()))

    def key(self) -> tuple[float, float, float]:
        """What the frontier compares: lower is better on each."""
        return (self.lost_value, self.avoidable_prob, self.avoidable_days)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def _dominates(a: PolicyPoint, b: PolicyPoint) -> bool:
    ka, kb = a.key(), b.key()
    return all(x <= y for x, y in zip(ka, kb, strict=True)) and ka != kb


@dataclass(frozen=True)
class Frontier:
    """Policies compared, with the frontier marked and the choice under the risk limit."""

    points: tuple[PolicyPoint, ...]
    risk_limit: float
    out_of_scope: tuple[str, ...]
    """Families left out of the risk (they run dry whatever the policy)."""
    best: str
    best_meets_limit: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"risk_limit": self.risk_limit, "out_of_scope": list(self.out_of_scope),
                "best": self.best,
                "best_meets_limit": self.best_meets_limit,
                "policies": [p.to_dict() for p in self.points]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Frontier:
        """Read `to_dict`'s form (``frontier.json``)."""
        return cls(points=tuple(PolicyPoint(**p) for p in data["policies"]),
                   risk_limit=float(data["risk_limit"]),
                   out_of_scope=tuple(data.get("out_of_scope", [])), best=str(data["best"]),
                   best_meets_limit=bool(data["best_meets_limit"]))

    @property
    def best_point(self) -> PolicyPoint:
        """The figures of the best policy."""
        return next(p for p in self.points if p.policy == self.best)

    def point(self, policy: str) -> PolicyPoint | None:
        """The figures of a policy, or None when it was not compared."""
        return next((p for p in self.points if p.policy == policy), None)


def frontier(points: list[PolicyPoint], risk_limit: float,
             out_of_scope: tuple[str, ...] = ()) -> Frontier:
    """Mark the frontier and pick the best policy with stockout probability <= risk_limit."""
    marked = tuple(PolicyPoint(**{**asdict(p), "on_frontier": not any(
        _dominates(q, p) for q in points)}) for p in points)
    within = [p for p in marked if p.avoidable_prob <= risk_limit]
    if within:
        best = min(within, key=lambda p: (p.lost_value, p.avoidable_days))
    else:
        best = min(marked, key=lambda p: (p.avoidable_prob, p.avoidable_days, p.lost_value))
    return Frontier(points=marked, risk_limit=risk_limit, out_of_scope=out_of_scope,
                    best=best.policy,
                    best_meets_limit=bool(within))
