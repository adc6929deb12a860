"""`PlanResult`: a plan as arrays (the `Problem` index contract) and labelled pandas views.

Tranches go to the hub (x[d,i,t]); depots are served from the hub (z[i,k,t]). To give each
tranche a destination depot, `allocate_tranches` follows each item's units first in, first out:
units leave the hub in the order they arrived (by arrival day, then donor order), so every
hub-to-depot move is traced back to the tranches whose units it carries. A tranche can thus
appear on several rows, one per destination; units still at the hub at the end of the horizon
(or arriving after it) have depot ``hub``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from resupply.compile.problem import F64, I64, Problem
from resupply.planning.options import PlanOptions
from resupply.planning.solve import WarmStart
from resupply.planning.status import Status

TOL = 1e-6
"""Quantities below this are reported as zero. [units]"""


@dataclass(frozen=True, eq=False)
class PlanResult:
    """A plan and how it was found. Arrays are [axes] in `Problem` order, in units of the item."""

    problem: Problem
    status: Status
    message: str
    objective: float
    """Optimal (or best found) objective. [EUR]"""
    terms: dict[str, float]
    """Each objective term: shortfall, package, strike_loss, transport, smoothness, fairness."""
    cost_of_fairness: float | None
    """Objective with fair-share bands minus objective without; None when not computed. [EUR]"""
    dispatch: F64
    """[d, i, t] units dispatched by each donor (x)."""
    moves: F64
    """[i, k, t] units sent from the hubs to each depot (z on the routes from a hub)."""
    depot_stock: F64
    """[i, k, t] depot stock at the end of the day (s)."""
    hub_stock: F64
    """[i, t] stock at the hubs at the end of the day (h summed over hubs)."""
    arrivals: F64
    """[i, k, t] units arriving at each depot (from hubs and other depots)."""
    consumption: F64
    """[i, k, t] units consumed (c)."""
    shortfall: F64
    """[f, k, t] need not met (u)."""
    buffer_deficit: F64
    """[f, k, t] buffer stock missing at the end of the day (w; zeros without buffers)."""
    hub_reserve_deficit: F64
    """[f, t] hub reserve missing at the end of the day (wh; zeros without one)."""
    expected_loss: F64
    """[i, k, t] expected units destroyed by strikes: ``(1 - r[k]) s[i,k,t-1]``."""
    explanation: tuple[str, ...]
    """Plain-language reasons: what runs short where and why, or why there is no plan."""
    stats: dict[str, Any]
    """Model size, build and solve times, iterations, MIP gap."""
    options: PlanOptions
    from_day: int = 0
    buffer_level: F64 | None = field(default=None, repr=False)
    """[f, k, t] the buffers the plan was asked to hold (None: none). [units]"""
    hub_reserve_level: F64 | None = field(default=None, repr=False)
    """[f, t] the reserve the plan was asked to hold at the hub (None: none). [units]"""
    warm: WarmStart | None = field(default=None, repr=False)
    route_flows: F64 | None = field(default=None, repr=False)
    """[i, a, t] units sent on each route (hub or depot to depot) (z)."""
    supply_flows: F64 | None = field(default=None, repr=False)
    """[b, i, t] units dispatched on each supply route (donor to hub)."""
    hub_stocks: F64 | None = field(default=None, repr=False)
    """[i, n, t] stock at each hub at the end of the day (h)."""

    def __repr__(self) -> str:
        """One line: status, objective, tranches and shortfall (the arrays are large)."""
        objective = (f"objective EUR {self.objective:,.0f}" if np.isfinite(self.objective)
                     else "no objective")
        short = float(np.nansum(self.shortfall))
        return (f"PlanResult({self.problem.name!r}: {self.status}, {objective}, "
                f"{int((self.dispatch > TOL).sum())} tranches, shortfall {short:,.0f} units)")

    def _repr_html_(self) -> str:
        """The one-line summary and the supply by family (for notebooks)."""
        from resupply.planning.summary import family_summary

        table = (family_summary(self).to_html(index=False, float_format=lambda v: f"{v:,.0f}")
                 if np.isfinite(self.objective) else "")
        return f"<p>{html.escape(repr(self))}</p>{table}"

    @property
    def ok(self) -> bool:
        """True when the plan is optimal."""
        return self.status is Status.OPTIMAL

    @cached_property
    def tranches(self) -> pd.DataFrame:
        """One row per tranche and destination: day, date, donor, item, family, standard,
        quantity [units], tons [t], depot."""
        return allocate_tranches(self.problem, self.dispatch, self.moves)

    @cached_property
    def stock(self) -> pd.DataFrame:
        """Long table item x depot x day: stock, arrivals, consumption, expected_loss [units],
        and shortfall [units] of the item's *family* (repeated on each item of the family)."""
        p = self.problem
        n_i, n_k, n_t = self.depot_stock.shape
        grid = np.indices((n_i, n_k, n_t)).reshape(3, -1)
        family = p.item_family[grid[0]]
        return pd.DataFrame({
            "item": np.asarray(p.items, dtype=object)[grid[0]],
            "family": np.asarray(p.families, dtype=object)[family],
            "depot": np.asarray(p.depots, dtype=object)[grid[1]],
            "day": p.step_start[grid[2]], "date": p.dates[grid[2]],
            "stock": self.depot_stock.ravel(), "arrivals": self.arrivals.ravel(),
            "consumption": self.consumption.ravel(),
            "shortfall": self.shortfall[family, grid[1], grid[2]],
            "expected_loss": self.expected_loss.ravel()})

    @cached_property
    def shortfalls(self) -> pd.DataFrame:
        """Long table family x depot x day of need and shortfall [units]."""
        p = self.problem
        grid = np.indices(self.shortfall.shape).reshape(3, -1)
        return pd.DataFrame({
            "family": np.asarray(p.families, dtype=object)[grid[0]],
            "depot": np.asarray(p.depots, dtype=object)[grid[1]],
            "day": p.step_start[grid[2]], "date": p.dates[grid[2]], "need": p.need.ravel(),
            "shortfall": self.shortfall.ravel()})

    def to_dict(self) -> dict[str, Any]:
        """What plan.json holds."""
        p = self.problem
        return {"scenario": p.name, "scenario_hash": p.scenario_hash, "status": str(self.status),
                "message": self.message, "objective": _num(self.objective),
                "terms": {k: _num(v) for k, v in self.terms.items()},
                "cost_of_fairness": (None if self.cost_of_fairness is None
                                     else _num(self.cost_of_fairness)),
                "explanation": list(self.explanation), "stats": self.stats,
                "options": self.options.as_dict(), "from_day": self.from_day}


