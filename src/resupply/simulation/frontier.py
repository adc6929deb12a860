"""The tranche trade-off: expected strike loss against the probability of running out.

A policy is on the frontier when no other policy is at least as good on expected strike loss
[EUR], stockout probability [1] and expected stockout days [days], and better on one.

The risk counts only the families in ``scope``: a family that runs dry whatever the policy
(a legacy standard whose donors have nothing left) would make every policy's probability 1.
The CLI leaves out the families that run dry even with all donor supply sent at its earliest
release (`resupply explain`). The best
policy under a risk limit is the one with the least expected strike loss among those whose
stockout probability is within the limit; when none is, the one least likely to run out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from resupply.compile.problem import Bool
from resupply.simulation.run import SimResult


@dataclass(frozen=True)
class PolicyPoint:
    """One policy's overall figures (means across runs)."""

    policy: str
    stockout_prob: float
    """Share of runs with a stockout of a family in scope. [1]"""
    stockout_days: float
    """Family-days with unmet demand, families in scope. [days]"""
    fill_rate: float
    """[1]"""
    lost_value: float
    """Stock destroyed by strikes. [EUR]"""
    lost_tons: float
    """[t]"""
    peak_exposed_tons: float
    """[t]"""
    on_frontier: bool = False

    @classmethod
    def from_result(cls, result: SimResult, scope: Bool) -> PolicyPoint:
        """The point of a simulation; ``scope[f]`` selects the families the risk counts."""
        tot = result.totals
        short = tot.family_short_days[:, scope]
        demand, met = tot.demand.sum(axis=(1, 2)), tot.met.sum(axis=(1, 2))
        fill = np.divide(met, demand, out=np.ones_like(met), where=demand > 0)
        return cls(policy=result.policy, stockout_prob=float(np.mean((short > 0).any(axis=1))),
                   stockout_days=float(short.sum(axis=1).mean()), fill_rate=float(fill.mean()),
                   lost_value=float(tot.lost_value.sum(axis=(1, 2)).mean()),
                   lost_tons=float(tot.lost_tons.sum(axis=(1, 2)).mean()),
                   peak_exposed_tons=float(tot.peak_total_tons.mean()))

    def key(self) -> tuple[float, float, float]:
        """What the frontier compares: lower is better on each."""
        return (self.lost_value, self.stockout_prob, self.stockout_days)

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
    within = [p for p in marked if p.stockout_prob <= risk_limit]
    if within:
        best = min(within, key=lambda p: (p.lost_value, p.stockout_days))
    else:
        best = min(marked, key=lambda p: (p.stockout_prob, p.stockout_days, p.lost_value))
    return Frontier(points=marked, risk_limit=risk_limit, out_of_scope=out_of_scope,
                    best=best.policy,
                    best_meets_limit=bool(within))
