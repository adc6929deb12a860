"""`PlanInput`: a plan as the simulator reads it, plain arrays in the `Problem` index contract.

The simulator does not know the planner. A plan enters as two arrays: what each donor
dispatches each day, ``x[d, i, t]``, and what leaves the hub for each depot each day,
``z[i, k, t]``. `plan_input_from_tranches` builds them from the tables a planner writes: the
tranche table (``tranches.csv``: day, donor, item, quantity, depot) gives x; the stock table
(``stock.parquet``: item, depot, day, arrivals), when given, gives z exactly
(``z[i, k, t] = arrivals[i, k, t + transit[k]]``). A plan directory that may be damaged or
of another scenario is read by `resupply.workflow.policies.read_plan`; every table that does
not fit the scenario is a `SimulationError` here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from resupply.compile.problem import F64, Problem
from resupply.errors import SimulationError

TRANCHE_COLUMNS = ("day", "donor", "item", "quantity", "depot")
"""Columns of a tranche table the conversion reads (others are ignored)."""


@dataclass(frozen=True, eq=False)
class PlanInput:
    """A plan as arrays.

    dispatch
        ``x[d, i, t]``: units donor d dispatches of item i on day t. [units]
    moves
        ``z[i, k, t]``: units of item i leaving the hub for depot k on day t (they arrive after
        the depot's transit). [units]
    consumption, expected_loss
        ``c[i, k, t]`` and ``l[i, k, t]``: what the plan expects each depot to consume and to
        lose to strikes each day (None when the plan does not say). With them the plan's
        inventory positions are known, and the ``plan`` policy tracks them (see
        `resupply.simulation.policies.PlanPolicy`). [units]
    hub_loss
        ``lh[i, t]``: what the plan expects strikes on the hub to destroy each day (None:
        nothing, as when the hub cannot be struck). [units]
    """

    dispatch: F64
    moves: F64
    consumption: F64 | None = None
    expected_loss: F64 | None = None
    hub_loss: F64 | None = None

    def __post_init__(self) -> None:
        for array in self._arrays().values():
            array.flags.writeable = False

    def _arrays(self) -> dict[str, F64]:
        arrays = {"dispatch": self.dispatch, "moves": self.moves,
                  "consumption": self.consumption, "expected_loss": self.expected_loss,
                  "hub_loss": self.hub_loss}
        return {name: a for name, a in arrays.items() if a is not None}

    @property
    def has_expectations(self) -> bool:
        """True when the plan says what it expects depots to consume and lose."""
        return self.consumption is not None and self.expected_loss is not None

    def check(self, problem: Problem) -> None:
        """Raise `SimulationError` unless the arrays fit ``problem``'s axes and are >= 0."""
        s = problem.shape
        depot = (s["i"], s["k"], s["t"])
        expected = {"dispatch": (s["d"], s["i"], s["t"]), "moves": depot,
                    "consumption": depot, "expected_loss": depot, "hub_loss": (s["i"], s["t"])}
        for name, array in self._arrays().items():
            shape = expected[name]
            if array.shape != shape:
                raise SimulationError(f"plan {name} has shape {array.shape}; the scenario "
                                      f"needs {shape}")
            if not np.all(np.isfinite(array)) or np.any(array < 0):
                raise SimulationError(f"plan {name} must be finite and non-negative")


def _positions(problem: Problem, column: pd.Series, labels: tuple[str, ...],
               what: str) -> np.ndarray:
    index = {label: n for n, label in enumerate(labels)}
    unknown = sorted(set(column.astype(str)) - set(index))
    if unknown:
        raise SimulationError(f"tranche table names {what} not in scenario {problem.name}: "
                              f"{', '.join(unknown[:5])}")
    return column.astype(str).map(index).to_numpy(dtype=np.int64)


def plan_input_from_tranches(problem: Problem, tranches: pd.DataFrame,
                             stock: pd.DataFrame | None = None) -> PlanInput:
    """`_from_tranches`, with the result checked against ``problem`` (`PlanInput.check`) and a
    column of the wrong type reported as a `SimulationError`."""
    try:
        plan = _from_tranches(problem, tranches, stock)
    except (ValueError, TypeError, OverflowError) as exc:
        raise SimulationError(f"the plan's tables do not fit scenario {problem.name}: "
                              f"{str(exc)[:200]}") from None
    plan.check(problem)
    return plan


def _from_tranches(problem: Problem, tranches: pd.DataFrame,
                   stock: pd.DataFrame | None = None) -> PlanInput:
    """Arrays from a tranche table (one row per donor, item, day and depot) and, if given,
    the plan's stock table (see the module docstring).

    Without a stock table, each row's quantity moves on to its ``depot`` on arrival at the hub
    ``lead_days`` after ``day`` (split by demand share where the depot is empty; a depot named
    ``hub`` stays at the hub).
    """
    missing = [c for c in TRANCHE_COLUMNS if c not in tranches.columns]
    if missing:
        raise SimulationError(f"tranche table lacks column(s) {', '.join(missing)}")
    s = problem.shape
    d = _positions(problem, tranches["donor"], problem.donors, "donors")
    i = _positions(problem, tranches["item"], problem.items, "items")
    day = tranches["day"].to_numpy(dtype=np.int64)
    qty = tranches["quantity"].to_numpy(dtype=np.float64)
    if np.any((day < 0) | (day >= s["t"])):
        raise SimulationError(f"tranche days must lie in 0..{s['t'] - 1}")
    x = np.zeros((s["d"], s["i"], s["t"]))
    np.add.at(x, (d, i, day), qty)
    if stock is not None:
        return PlanInput(dispatch=x, moves=_moves_from_stock(problem, stock),
                         **_expectations(problem, stock))
    arrive = day + problem.lead_days[d]
    keep = arrive < s["t"]
    z = np.zeros((s["i"], s["k"], s["t"]))
    depot_text = tranches["depot"].astype(str)
    depot_named = tranches["depot"].notna() & (depot_text != "") & (depot_text != "nan")
    keep &= (depot_text != "hub").to_numpy()
    named = keep & depot_named.to_numpy()
    k = _positions(problem, tranches["depot"][named], problem.depots, "depots")
    np.add.at(z, (i[named], k, arrive[named]), qty[named])
    shared = keep & ~depot_named.to_numpy()
    share = problem.demand_share / problem.demand_share.sum()
    for kk in range(s["k"]):
        np.add.at(z, (i[shared], kk, arrive[shared]), qty[shared] * share[kk])
    return PlanInput(dispatch=x, moves=z)


def _moves_from_stock(problem: Problem, stock: pd.DataFrame) -> F64:
    """[i, k, t] moves from a stock table's arrivals: ``z[t] = arrivals[t + transit[k]]``."""
    missing = [c for c in ("item", "depot", "day", "arrivals") if c not in stock.columns]
    if missing:
        raise SimulationError(f"stock table lacks column(s) {', '.join(missing)}")
    s = problem.shape
    i = _positions(problem, stock["item"], problem.items, "items")
    k = _positions(problem, stock["depot"], problem.depots, "depots")
    day = stock["day"].to_numpy(dtype=np.int64) - problem.transit_days[k]
    keep = (day >= 0) & (day < s["t"])
    z = np.zeros((s["i"], s["k"], s["t"]))
    np.add.at(z, (i[keep], k[keep], day[keep]),
              stock["arrivals"].to_numpy(dtype=np.float64)[keep])
    return z


def _expectations(problem: Problem, stock: pd.DataFrame) -> dict[str, F64]:
    """``consumption`` and ``expected_loss`` [i, k, t] of a stock table, when it has both."""
    if not {"consumption", "expected_loss"} <= set(stock.columns):
        return {}
    s = problem.shape
    i = _positions(problem, stock["item"], problem.items, "items")
    k = _positions(problem, stock["depot"], problem.depots, "depots")
    day = stock["day"].to_numpy(dtype=np.int64)
    keep = (day >= 0) & (day < s["t"])
    out = {}
    for name in ("consumption", "expected_loss"):
        array = np.zeros((s["i"], s["k"], s["t"]))
        values = np.nan_to_num(stock[name].to_numpy(dtype=np.float64))
        np.add.at(array, (i[keep], k[keep], day[keep]), values[keep])
        out[name] = array
    return out
