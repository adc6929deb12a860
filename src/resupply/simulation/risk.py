"""What a stockout could have been prevented: the reference the risk figures are measured
against.

A simulated day of unmet demand at a depot is **avoidable** unless no supply could have met
it. Two things make a cell (family f, depot k, day t) *limited*, so that a shortfall there
is not held against a plan or policy:

- **nothing can arrive yet**: ``t`` is before the earliest day any donor holding an item of f
  can have it at k (release day + lead + transit, no delays); the depot's initial stock is
  all there is, whatever the policy;
- **the supply is short**: a reference plan (the planner's deterministic optimum against the
  mean need) is itself short there; demand that even the best use of every donor's stock and
  production cannot meet is not a failure of the tranche rule.

``scope`` [f] names the families whose avoidable stockouts make the headline risk (by default
ammunition that can be supplied; see `resupply.workflow`), and ``scale`` [f, k, t] the unit in
which a run's deficit is measured for sizing buffers: one daily standard deviation of demand
over the lead time (`demand_scale`), so that a buffer of ``z x scale`` is the textbook safety
stock ``z sigma sqrt(L + 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from resupply.compile.problem import F64, I64, Bool, Problem
from resupply.simulation.options import SimOptions, surge_factors
from resupply.simulation.policies import supply_lead

SHORT_PLAN = 1e-6
"""A reference plan's shortfall above this (relative to the need, plus this in units) makes a
cell limited. [1]"""


def first_arrival(problem: Problem) -> I64:
    """[f, k] earliest day any supply of family f can reach depot k: release + lead + transit
    over the donors holding an item of f (no delays); past the horizon when none can.
    [days]"""
    p = problem
    holds = p.donor_cumulative_available()[:, :, -1] > 0  # [d, i]
    at_hub = np.where(holds, p.release_day + p.lead_days[:, None], np.iinfo(np.int64).max // 4)
    by_item = at_hub.min(axis=0, initial=np.iinfo(np.int64).max // 4)  # [i]
    n_f = len(p.families)
    first_f = np.full(n_f, np.iinfo(np.int64).max // 4, dtype=np.int64)
    np.minimum.at(first_f, p.item_family, by_item)
    result: I64 = np.minimum(first_f[:, None] + p.transit_days[None, :], p.n_days)
    return result


def demand_scale(problem: Problem, options: SimOptions) -> F64:
    """[f, k, t] standard deviation of a day's demand times ``sqrt(L + 1)``, L the family's
    supply lead to the depot (`policies.supply_lead`): the unit of safety stock. [units]

    Daily variance at mean ``mu`` under the demand model: negative binomial ``mu + mu^2 / k``,
    Poisson ``mu``, normal ``(cv mu)^2``, fixed 0; surges (mean-preserving multipliers M) add
    ``E[M^2] (var at mu) + mu^2 Var(M)`` in place of the plain variance.
    """
    p, model = problem, options.demand
    mu = p.need
    if model.kind == "fixed":
        var = np.zeros_like(mu)
    elif model.kind == "normal":
        var = (model.cv * mu) ** 2
    elif model.kind == "scenario" and np.isfinite(p.demand_dispersion):
        var = mu + mu**2 / p.demand_dispersion
    else:
        var = mu.copy()
    if options.surges and p.surge_prob > 0:
        normal, surge = surge_factors(p.surge_prob, p.surge_multiplier)
        second = p.surge_prob * surge**2 + (1 - p.surge_prob) * normal**2
        var = second * var + mu**2 * (second - 1.0)
    lead = supply_lead(p).T  # [f, k]
    scale: F64 = np.sqrt(var) * np.sqrt(lead + 1.0)[:, :, None]
    return scale


@dataclass(frozen=True, eq=False)
class RiskReference:
    """Cells where shortfall is not avoidable, the families of the headline risk, and the unit
    of a deficit (see the module docstring)."""

    limited: Bool
    """[f, k, t] True where no supply could have met the need."""
    scope: Bool
    """[f] families whose avoidable stockouts count in the headline risk."""
    scale: F64
    """[f, k, t] unit of a run's deficit for buffer sizing (1 where demand cannot vary).
    [units]"""

    @classmethod
    def of(cls, problem: Problem, options: SimOptions, scope: Bool | None = None,
           plan_shortfall: F64 | None = None) -> RiskReference:
        """The reference of ``problem``: limited before the first arrival and, given a
        reference plan's ``plan_shortfall`` [f, k, t], wherever that plan is short."""
        t = np.arange(problem.n_days)
        limited = t[None, None, :] < first_arrival(problem)[:, :, None]
        if plan_shortfall is not None:
            limited = limited | (plan_shortfall > SHORT_PLAN * (1.0 + problem.need))
        scale = demand_scale(problem, options)
        n_f = len(problem.families)
        return cls(limited=limited,
                   scope=np.ones(n_f, dtype=bool) if scope is None else np.asarray(scope),
                   scale=np.where(scale > 0, scale, 1.0))
