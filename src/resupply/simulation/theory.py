"""Closed-form results of the periodic-review order-up-to (base-stock) policy, for calibration.

Textbook setting (e.g. Zipkin, *Foundations of Inventory Management*, ch. 6; Snyder and Shen,
*Fundamentals of Supply Chain Theory*, ch. 4): one item, review every period, order placed at
the start of the period before demand, lead time L periods, unmet demand backordered, i.i.d.
demand D per period. The inventory position after ordering is the level S, so the net
inventory at the end of a period is ``S - D_{L+1}``, with ``D_m`` the demand of m periods:

- expected backorders ``B = E[(D_{L+1} - S)^+]`` (the loss function);
- expected on hand ``I = E[(S - D_{L+1})^+] = S - E[D_{L+1}] + B``;
- expected cost per period ``h I + p B``;
- fill rate (share of demand met on its day) ``1 - (E[(D_{L+1} - S)^+] - E[(D_L - S)^+]) / mu``.

Normal demand uses the standard normal loss function ``G(z) = phi(z) - z (1 - Phi(z))``:
``E[(D_m - S)^+] = sigma_m G((S - mu_m) / sigma_m)`` with ``mu_m = m mu`` and
``sigma_m = sqrt(m) sigma``. Poisson demand uses ``E[(X - S)^+] = lambda P(X >= S) - S P(X > S)``.

The engine reproduces this with `SimOptions(backorders=True)` and `OrderUpToPolicy(level=S)`
(``resupply simulate ... --policy order-up-to:S --backorders``), a donor with unlimited stock
and lead L, hub and depot without limits, no strikes: tests/simulation/test_sim_theory.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class BaseStockFigures:
    """Steady-state figures per period of an order-up-to policy."""

    on_hand: float
    """Expected on hand at the end of a period. [units]"""
    backorders: float
    """Expected backorders at the end of a period. [units]"""
    fill_rate: float
    """Expected share of demand met in the period it arises. [1]"""
    cost: float
    """Expected holding + backorder cost per period. [EUR/period]"""


def normal_loss(z: float) -> float:
    """Standard normal loss function ``G(z) = E[(Z - z)^+]``. [1]"""
    return float(stats.norm.pdf(z) - z * stats.norm.sf(z))


def _normal_excess(mean: float, sd: float, periods: int, level: float) -> float:
    if periods == 0:
        return max(-level, 0.0)
    sigma = sd * math.sqrt(periods)
    return sigma * normal_loss((level - mean * periods) / sigma)


def _poisson_excess(mean: float, periods: int, level: float) -> float:
    lam = mean * periods
    if lam == 0:
        return max(-level, 0.0)
    s = math.floor(level)  # integer demand: (X - S)^+ for non-integer S by its floor, + frac
    frac = level - s
    excess = lam * stats.poisson.sf(s - 1, lam) - s * stats.poisson.sf(s, lam)
    return float(excess - frac * stats.poisson.sf(s, lam))


def _figures(mean: float, lead: int, level: float, *, h: float, p: float,
             excess_of: dict[int, float]) -> BaseStockFigures:
    backorders = excess_of[lead + 1]
    on_hand = level - mean * (lead + 1) + backorders
    fill = 1.0 - (excess_of[lead + 1] - excess_of[lead]) / mean
    return BaseStockFigures(on_hand=on_hand, backorders=backorders, fill_rate=fill,
                            cost=h * on_hand + p * backorders)


def base_stock_normal(mean: float, sd: float, lead: int, level: float, *, h: float,
                      p: float) -> BaseStockFigures:
    """Figures for normal demand N(mean, sd^2) per period. [units/period], [EUR/(unit period)]

    >>> round(base_stock_normal(100, 20, 0, 100, h=1, p=9).backorders, 3)
    7.979
    """
    excess = {m: _normal_excess(mean, sd, m, level) for m in (lead, lead + 1)}
    return _figures(mean, lead, level, h=h, p=p, excess_of=excess)


def base_stock_poisson(mean: float, lead: int, level: float, *, h: float,
                       p: float) -> BaseStockFigures:
    """Figures for Poisson demand with the given mean per period.

    >>> round(base_stock_poisson(1.0, 0, 0, h=1, p=1).backorders, 6)
    1.0
    """
    excess = {m: _poisson_excess(mean, m, level) for m in (lead, lead + 1)}
    return _figures(mean, lead, level, h=h, p=p, excess_of=excess)


def optimal_level_normal(mean: float, sd: float, lead: int, *, h: float, p: float) -> float:
    """Cost-minimising S for normal demand: ``mu_{L+1} + sigma_{L+1} Phi^-1(p / (p + h))``.
    [units]"""
    periods = lead + 1
    return float(mean * periods + sd * math.sqrt(periods) * stats.norm.ppf(p / (p + h)))
