"""Metrics of a `SimResult`: per family, standard, depot and overall, mean and P5/P50/P95
across runs; and daily percentile bands of days of supply.

Definitions (per run, then summarised across runs):

- **stockout_prob**: share of runs with at least one day of unmet demand. [1]
- **stockout_days**: days with unmet demand (at any depot, of any family in scope). [days]
- **fill_rate**: demand met on the day it arose / demand (1 when nothing was demanded). [1]
- **short**: demand not met on its day, in the family's units (rounds short). [units]
- **lost_units / lost_tons / lost_value**: stock destroyed by strikes. [units, t, EUR]
- **peak_exposed_tons**: largest depot stock when strikes fall (depots, overall). [t]
- **avoidable**: the same stockout figures counting only unmet demand that some supply could
  have met (outside the reference's limited cells, `resupply.simulation.risk`): ``stockout_prob``,
  ``stockout_days`` (days, never summed across families) and ``short`` [units]. Overall, they
  count the families in the reference's scope; ``scope`` gives the total (avoidable or not)
  for the same families.
- **runs_dry**: the first day a family has unmet demand with no stock left at any depot;
  ``probability`` of it happening and P5/P50/P95 dates (``null``: later than the horizon).
- **inventory** (overall): mean on hand and backorders at day end, orders per day (donor
  tranches: a donor sending anything on a day places one order) and cost per day
  ``h on_hand + p backorders + sum_d K_d orders_d`` with the scenario's weights h and p and
  each donor's fixed cost per tranche K_d (`inventory_per_run`). [units, 1/day, EUR/day]
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from resupply.compile.problem import F64, Problem
from resupply.simulation.run import SimResult
from resupply.simulation.state import DOS_BIN_DAYS, Totals

QUANTILES = (5, 50, 95)


def stats(values: F64) -> dict[str, float]:
    """Mean and P5/P50/P95 of per-run values."""
    q = np.percentile(values, QUANTILES) if len(values) else [np.nan] * 3
    return {"mean": float(np.mean(values)) if len(values) else float("nan"),
            **{f"p{n}": float(v) for n, v in zip(QUANTILES, q, strict=True)}}


def _fill(met: F64, demand: F64) -> F64:
    result: F64 = np.divide(met, demand, out=np.ones_like(met), where=demand > 0)
    return result


def _flows(tot: Totals, keep: F64, axis: tuple[int, ...], *, hub: bool = True
           ) -> dict[str, Any]:
    """Metrics of the [r, k, f] flows weighted by ``keep`` (0/1 over k and f); with ``hub``
    the losses also count what strikes on the hub destroyed of the slice's families (a slice
    over every depot: overall, a family, a standard; not a depot's)."""
    demand = (tot.demand * keep).sum(axis=axis)
    met = (tot.met * keep).sum(axis=axis)
    families = np.broadcast_to(keep, (1, *tot.demand.shape[1:]))[0].max(axis=0) * hub  # [f]
    lost = [(part * keep).sum(axis=axis) + (at_hub * families).sum(axis=1)
            for part, at_hub in ((tot.lost_units, tot.hub_lost_units),
                                 (tot.lost_tons, tot.hub_lost_tons),
                                 (tot.lost_value, tot.hub_lost_value))]
    return {"fill_rate": stats(_fill(met, demand)), "short": stats(demand - met),
            "lost_units": stats(lost[0]), "lost_tons": stats(lost[1]),
            "lost_value": stats(lost[2])}


def _short(days: F64) -> dict[str, Any]:
    return {"stockout_prob": float(np.mean(days > 0)) if len(days) else float("nan"),
            "stockout_days": stats(days)}


def _avoidable(days: F64, short: F64) -> dict[str, Any]:
    """Avoidable figures from per-run days with avoidable unmet demand and units short."""
    return {"avoidable": {**_short(days), "short": stats(short)}}


def _dry(problem: Problem, days: F64) -> dict[str, Any]:
    never = np.where(days < 0, np.inf, days)
    out: dict[str, Any] = {"probability": float(np.mean(days >= 0))}
    for q in QUANTILES:
        day = float(np.percentile(never, q, method="inverted_cdf"))
        out[f"p{q}"] = (None if not np.isfinite(day)
                        else (problem.start + dt.timedelta(days=int(day))).isoformat())
    return out


def _families(result: SimResult) -> dict[str, Any]:
    p, tot = result.problem, result.totals
    out = {}
    for f, fam in enumerate(p.families):
        keep = np.zeros((1, len(p.depots), len(p.families)))
        keep[:, :, f] = 1.0
        out[fam] = {"standard": p.standards[p.family_standard[f]], "unit": p.family_units[f],
                    **_short(tot.family_short_days[:, f]), **_flows(tot, keep, (1, 2)),
                    **_avoidable(tot.avoid_family_days[:, f], tot.avoid_short[:, :, f].sum(1)),
                    "peak_stock": stats(tot.peak_family[:, f]),
                    "runs_dry": _dry(p, tot.dry_day[:, f].astype(float))}
    return out


