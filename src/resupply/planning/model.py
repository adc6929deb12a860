"""Assemble the planning LP/MILP from a `Problem`: variables, rows, bounds and objective.

The model is arrays only (a SciPy CSC matrix, bound and cost vectors); `solve` hands them to
HiGHS. A rolling re-plan is the same model with some bounds fixed (`fix_actuals`), so a solve
can be warm-started from the previous plan's basis.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from resupply.compile.problem import F64, Problem
from resupply.errors import PlanningError
from resupply.planning.constraints import (
    PAST_MOVES,
    add_constraints,
    buffer_stock,
    hub_reserve,
    move_arrival,
    past_moves,
)
from resupply.planning.layout import Constraint, Layout, RowFamily, gather
from resupply.planning.options import Actuals, Buffers, PlanOptions
from resupply.planning.variables import Variables, add_variables, step_retention

TERMS = ("shortfall", "package", "strike_loss", "transport", "smoothness", "fairness",
         "reconciliation", "buffer", "holding", "tranche_fixed", "purchase", "route_fixed")
"""Objective terms of the columns. [EUR]"""
REPORTED_TERMS = (*TERMS, "shortfall_timing")
"""Terms reported: the shortfall's preference for early days is split from the shortfall at
its plain penalty, so that ``shortfall`` reads as penalty x units short. [EUR]"""


@dataclass(frozen=True)
class LpModel:
    """One LP/MILP: ``min cost @ x + offset`` s.t. ``row_lower <= A x <= row_upper``,
    ``lower <= x <= upper``, ``x`` integer where ``integrality`` is 1."""

    problem: Problem
    variables: Variables
    families: dict[str, RowFamily]
    matrix: sp.csc_matrix
    cost: F64
    lower: F64
    upper: F64
    row_lower: F64
    row_upper: F64
    integrality: NDArray[np.int32]
    term_of_col: NDArray[np.int64]
    """[column] index into `TERMS`, or -1 for columns with no cost."""
    offset: float
    """Constant of the objective: expected strike loss of the initial depot stock. [EUR]"""
    build_seconds: float
    extra_costs: tuple[tuple[int, NDArray[np.int64], F64], ...] = ()
    """Second terms on columns that carry one in `term_of_col` (`Layout.add_cost`): (index
    into `TERMS`, columns, cost); `cost` holds their sum."""

    @property
    def n_cols(self) -> int:
        """Columns (variables)."""
        return int(self.cost.shape[0])

    @property
    def n_rows(self) -> int:
        """Rows (constraints)."""
        return int(self.row_lower.shape[0])

    @property
    def nnz(self) -> int:
        """Non-zeros of the constraint matrix."""
        return int(self.matrix.nnz)

    def term_values(self, col_value: F64) -> dict[str, float]:
        """Each objective term at a solution. [EUR]"""
        base = self.cost.copy()
        out = dict.fromkeys(TERMS, 0.0)
        for term, cols, coef in self.extra_costs:
            np.subtract.at(base, cols, coef)
            out[TERMS[term]] += float(coef @ col_value[cols])
        contrib = base * col_value
        for n, name in enumerate(TERMS):
            out[name] += float(contrib[self.term_of_col == n].sum())
        out["strike_loss"] += self.offset
        u = self.variables.u.index
        short = gather(col_value, u)
        plain = float((self.problem.shortfall_penalty[:, None, None] * short).sum())
        out["shortfall_timing"] = out["shortfall"] - plain
        out["shortfall"] = plain
        return out

    def rows_of(self, kinds: tuple[Constraint, ...]) -> NDArray[np.int64]:
        """Row numbers of the given families (those present)."""
        parts = [np.arange(f.start, f.stop) for f in self.families.values() if f.kind in kinds]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def build_model(p: Problem, opts: PlanOptions, actuals: Actuals | None = None,
                buffers: Buffers | None = None) -> LpModel:
    """Build the model of DESIGN.md for ``p`` (see `variables` and `constraints`), with
    ``buffers`` when given (`Buffers`)."""
    started = time.perf_counter()
    if actuals is not None:
        _check_replan(p, actuals.from_day)
    if buffers is not None:
        _check_buffers(p, buffers)
    lay = Layout()
    v = add_variables(lay, p, opts, actuals, buffers)
    add_constraints(lay, p, v)
    if buffers is not None:
        buffer_stock(lay, p, v, buffers.level)
        if buffers.hub_level is not None:
            hub_reserve(lay, p, v, buffers.hub_level)
    if actuals is not None and not p.simple_network:
        past_moves(lay, p, v)  # last: a plan's basis extends (these rows basic)
    integrality = np.zeros(lay.n_cols, dtype=np.int32)
    if opts.integer:
        _mark_integers(integrality, p, v)
    terms = np.concatenate(lay.term_of_col) if lay.term_of_col else np.zeros(0, dtype=str)
    term_index = np.full(lay.n_cols, -1, dtype=np.int64)
    for n, name in enumerate(TERMS):
        term_index[terms == name] = n
    first_loss = 1.0 - step_retention(p)[:, 0]
    offset = float(p.w_strike_loss * (p.item_value[:, None] * first_loss[None, :]
                                      * p.initial_stock).sum())
    upper = _cat(lay.upper)
    if buffers is not None and buffers.shortfall_cap is not None:
        u = v.u.index
        upper[u[u >= 0]] = np.maximum(buffers.shortfall_cap[u >= 0], 0.0)
    cost = _cat(lay.cost)
    extras = tuple((TERMS.index(term), cols, coef) for term, cols, coef in lay.extra_costs)
    for _, cols, coef in extras:
        np.add.at(cost, cols, coef)
    model = LpModel(
        problem=p, variables=v, families=dict(lay.families), matrix=lay.matrix(),
        cost=cost, lower=_cat(lay.lower), upper=upper,
        row_lower=_cat(lay.row_lower), row_upper=_cat(lay.row_upper), integrality=integrality,
        term_of_col=term_index, offset=offset, build_seconds=0.0, extra_costs=extras)
    return replace(model, build_seconds=time.perf_counter() - started)


def _cat(parts: list[F64]) -> F64:
    return np.concatenate(parts) if parts else np.zeros(0)


def _mark_integers(integrality: NDArray[np.int32], p: Problem, v: Variables) -> None:
    """Whole units: x and z of whole-unit items; y, yb and ya binary."""
    for block in (v.x, v.z, v.xs):
        if block is None:
            continue
        whole = np.moveaxis(block.index, 0 if block is v.z else 1, 0)[p.item_whole]
        integrality[whole[whole >= 0]] = 1
    for on_off in (v.y, v.yb, v.ya):
        if on_off is not None:
            integrality[on_off.index[on_off.index >= 0]] = 1


def fix_actuals(model: LpModel, actuals: Actuals, freeze_days: int,
                previous_dispatch: F64 | None) -> LpModel:
    """The model of a rolling re-plan: days before ``from_day`` fixed to what happened.

    Dispatches and hub-to-depot moves before ``from_day`` are fixed to the actuals; depot stock
    at the end of ``from_day - 1`` to the stock on hand, which the ``lost`` and ``found``
    columns of a model built with the actuals reconcile with the fixed past flows. Every row
    keeps its bounds (but ``past_moves`` over a network, below), so the previous plan's basis
    stays valid: when things went as planned it is still optimal. Dispatches of the next
    ``freeze_days`` days are fixed to the announced tranches (or, without them, to
    ``previous_dispatch``).

    Over a network (several hubs, routes of its own) the actuals stay per donor and per depot
    (the ledger names no route). A donor's dispatch x is fixed as on one hub; its split over
    its supply routes (xs) is left to the LP. The moves fix the rows ``past_moves`` (what left
    the hubs for each depot each day, `constraints.past_moves`), built free with the model and
    the only rows whose bounds change here: they are basic in a plan's extended basis, so at
    the plan's own moves that basis is still feasible and optimal. Which hub sent a depot's
    moves (and so, where transits differ, when they arrive) is the LP's choice, as the supply
    split is.

    Moves between depots are not in the actuals either (the simulator has none). Those that
    arrived before ``from_day`` are left free: they moved stock between two stocks that the
    actuals state at ``from_day - 1``, so they cannot change the state the re-plan starts
    from, only explain it (fixed to 0, a plan's own past that used them would be reconciled
    as stock lost at one depot and short at the other: +0.42 % objective and 11.8 M EUR
    reconciliation on network-3hubs from day 30, against 0 left free). Those still under way
    at ``from_day`` are fixed to 0: they would bring stock the actuals do not list, and the
    LP could explain a depot's loss as such a move and conjure its stock at the other depot;
    stock really travelling between two depots at ``from_day`` is not seen (the re-plan can
    only under-count it).
    """
    p, v = model.problem, model.variables
    day = actuals.from_day
    lower, upper = model.lower.copy(), model.upper.copy()
    _fix(lower, upper, v.x.index[:, :, :day], actuals.dispatched[:, :, :day])
    row_lower, row_upper = model.row_lower, model.row_upper
    if PAST_MOVES.name in model.families:
        row_lower, row_upper = row_lower.copy(), row_upper.copy()
        rows = model.families[PAST_MOVES.name].index
        _fix(row_lower, row_upper, rows[:, :, :day], actuals.moves[:, :, :day])
        arrival = move_arrival(p)[:, :, :day]
        under_way = (p.route_from_depot >= 0)[None, :, None] & ((arrival < 0) | (arrival >= day))
        between = np.where(under_way, v.z.index[:, :, :day], -1)
        _fix(lower, upper, between, np.zeros(between.shape))
    else:  # one hub: route a is depot k
        _fix(lower, upper, v.z.index[:, :, :day], actuals.moves[:, :, :day])
    _fix(lower, upper, v.s.index[:, :, day - 1], actuals.depot_stock)
    if freeze_days > 0:
        frozen = actuals.announced if actuals.announced is not None else previous_dispatch
        if frozen is None:
            raise PlanningError("--freeze-days needs announced tranches in the actuals file or "
                                "a previous plan to keep")
        stop = min(day + freeze_days, p.n_days)
        _fix(lower, upper, v.x.index[:, :, day:stop], frozen[:, :, day:stop])
    if v.lost is None or v.from_day != day:
        raise PlanningError("the model was not built for a re-plan from this day")
    return replace(model, lower=lower, upper=upper, row_lower=row_lower, row_upper=row_upper)


def _check_buffers(p: Problem, buffers: Buffers) -> None:
    """Buffers need the daily model and arrays in the problem's [f, k, t] shape."""
    shape = p.need.shape
    cap = buffers.shortfall_cap
    if buffers.mask.shape != shape or (cap is not None and cap.shape != shape):
        raise PlanningError(f"buffers must be [families, depots, days] = {shape}")
    if buffers.hub_mask is not None and buffers.hub_mask.shape != (shape[0], shape[2]):
        raise PlanningError(f"the hub reserve must be [families, days] = {shape[0], shape[2]}")
    if buffers.penalty.shape != (shape[0],):
        raise PlanningError(f"buffer penalty must have one value per family ({shape[0]})")


def _check_replan(p: Problem, day: int) -> None:
    """A re-plan needs the daily model and a day inside the horizon (after day 0); a
    network is fine (`fix_actuals`)."""
    if not p.is_daily:
        raise PlanningError("a rolling re-plan needs the daily model (no multi-resolution)")
    if not 1 <= day < p.n_days:
        raise PlanningError(f"--from-day must be between 1 and {p.n_days - 1}, not {day}")


def _fix(lower: F64, upper: F64, index: NDArray[np.int64], value: F64) -> None:
    """Fix the columns (or rows) of ``index`` to ``value``; a value where none exists is an
    error."""
    present = index >= 0
    stray = (~present) & (value > 1e-9)
    if stray.any():
        raise PlanningError(
            f"{int(stray.sum())} actual quantities have no place in the model (an item nobody "
            "holds, or a move that cannot arrive within the horizon or has no open route)")
    lower[index[present]] = value[present]
    upper[index[present]] = value[present]
