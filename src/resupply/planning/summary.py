"""Summaries of a plan, per family and per donor, as DataFrames (the CLI only prints them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from resupply.planning.result import PlanResult

SHORT = 0.5
"""A family is short on a day when more than this is missing over all depots. [units]"""


def family_summary(result: PlanResult) -> pd.DataFrame:
    """Per family: need, delivered to depots, consumed, shortfall [units], days short, first
    short day, peak stock held in depots that can be struck [units], expected strike loss
    [EUR]."""
    p = result.problem
    n_f = len(p.families)
    fam = p.item_family

    def by_family(values: np.ndarray) -> np.ndarray:
        """[i, ...] -> [f, ...] summed over the items of each family."""
        out = np.zeros((n_f, *values.shape[1:]))
        np.add.at(out, fam, np.nan_to_num(values))
        return out

    exposed = p.strike_prob > 0
    stock_exposed = by_family(result.depot_stock[:, exposed, :].sum(axis=1))
    loss_eur = by_family((np.nan_to_num(result.expected_loss)
                          * p.item_value[:, None, None]).sum(axis=(1, 2)))
    short_days = result.shortfall.sum(axis=1) > SHORT
    first = np.where(short_days.any(axis=1), np.argmax(short_days, axis=1), -1)
    return pd.DataFrame({
        "standard": [p.standards[p.family_standard[f]] for f in range(n_f)],
        "family": list(p.families), "unit": list(p.family_units),
        "need": p.need.sum(axis=(1, 2)),
        "delivered": by_family(result.arrivals.sum(axis=(1, 2))),
        "consumed": by_family(np.nan_to_num(result.consumption).sum(axis=(1, 2))),
        "shortfall": result.shortfall.sum(axis=(1, 2)),
        "short_days": (short_days * p.step_days[None, :]).sum(axis=1),
        "first_short": [str(p.dates[d]) if d >= 0 else "" for d in first],
        "peak_exposed_stock": stock_exposed.max(axis=1) if p.n_days else 0.0,
        "expected_loss_eur": loss_eur})


def donor_summary(result: PlanResult) -> pd.DataFrame:
    """Per donor: units and tons dispatched, value shipped [EUR], share of all value shipped,
    and the fair share set in the scenario (NaN where none)."""
    p = result.problem
    units = result.dispatch.sum(axis=2)
    value = units @ p.item_value
    total = float(value.sum())
    return pd.DataFrame({
        "donor": list(p.donors), "units": units.sum(axis=1), "tons": units @ p.item_mass_t,
        "value_eur": value, "share": value / total if total > 0 else np.zeros_like(value),
        "fair_share": p.fair_share})