def _standards(result: SimResult) -> dict[str, Any]:
    p, tot = result.problem, result.totals
    out = {}
    for s, std in enumerate(p.standards):
        keep = (p.family_standard == s).astype(float)[None, None, :]
        mine = p.family_standard == s
        out[std] = {**_short(tot.standard_short_days[:, s]), **_flows(tot, keep, (1, 2)),
                    "avoidable": {"stockout_prob": float(np.mean(
                        tot.avoid_family_days[:, mine].sum(axis=1) > 0)),
                        "short": stats(tot.avoid_short[:, :, mine].sum(axis=(1, 2)))}}
    return out


def _depots(result: SimResult) -> dict[str, Any]:
    p, tot = result.problem, result.totals
    out = {}
    for k, depot in enumerate(p.depots):
        keep = np.zeros((1, len(p.depots), 1))
        keep[:, k] = 1.0
        out[depot] = {**_short(tot.depot_short_days[:, k]),
                      **_flows(tot, keep, (1, 2), hub=False),
                      "avoidable": {"stockout_prob": float(np.mean(
                          tot.avoid_short_days[:, k].sum(axis=1) > 0)),
                          "short": stats(tot.avoid_short[:, k].sum(axis=1))},
                      "peak_exposed_tons": stats(tot.peak_tons[:, k])}
    return out


def inventory_per_run(result: SimResult) -> dict[str, F64]:
    """[r] per counted day of each run: on hand and backorders at day end [units], orders
    (donor tranches) [1/day], and the cost ``h on_hand + p backorders + sum_d K_d orders_d``
    [EUR/day] (h, p: `Problem.holding_cost`, `backorder_cost`; K: `tranche_fixed_cost`)."""
    p, tot = result.problem, result.totals
    days = max(tot.counted_days, 1)
    on_hand = tot.onhand_days.sum(axis=(1, 2)) / days
    backorders = tot.backorder_days.sum(axis=(1, 2)) / days
    orders = tot.orders.sum(axis=1) / days
    ordering = tot.orders @ p.tranche_fixed_cost / days
    cost = p.holding_cost * on_hand + p.backorder_cost * backorders + ordering
    return {"on_hand": on_hand, "backorders": backorders, "orders_per_day": orders,
            "cost_per_day": cost}


def _inventory(result: SimResult) -> dict[str, Any]:
    figures = inventory_per_run(result)
    return {**{name: stats(values) for name, values in figures.items()},
            "days_counted": result.totals.counted_days}


def summarize(result: SimResult) -> dict[str, Any]:
    """All metrics of a result, JSON-ready (see the module docstring)."""
    p, tot, o = result.problem, result.totals, result.options
    return {
        "scenario": p.name, "scenario_hash": p.scenario_hash, "policy": result.policy,
        "runs": result.runs, "runs_asked": o.runs, "partial": result.partial, "seed": o.seed,
        "block_runs": o.block_runs, "seconds": round(result.seconds, 3),
        "options": {"demand": o.demand.kind, "cv": o.demand.cv, "strikes": o.strikes,
                    "expected_strikes": o.expected_strikes, "delays": o.delays,
                    "surges": o.surges, "pauses": o.pauses, "backorders": o.backorders,
                    "warmup_days": o.warmup_days},
        "overall": {**_short(tot.any_short_days), **_flows(tot, np.ones((1, 1, 1)), (1, 2)),
                    **_avoidable(tot.avoid_scope_days,
                                 tot.avoid_short[:, :, result.reference.scope].sum(axis=(1, 2))),
                    "scope": {"families": [f for f, keep in zip(
                        p.families, result.reference.scope, strict=True) if keep],
                              **_short(tot.scope_short_days)},
                    "peak_exposed_tons": stats(tot.peak_total_tons),
                    "inventory": _inventory(result)},
        "families": _families(result), "standards": _standards(result),
        "depots": _depots(result),
    }


def _hist_quantile(counts: np.ndarray, q: float) -> F64:
    """[t, f] lower edge of the bin holding quantile ``q`` of each histogram. [days]"""
    cum = np.cumsum(counts, axis=2)
    target = q * cum[:, :, -1:]
    index = (cum < target).sum(axis=2)
    result: F64 = index * DOS_BIN_DAYS
    return result


def bands(result: SimResult) -> pd.DataFrame:
    """Daily bands per family: mean stock over all depots [units] and P5/P50/P95 days of
    supply (stock / next day's need, 0.5-day resolution, 365 meaning 365 or more or no need)."""
    p, tot = result.problem, result.totals
    runs = max(result.runs, 1)
    n_t, n_f = p.n_days, len(p.families)
    frame = pd.DataFrame({
        "day": np.repeat(np.arange(n_t), n_f),
        "date": np.repeat(p.dates, n_f),
        "family": np.tile(np.array(p.families, dtype=object), n_t),
        "standard": np.tile(np.array([p.standards[s] for s in p.family_standard],
                                     dtype=object), n_t),
        "stock_mean": (tot.stock_sum.sum(axis=1) / runs).ravel(),
    })
    for q in QUANTILES:
        frame[f"dos_p{q}"] = _hist_quantile(tot.dos_hist, q / 100.0).ravel()
    return frame
