"""The variables of the planning LP, each block created only where it can be non-zero.

Symbols (all non-negative; units of the item unless stated):

======  ==========  ===================================================================
block   axes        meaning
======  ==========  ===================================================================
x       d, i, t     dispatch of donor d on day t; travels its supply route (below)
xs      b, i, t     dispatch on supply route b (donor to hub), only for donors with several
                    supply routes (``x = sum_b xs``); a donor with one route sends x on it
g       d, i, t     donor d's remaining availability of item i after the dispatch of day t
                    (only for items whose availability grows over the horizon)
h       i, n, t     stock at hub n at the end of day t
z       i, a, t     move on route a on day t (from a hub or a depot); arrives at the route's
                    depot on t + transit[a]. One hub: route a is depot k
s       i, k, t     depot stock at the end of day t
u       f, k, t     need of family f at depot k on day t that is not met (shortfall);
                    costs ``Problem.shortfall_cost``, a little more on early days
v       q, f        first load of capability package q not on hand on its day
V, W    d / -       value shipped by each donor with a fair share / by all donors [EUR]
e_lo,   d           value shipped below / above a donor's fair-share band [EUR]
e_hi
up, dn  d, t        increase / decrease of a donor's tranche (units, all items) from the
                    donor's previous tranche day
y       d, t        1 if donor d sends a tranche on day t (MILP only, for donors with a
                    minimum tranche or a fixed cost per tranche, which y costs)
yb, ya  b / a, t    1 if something departs on supply route b / route a on day t (MILP
                    only, for routes with a fixed cost per shipment, which they cost;
                    the LP has neither y nor yb, ya and leaves those fixed costs out)
w       f, k, t     buffer stock missing at the end of day t (with `Buffers` only); costs
                    the buffer penalty per unit and day
wh      f, t        the same for the reserve at the hub
lost,   i, k        re-plan only: stock on hand at the end of day ``from_day - 1`` below /
found               above what the fixed past flows can explain (unexpected losses, counting
                    errors); both cost twice the family's dearest shortfall, so that they
                    take only what the past cannot explain (never free disposal or supply)
======  ==========  ===================================================================

Consumption c[i,k,t] is not a variable: the depot balance implies it (`constraints`), which
saves one variable per item, depot and day. ``x`` and ``g`` exist only on a donor's tranche
days, on or after the release day, once something is available, and while a dispatch can still
arrive within the horizon (or is needed for a pledge); ``z`` only while a move can arrive;
``h``, ``z``, ``s`` only for items that someone holds; ``u`` only where there is need.

Besides the terms each block carries, x pays the purchase price ``purchase_cost[i,t]`` per
unit, and h and s the holding cost ``holding_cost x days`` per unit held at the end of a step
(`Layout.add_cost`, reported as ``purchase`` and ``holding``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from resupply.compile.problem import F64, I64, Bool, Problem
from resupply.planning.layout import Block, Layout
from resupply.planning.options import Actuals, Buffers, PlanOptions


@dataclass(frozen=True)
class Variables:
    """The blocks of one model; optional blocks are None when the model has no need of them."""

    x: Block
    g: Block
    h: Block
    z: Block
    s: Block
    u: Block
    v: Block
    up: Block
    dn: Block
    fair_value: Block | None
    total_value: Block | None
    e_lo: Block | None
    e_hi: Block | None
    y: Block | None
    lost: Block | None = None
    found: Block | None = None
    w: Block | None = None
    """Buffer deficit [f, k, t] (with `Buffers`; added last, so a plan's basis extends)."""
    wh: Block | None = None
    """Hub reserve deficit [f, t] (with a hub reserve in `Buffers`)."""
    from_day: int = 0
    """First re-planned day (0: a plan from the start, no ``lost``/``found``)."""
    xs: Block | None = None
    """Dispatch on each supply route [b, i, t] of donors with several (None: no such donor)."""
    yb: Block | None = None
    """MILP: a shipment on supply route b on day t [b, t] (None: no fixed cost per shipment
    on a supply route, or the LP)."""
    ya: Block | None = None
    """MILP: a shipment on route a on day t [a, t] (None: no fixed cost per shipment on a
    route, or the LP)."""


def split_donors(p: Problem) -> Bool:
    """[d] donors with several supply routes: their dispatch is split over ``xs``."""
    count = np.bincount(p.supply_donor, minlength=len(p.donors))
    split: Bool = count > 1
    return split


def supply_columns(p: Problem, v: Variables) -> I64:
    """[b, i, t] the column that travels supply route b: ``x`` of the route's donor when the
    donor has one route, else the route's ``xs``."""
    cols: I64 = v.x.index[p.supply_donor]
    if v.xs is not None:
        cols = np.where(split_donors(p)[p.supply_donor][:, None, None], v.xs.index, cols)
    return cols


def hub_step_retention(p: Problem) -> F64:
    """[n, t] share of a hub's stock carried into step t that survives it."""
    kept: F64 = (1.0 - p.hub_strike_prob * p.hub_loss_fraction)[:, None] ** p.step_days[None, :]
    return kept


def retention(p: Problem) -> F64:
    """[k] share of depot stock that survives a day: ``r = 1 - strike_prob x loss_fraction``."""
    r: F64 = 1.0 - p.strike_prob * p.loss_fraction
    return r


def step_retention(p: Problem) -> F64:
    """[k, t] share of the depot stock carried into step t that survives it: ``r ** days``."""
    kept: F64 = retention(p)[:, None] ** p.step_days[None, :]
    return kept


def item_active(p: Problem) -> Bool:
    """[i] items that some donor can give or some depot holds; others get no variables."""
    held: Bool = (p.donor_cumulative_available()[:, :, -1].sum(axis=0) > 0) | (
        p.initial_stock.sum(axis=1) > 0)
    return held


def dispatch_mask(p: Problem, actuals: Actuals | None) -> Bool:
    """[d, i, t] where x exists: tranche day outside the donor's dated pauses, released,
    available, arrives or is pledged."""
    t = np.arange(p.n_days)
    last_pledge = np.full(p.donor_stock.shape, -1, dtype=np.int64)
    np.maximum.at(last_pledge, (p.pledge_donor, p.pledge_item), p.pledge_day)
    arrives = (p.arrival_step(p.lead_days) >= 0)[:, None, :]
    mask: Bool = ((p.tranche_day & ~p.donor_paused)[:, None, :]
                  & (t >= p.release_day[:, :, None])
                  & (p.donor_cumulative_available() > 0)
                  & (arrives | (t <= last_pledge[:, :, None])))
    if actuals is not None:
        mask = mask | (actuals.dispatched > 0)
    return mask


def open_dispatch_mask(p: Problem, actuals: Actuals | None) -> Bool:
    """[d, i, t] where x exists: `dispatch_mask` on days some supply route of the donor is
    open."""
    open_any = np.zeros((len(p.donors), p.n_days), dtype=bool)
    np.logical_or.at(open_any, p.supply_donor, p.supply_open)
    mask: Bool = dispatch_mask(p, actuals) & open_any[:, None, :]
    return mask


def move_days(p: Problem) -> Bool:
    """[a, t] days on which z exists on route a (for every item someone holds): the route is
    open and a move arrives within the horizon."""
    days: Bool = (p.arrival_step(p.route_transit_days) >= 0) & p.route_open
    return days


def grows(p: Problem, x_mask: Bool) -> Bool:
    """[d, i] availability grows between the first and last day x exists (production): these
    need the running balance g; the others only ``sum_t x <= stock``."""
    n_t = x_mask.shape[2]
    first = np.argmax(x_mask, axis=2)
    last = n_t - 1 - np.argmax(x_mask[:, :, ::-1], axis=2)
    avail = p.donor_cumulative_available()
    at = np.take_along_axis
    out: Bool = (at(avail, last[:, :, None], axis=2) > at(avail, first[:, :, None], axis=2))[
        :, :, 0] & x_mask.any(axis=2)
    return out


def previous_on(mask: Bool) -> I64:
    """Along the last axis: the position of the previous True entry (``-1`` if none)."""
    t = np.arange(mask.shape[-1])
    last = np.maximum.accumulate(np.where(mask, t, -1), axis=-1)
    prev = np.full(mask.shape, -1, dtype=np.int64)
    prev[..., 1:] = last[..., :-1]
    return prev


def smoothness_pairs(p: Problem, sends: Bool) -> Bool:
    """[d, t] tranche days that follow an earlier tranche day of the same donor (calendar
    cadence), where the donor can send something on either day (``sends`` [d, t])."""
    prev = previous_on(p.tranche_day)
    before = np.take_along_axis(sends, np.maximum(prev, 0), axis=1) & (prev >= 0)
    pairs: Bool = p.tranche_day & (prev >= 0) & (sends | before)
    return pairs


def add_variables(lay: Layout, p: Problem, opts: PlanOptions,
                  actuals: Actuals | None, buffers: Buffers | None = None) -> Variables:
    """Create every block, with the objective coefficient of each column (see `objective`)."""
    out = _core_variables(lay, p, opts, actuals)
    if buffers is None:
        return out
    w = lay.add_vars("w", "fkt", buffers.mask, cost=buffers.penalty[:, None, None],
                     term="buffer")
    wh = None
    if buffers.hub_mask is not None:
        wh = lay.add_vars("wh", "ft", buffers.hub_mask, cost=buffers.penalty[:, None],
                          term="buffer")
    return replace(out, w=w, wh=wh)


def _core_variables(lay: Layout, p: Problem, opts: PlanOptions,
                    actuals: Actuals | None) -> Variables:
    active = item_active(p)
    flow = _flow_blocks(lay, p, actuals, active)
    u = lay.add_vars("u", "fkt", p.need > 0, cost=p.shortfall_cost()[:, None, :],
                     term="shortfall")
    v = lay.add_vars("v", "qf", _package_mask(p),
                     cost=p.shortfall_penalty[None, :], term="package")
    tranche: Bool = np.asarray((flow["x"].index >= 0).any(axis=1), dtype=bool)
    smooth = smoothness_pairs(p, tranche)
    up = lay.add_vars("up", "dt", smooth, cost=p.w_smoothness, term="smoothness")
    dn = lay.add_vars("dn", "dt", smooth, cost=p.w_smoothness, term="smoothness")
    fair = _fair_blocks(lay, p, opts)
    y = None
    if opts.integer:
        on_off = (p.min_tranche_t > 0) | (p.tranche_fixed_cost > 0)
        y = lay.add_vars("y", "dt", tranche & on_off[:, None], upper=1.0,
                         cost=p.tranche_fixed_cost[:, None], term="tranche_fixed")
    out = Variables(flow["x"], flow["g"], flow["h"], flow["z"], flow["s"], u, v, up, dn,
                    *fair, y, xs=flow.get("xs"))
    if opts.integer:
        out = _shipment_blocks(lay, p, out)
    if actuals is None:
        return out
    held = flow["s"].index[:, :, 0] >= 0
    dearest = 2.0 * p.shortfall_cost().max(axis=1, initial=0.0)[p.item_family]
    lost = lay.add_vars("lost", "ik", held, cost=dearest[:, None], term="reconciliation")
    found = lay.add_vars("found", "ik", held, cost=dearest[:, None], term="reconciliation")
    return replace(out, lost=lost, found=found, from_day=actuals.from_day)


def _shipment_blocks(lay: Layout, p: Problem, v: Variables) -> Variables:
    """MILP: yb [b, t] and ya [a, t], one per route with a fixed cost per shipment and day
    on which something can depart on it (open, and a flow column exists), costing the fixed
    cost (term ``route_fixed``). Blocks with no entry are not created (None), so a scenario
    without such costs builds the model it built before."""
    departs_b = (supply_columns(p, v) >= 0).any(axis=1) & (p.supply_fixed_eur > 0)[:, None]
    departs_a = (v.z.index >= 0).any(axis=0) & (p.route_fixed_eur > 0)[:, None]
    yb = ya = None
    if departs_b.any():
        yb = lay.add_vars("yb", "bt", departs_b, upper=1.0, cost=p.supply_fixed_eur[:, None],
                          term="route_fixed")
    if departs_a.any():
        ya = lay.add_vars("ya", "at", departs_a, upper=1.0, cost=p.route_fixed_eur[:, None],
                          term="route_fixed")
    return replace(v, yb=yb, ya=ya)


def _flow_blocks(lay: Layout, p: Problem, actuals: Actuals | None,
                 active: Bool) -> dict[str, Block]:
    shape = (len(p.items), len(p.depots), p.n_days)
    split = split_donors(p)
    x_mask = open_dispatch_mask(p, actuals)
    tons_cost = p.w_transport * p.item_mass_t
    own_route = np.zeros(len(p.donors))
    own_route[p.supply_donor] = p.supply_cost  # the cost of the one route, where one
    x_cost = np.where(split, 0.0, own_route)[:, None, None] * tons_cost[None, :, None]
    x = lay.add_vars("x", "dit", x_mask, cost=x_cost, term="transport")
    g = lay.add_vars("g", "dit", x_mask & grows(p, x_mask)[:, :, None])
    h = lay.add_vars("h", "int", np.broadcast_to(
        active[:, None, None], (len(p.items), len(p.hubs), p.n_days)),
        cost=_loss_cost(p, hub_step_retention(p)), term="strike_loss")
    z_mask = active[:, None, None] & move_days(p)[None, :, :]
    z = lay.add_vars("z", "iat", np.broadcast_to(z_mask, (len(p.items), *z_mask.shape[1:])),
                     cost=tons_cost[:, None, None] * p.route_cost[None, :, None],
                     term="transport")
    s = lay.add_vars("s", "ikt", np.broadcast_to(active[:, None, None], shape),
                     cost=_loss_cost(p, step_retention(p)), term="strike_loss")
    holding = p.holding_cost * p.step_days.astype(float)
    lay.add_cost(s.index, holding[None, None, :], "holding")
    lay.add_cost(h.index, holding[None, :], "holding")
    lay.add_cost(x.index, p.purchase_cost[None, :, :], "purchase")
    out = {"x": x, "g": g, "h": h, "z": z, "s": s}
    if split.any():
        xs_mask = (x_mask[p.supply_donor] & p.supply_open[:, None, :]
                   & split[p.supply_donor][:, None, None])
        out["xs"] = lay.add_vars("xs", "bit", xs_mask,
                                 cost=tons_cost[None, :, None] * p.supply_cost[:, None, None],
                                 term="transport")
    return out


def _loss_cost(p: Problem, kept: F64) -> F64:
    """[i, place, t] expected strike loss of a unit held at the end of step t at a place whose
    stock keeps ``kept`` [place, t] a step: ``w value[i] (1 - kept[t + 1])``. [EUR/unit]"""
    lost_next = np.zeros(kept.shape)
    lost_next[:, :-1] = 1.0 - kept[:, 1:]  # stock at the end of t, during t + 1
    loss: F64 = p.w_strike_loss * p.item_value[:, None, None] * lost_next[None, :, :]
    return loss


def _package_mask(p: Problem) -> Bool:
    inside = (p.package_day >= 0) & (p.package_day < p.n_days)
    mask: Bool = (p.package_first_load > 0) & inside[:, None]
    return mask


def fair_donors(p: Problem, opts: PlanOptions) -> Bool:
    """[d] donors whose fair-share band is modelled."""
    if not opts.fairness:
        return np.zeros(len(p.donors), dtype=bool)
    has: Bool = np.isfinite(p.fair_share)
    return has


def _fair_blocks(lay: Layout, p: Problem, opts: PlanOptions
                 ) -> tuple[Block | None, Block | None, Block | None, Block | None]:
    fair = fair_donors(p, opts)
    if not fair.any():
        return None, None, None, None
    value = lay.add_vars("V", "d", fair)
    total = lay.add_vars("W", "o", np.ones(1, dtype=bool))
    e_lo = lay.add_vars("e_lo", "d", fair, cost=p.fairness_penalty, term="fairness")
    e_hi = lay.add_vars("e_hi", "d", fair, cost=p.fairness_penalty, term="fairness")
    return value, total, e_lo, e_hi