def _num(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def allocate_tranches(p: Problem, dispatch: F64, moves: F64) -> pd.DataFrame:
    """The tranche table, with destinations traced first in, first out (module docstring)."""
    parts = [_allocate_item(p, i, dispatch[:, i, :], moves[i]) for i in range(len(p.items))]
    day, donor, item, qty, depot = (np.concatenate([part[n] for part in parts]) for n in range(5))
    raw = pd.DataFrame({"day": day, "d": donor, "i": item, "k": depot, "quantity": qty})
    frame = raw.groupby(["day", "d", "i", "k"], as_index=False, sort=True).agg(
        quantity=("quantity", "sum"))
    day, donor, item, depot = (frame[c].to_numpy(dtype=np.int64) for c in ("day", "d", "i", "k"))
    quantity = frame["quantity"].to_numpy(dtype=float)
    fam = p.item_family[item]
    names = np.append(np.asarray(p.depots, dtype=object), "hub")
    return pd.DataFrame({
        "day": p.step_start[day], "date": p.dates[day],
        "donor": np.asarray(p.donors, dtype=object)[donor],
        "item": np.asarray(p.items, dtype=object)[item],
        "family": np.asarray(p.families, dtype=object)[fam],
        "standard": np.asarray(p.standards, dtype=object)[p.family_standard[fam]],
        "quantity": quantity, "tons": quantity * p.item_mass_t[item], "depot": names[depot]})


def _allocate_item(p: Problem, i: int, x: F64, z: F64) -> tuple[I64, I64, I64, F64, I64]:
    """FIFO for one item: x [d, t] dispatches and z [k, t] moves -> arrays of (dispatch day,
    donor, item, quantity, depot), depot ``n_depots`` meaning still at the hub."""
    d_idx, t_idx = np.nonzero(x > TOL)
    arrive = p.step_start[t_idx] + p.lead_days[d_idx]
    order = np.lexsort((d_idx, arrive))
    d_idx, t_idx = d_idx[order], t_idx[order]
    cum_a = np.cumsum(x[d_idx, t_idx])
    z_day, z_depot = np.nonzero(z.T > TOL)  # ordered by day, then depot
    cum_z = np.cumsum(z[z_depot, z_day])
    total = cum_a[-1] if len(cum_a) else 0.0
    cuts = np.unique(np.concatenate([[0.0], cum_a, cum_z[cum_z < total]]))
    length = np.diff(cuts)
    mid = cuts[:-1] + length / 2
    tranche = np.searchsorted(cum_a, mid, side="right")
    move = np.searchsorted(cum_z, mid, side="right")
    depot = np.append(z_depot, len(p.depots))[move]
    keep = length > TOL
    return (t_idx[tranche[keep]], d_idx[tranche[keep]], np.full(int(keep.sum()), i),
            length[keep], depot[keep])
