"""What a stockout could have been prevented: the reference the risk figures are measured
against.

A simulated day of unmet demand at a depot is **avoidable** unless no supply could have met
it. Two things make a cell (family f, depot k, day t) *limited*, so that a shortfall there
is not held against a plan or policy:

- **supply cannot be relied on yet**: by day ``t`` the family's need to date beyond each
  depot's own initial stock (stock does not move between depots), summed over depots, exceeds
  all the supply that could reliably have reached depot k by then: each donor's stock and
  production available at ``t - lead - transit[k]``, less the
  95th percentile (`RELIABLE`) of the random release slip and tranche delay when the
  simulation draws them (`reliable_cover`). While a new family's supply ramps up, or before
  the first tranche can land, no policy can be held to it;
- **the supply is short**: a reference plan (the planner's deterministic optimum against the
  mean need) is itself short there; demand that even the best use of every donor's stock and
  production cannot meet is not a failure of the tranche rule.

``scope`` [f] names the families whose avoidable stockouts make the headline risk (by default
ammunition that can be supplied; see `resupply.workflow`), and ``scale`` [f, k, t] the unit in
which a run's deficit at a depot is measured for sizing buffers: one daily standard deviation
of demand over the lead time (`demand_scale`), so that a buffer of ``z x scale`` is the
textbook safety stock ``z sigma sqrt(L + 1)``; ``hub_scale`` [f, t], a day of need, the unit
of the hub reserve (what a late tranche takes away is days of need).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from resupply.compile.problem import F64, I64, Bool, Problem
from resupply.simulation.draws import DELAY_CAP_MEANS
from resupply.simulation.options import SimOptions, surge_factors
from resupply.simulation.policies import supply_lead

RELIABLE = 0.95
"""Supply counts as able to arrive from the day this share of tranches would have arrived
(quantile of the geometric release slip and delay). [1]"""
SHORT_PLAN = 1e-6
"""A reference plan's shortfall above this (relative to the need, plus this in units) makes a
cell limited. [1]"""


def geometric_quantile(mean: F64, q: float) -> I64:
    """Whole days d with P(D <= d) >= q for the simulator's geometric delays of mean ``mean``
    (P(D >= d) = (m / (1 + m))^d, capped at `DELAY_CAP_MEANS` means; 0 where the mean is 0).
    [days]"""
    m = np.asarray(mean, dtype=np.float64)
    ratio = np.where(m > 0, m / (1.0 + m), 0.5)
    tail = max(1.0 - q, 1e-300)
    days = np.minimum(np.ceil(np.log(tail) / np.log(ratio) - 1.0), np.ceil(DELAY_CAP_MEANS * m))
    result: I64 = np.where(m > 0, np.maximum(days, 0.0), 0.0).astype(np.int64)
    return result


def reliable_lag(p: Problem, delays: bool, reliable: float = RELIABLE) -> I64:
    """[d, i] days from a dispatch to its reliable arrival at the hub: the donor's lead, plus
    the ``reliable`` quantile of the item's release slip and the donor's tranche delay when
    the simulation draws them. [days]"""
    lag = np.broadcast_to(p.lead_days[:, None], p.release_day.shape).astype(np.int64)
    if delays:
        lag = lag + (geometric_quantile(p.release_slip_mean, reliable)
                     + geometric_quantile(p.delay_mean, reliable)[:, None])
    result: I64 = lag
    return result


def reliable_cover(problem: Problem, delays: bool = False,
                   reserve_days: F64 | None = None, reliable: float = RELIABLE) -> Bool:
    """[f, k, t] True where the family's initial stock plus the supply that could reliably
    have reached depot k by day t covers the family's need to date (see the module
    docstring), plus ``reserve_days[f]`` days of the day's need when given (a reserve that
    must be in place too); ``reliable`` the quantile of slip and delay. [1]"""
    p = problem
    avail = p.donor_cumulative_available()  # [d, i, t]
    lag = reliable_lag(p, delays, reliable)
    onehot = np.eye(len(p.families))[p.item_family]  # [i, f]
    t = np.arange(p.n_days)
    initial = np.einsum("ik,if->fk", p.initial_stock, onehot)  # [f, k]
    # what the depots need beyond their own initial stock (stock does not move between depots)
    need = np.maximum(np.cumsum(p.need, axis=2) - initial[:, :, None], 0.0).sum(axis=1)
    if reserve_days is not None:
        need = need + reserve_days[:, None] * p.need.sum(axis=1)
    cover = np.zeros(p.need.shape, dtype=bool)
    for k, transit in enumerate(p.transit_days):
        sent_by = t[None, None, :] - (lag[:, :, None] + transit)
        released = sent_by >= p.release_day[:, :, None]
        arrived = np.where(released & (sent_by >= 0),
                           np.take_along_axis(avail, np.clip(sent_by, 0, p.n_days - 1), 2), 0.0)
        supply = np.einsum("dit,if->ft", arrived, onehot)
        cover[:, k, :] = supply >= need * (1.0 - 1e-9)
    return cover


def first_arrival(problem: Problem, delays: bool = False, major: float = 0.0,
                  reliable: float = RELIABLE) -> I64:
    """[f, k] day supply of family f can first reach depot k: release + lead + transit over
    the donors holding an item of f, with the `RELIABLE` quantile of release slip and
    tranche delay when ``delays``; past the horizon when none can. With ``major`` > 0, the
    *latest* such day over the donors holding at least that share of the family's supply
    (when the main donors' first tranches can be relied on); ``reliable`` the quantile of
    slip and delay. [days]"""
    p = problem
    if major > 0:
        return _major_arrival(p, delays, major, reliable)
    holds = p.donor_cumulative_available()[:, :, -1] > 0  # [d, i]
    at_hub = np.where(holds, p.release_day + reliable_lag(p, delays, reliable),
                      np.iinfo(np.int64).max // 4)
    by_item = at_hub.min(axis=0, initial=np.iinfo(np.int64).max // 4)  # [i]
    n_f = len(p.families)
    first_f = np.full(n_f, np.iinfo(np.int64).max // 4, dtype=np.int64)
    np.minimum.at(first_f, p.item_family, by_item)
    result: I64 = np.minimum(first_f[:, None] + p.transit_days[None, :], p.n_days)
    return result


def _major_arrival(p: Problem, delays: bool, major: float, reliable: float) -> I64:
    """`first_arrival` with ``major``: the latest reliable first arrival of the donors holding
    at least that share of each family's supply. [days]"""
    onehot = np.eye(len(p.families))[p.item_family]  # [i, f]
    held = p.donor_cumulative_available()[:, :, -1]  # [d, i]
    supply = held @ onehot  # [d, f]
    share = supply / np.maximum(supply.sum(axis=0, keepdims=True), 1e-12)
    never = np.iinfo(np.int64).max // 4
    day = np.where(held > 0, p.release_day + reliable_lag(p, delays, reliable), never)
    by_family = np.stack([day[:, p.item_family == f].min(axis=1, initial=never)
                          for f in range(len(p.families))], axis=1)  # [d, f]
    main = np.where(share >= major, by_family, -1).max(axis=0)  # [f]
    result: I64 = np.minimum(main[:, None] + p.transit_days[None, :], p.n_days)
    return result


def demand_scale(problem: Problem, options: SimOptions) -> F64:
    """[f, k, t] standard deviation of a day's demand times ``sqrt(L + 1)``, L the family's
    supply lead to the depot (`policies.supply_lead`): the unit of safety stock. [units]

    Daily variance at mean ``mu`` under the demand model: negative binomial ``mu + mu^2 / k``,
    Poisson ``mu``, normal and lognormal ``(cv mu)^2``, fixed 0; surges (mean-preserving
    multipliers M) add ``E[M^2] (var at mu) + mu^2 Var(M)`` in place of the plain variance.
    """
    p, model = problem, options.demand
    mu = p.need
    if model.kind == "fixed":
        var = np.zeros_like(mu)
    elif model.kind in ("normal", "lognormal"):
        var = (model.cv * mu) ** 2
    elif model.kind == "scenario" and np.isfinite(p.demand_cv):
        var = (p.demand_cv * mu) ** 2
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
    """[f, k, t] unit of a run's deficit at a depot for buffer sizing (1 where demand cannot
    vary). [units]"""
    hub_scale: F64
    """[f, t] unit of a run's deficit at the hub: a day of the family's need over all
    depots (1 where there is none), so that a hub reserve is sized in days of need, the shape
    of a late tranche. [units]"""

    @classmethod
    def of(cls, problem: Problem, options: SimOptions, scope: Bool | None = None,
           plan_shortfall: F64 | None = None) -> RiskReference:
        """The reference of ``problem``: limited before the first arrival and, given a
        reference plan's ``plan_shortfall`` [f, k, t], wherever that plan is short."""
        t = np.arange(problem.n_days)
        limited = ((t[None, None, :] < first_arrival(problem, options.delays)[:, :, None])
                   | ~reliable_cover(problem, options.delays))
        if plan_shortfall is not None:
            limited = limited | (plan_shortfall > SHORT_PLAN * (1.0 + problem.need))
        scale = demand_scale(problem, options)
        n_f = len(problem.families)
        day_of_need = problem.need.sum(axis=1)
        return cls(limited=limited,
                   scope=np.ones(n_f, dtype=bool) if scope is None else np.asarray(scope),
                   scale=np.where(scale > 0, scale, 1.0),
                   hub_scale=np.where(day_of_need > 0, day_of_need, 1.0))
