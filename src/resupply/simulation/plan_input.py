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
from resupply.simulation.routes import PlanRoutes

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
        ``lh[i, t]``: what the plan expects strikes on the hubs to destroy each day (None:
        nothing, as when no hub can be struck). [units]
    routes
        On a network of several hubs, the plan's flows per route and day (`PlanRoutes`), so
        that the simulation takes the plan's routes (None: the network's preferred routes).
        ``moves`` then holds what leaves for each depot over all its routes, from hubs and
        from other depots (`moves_of_routes`).
    """

    dispatch: F64
    moves: F64
    consumption: F64 | None = None
    expected_loss: F64 | None = None
    hub_loss: F64 | None = None
    routes: PlanRoutes | None = None

    def __post_init__(self) -> None:
        for array in self._arrays().values():
            array.flags.writeable = False

    def _arrays(self) -> dict[str, F64]:
        arrays = {"dispatch": self.dispatch, "moves": self.moves,
                  "consumption": self.consumption, "expected_loss": self.expected_loss,
                  "hub_loss": self.hub_loss,
                  "supply_flows": None if self.routes is None else self.routes.supply,
                  "route_flows": None if self.routes is None else self.routes.routes}
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
                    "consumption": depot, "expected_loss": depot, "hub_loss": (s["i"], s["t"]),
                    "supply_flows": (len(problem.supply_ids), s["i"], s["t"]),
                    "route_flows": (s["i"], len(problem.route_ids), s["t"])}
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
                             stock: pd.DataFrame | None = None,
                             routes: pd.DataFrame | None = None) -> PlanInput:
    """`_from_tranches`, with the result checked against ``problem`` (`PlanInput.check`) and a
    column of the wrong type reported as a `SimulationError`."""
    try:
        plan = _from_tranches(problem, tranches, stock, routes)
    except (ValueError, TypeError, OverflowError) as exc:
        raise SimulationError(f"the plan's tables do not fit scenario {problem.name}: "
                              f"{str(exc)[:200]}") from None
    plan.check(problem)
    return plan


def _from_tranches(problem: Problem, tranches: pd.DataFrame,
                   stock: pd.DataFrame | None = None,
                   routes: pd.DataFrame | None = None) -> PlanInput:
    """Arrays from a tranche table (one row per donor, item, day and depot) and, if given,
    the plan's stock table (see the module docstring) and, on a network of several hubs, its
    route table (`plan_routes_from_table`), which then gives the moves.

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
        consumption, loss = _expectations(problem, stock)
        if routes is not None and not problem.simple_network:
            by_route = plan_routes_from_table(problem, routes)
            return PlanInput(dispatch=x, moves=moves_of_routes(problem, by_route.routes),
                             consumption=consumption, expected_loss=loss, routes=by_route)
        return PlanInput(dispatch=x, moves=_moves_from_stock(problem, stock),
                         consumption=consumption, expected_loss=loss)
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


def _expectations(problem: Problem, stock: pd.DataFrame) -> tuple[F64 | None, F64 | None]:
    """``consumption`` and ``expected_loss`` [i, k, t] of a stock table, when it has both."""
    if not {"consumption", "expected_loss"} <= set(stock.columns):
        return None, None
    s = problem.shape
    i = _positions(problem, stock["item"], problem.items, "items")
    k = _positions(problem, stock["depot"], problem.depots, "depots")
    day = stock["day"].to_numpy(dtype=np.int64)
    keep = (day >= 0) & (day < s["t"])
    arrays = []
    for name in ("consumption", "expected_loss"):
        array = np.zeros((s["i"], s["k"], s["t"]))
        values = np.nan_to_num(stock[name].to_numpy(dtype=np.float64))
        np.add.at(array, (i[keep], k[keep], day[keep]), values[keep])
        arrays.append(array)
    return arrays[0], arrays[1]


ROUTE_COLUMNS = ("route", "item", "day", "units")
"""Columns of a plan's route table (``routes.parquet``): units leaving on each route by day."""


def plan_routes_from_table(problem: Problem, table: pd.DataFrame) -> PlanRoutes:
    """A plan's flows per route (`PlanRoutes`) from its route table: one row per route (a
    supply route of ``problem.supply_ids`` or a route of ``problem.route_ids``), item and day
    the units leave. [units]"""
    missing = [c for c in ROUTE_COLUMNS if c not in table.columns]
    if missing:
        raise SimulationError(f"route table lacks column(s) {', '.join(missing)}")
    shape = problem.shape
    supply = np.zeros((len(problem.supply_ids), shape["i"], shape["t"]))
    routes = np.zeros((shape["i"], len(problem.route_ids), shape["t"]))
    day = table["day"].to_numpy(dtype=np.int64)
    if np.any((day < 0) | (day >= shape["t"])):
        raise SimulationError(f"route table days must lie in 0..{shape['t'] - 1}")
    units = table["units"].to_numpy(dtype=np.float64)
    i = _positions(problem, table["item"], problem.items, "items")
    name = table["route"].astype(str)
    is_supply = name.isin(problem.supply_ids).to_numpy()
    b = _positions(problem, name[is_supply], problem.supply_ids, "supply routes")
    a = _positions(problem, name[~is_supply], problem.route_ids, "routes")
    np.add.at(supply, (b, i[is_supply], day[is_supply]), units[is_supply])
    np.add.at(routes, (i[~is_supply], a, day[~is_supply]), units[~is_supply])
    return PlanRoutes(supply=supply, routes=routes)


def moves_of_routes(problem: Problem, routes: F64) -> F64:
    """[i, k, t] what leaves for each depot, over all its routes (from hubs and from other
    depots), from the flows per route ``routes[i, a, t]``. [units]"""
    moves = np.zeros((problem.shape["i"], problem.shape["k"], problem.shape["t"]))
    for a in range(len(problem.route_ids)):
        moves[:, problem.route_depot[a]] += routes[:, a]
    return moves
