"""The rows of the planning LP: one function per constraint family, equation in its docstring.

Notation follows `variables`: tr[b] the transit of supply route b (donor to hub; one hub: the
donor's lead time), tr[a] of route a (hub or depot to depot; one hub: the depot's transit),
``r[k] = 1 - strike_prob[k] x loss_fraction[k]`` the share of depot stock that survives a day
(rh[n] of hub stock), m[i] the mass
of one unit [t], A[d,i,t] the donor's stock plus production up to day t [units]. A variable
indexed before day 0 is zero, except ``s[i,k,-1]``, the initial depot stock. Row names are
``family[labels]`` (e.g. ``depot_balance[of540,near,2022-06-03]``), see `layout.entry_name`.

The equations are written for days. On a multi-resolution problem (`compile.coarsen`) t is a
step: "sent on t' arrives on t = t' + lead" reads "arrives in the step holding the first day of
t' plus lead" (`Problem.arrival_step`; several steps may arrive in one), and r becomes
``r ** days`` of the step (`variables.step_retention`).
"""

from __future__ import annotations

import numpy as np

from resupply.compile.problem import F64, I64, Bool, Problem
from resupply.planning.layout import Constraint, Layout, Term, arrival_terms, entries, shifted
from resupply.planning.variables import (
    Variables,
    hub_step_retention,
    previous_on,
    split_donors,
    step_retention,
    supply_columns,
)

INF = np.inf


DONOR_AVAILABILITY = Constraint(
    "donor_availability", "donor stock and production: more would be dispatched than the donor "
    "holds and produces by then", balance=True)
DONOR_STOCK = Constraint(
    "donor_stock", "donor stock: more would be dispatched than the donor holds", balance=True)


def donor_availability(lay: Layout, p: Problem, v: Variables) -> None:
    """Cumulative dispatch within stock plus production, as a running balance.

    ``g[d,i,t] = g[d,i,t'] + (A[d,i,t] - A[d,i,t']) - x[d,i,t]`` with t' the previous day on
    which x exists (``g = A - x`` on the first); ``g >= 0`` is then exactly
    ``sum_{tau<=t} x[d,i,tau] <= A[d,i,t]``, with two non-zeros a row instead of t. Where A
    does not grow over the days x exists (stock, no production), one row per donor and item
    says the same: ``donor_stock[d,i]: sum_t x[d,i,t] <= A[d,i,last]``. Release dates and
    tranche cadence hold because x does not exist on other days.
    """
    mask = v.g.index >= 0
    prev = previous_on(mask)
    avail = p.donor_cumulative_available()
    before = np.where(prev >= 0, np.take_along_axis(avail, np.maximum(prev, 0), axis=2), 0.0)
    g_prev = np.where(prev >= 0, np.take_along_axis(v.g.index, np.maximum(prev, 0), axis=2), -1)
    e = entries(mask.shape)
    lay.add_rows(DONOR_AVAILABILITY, "dit", mask, lower=avail - before, upper=avail - before,
                 terms=[(e, v.g.index, 1.0), (e, g_prev, -1.0), (e, v.x.index, 1.0)])
    sends = v.x.index >= 0
    flat: Bool = np.asarray(sends.any(axis=2) & ~mask.any(axis=2), dtype=bool)
    lay.add_rows(DONOR_STOCK, "di", flat, lower=-INF,
                 upper=np.where(sends, avail, 0.0).max(axis=2, initial=0.0),
                 terms=[(entries(flat.shape)[:, :, None], v.x.index, 1.0)])


DISPATCH_CAPACITY = Constraint(
    "dispatch_capacity", "dispatch capacity: a donor would send more tons in a day than it can "
    "load")


def dispatch_capacity(lay: Layout, p: Problem, v: Variables) -> None:
    """Tons a donor dispatches a day: ``sum_i m[i] x[d,i,t] <= D[d,t]``, where D is finite.

    The capacity of one day cannot be used on another: a donor that sends nothing today may
    not send twice as much tomorrow (its stock waits, its loading capacity does not).
    """
    mask = np.isfinite(p.dispatch_capacity_t) & (v.x.index >= 0).any(axis=1)
    e = entries(mask.shape)
    lay.add_rows(DISPATCH_CAPACITY, "dt", mask, lower=-INF,
                 upper=np.where(mask, p.dispatch_capacity_t, 0.0),
                 terms=[(e[:, None, :], v.x.index, p.item_mass_t[None, :, None])])


PLEDGE = Constraint(
    "pledge", "pledges: a pledged quantity cannot be dispatched by its date (not released, not "
    "a tranche day, or more than the donor holds)")


def pledges(lay: Layout, p: Problem, v: Variables) -> None:
    """Pledged quantities dispatched by the pledge day.

    ``sum_{tau<=day[q]} x[d_q,i_q,tau] >= Q[q]`` (minimum) or ``= Q[q]`` (fixed), where Q[q] is
    the quantity of pledge q plus every earlier or same-day pledge of the same donor and item
    (pledges accumulate). Pledges due outside the horizon are not modelled. Built in time and
    memory linear in the pledges and the row's non-zeros (no pledge x pledge or pledge x day
    array): 40,000 pledges build like 4,000 times ten (benchmarks/pledge_rows_bench.py).
    """
    mask = (p.pledge_day >= 0) & (p.pledge_day < p.n_days)
    total = cumulative_pledged(p.pledge_donor * len(p.items) + p.pledge_item, p.pledge_day,
                               p.pledge_quantity)
    upper = np.where(p.pledge_fixed, total, INF)
    rows, cols = _pledge_terms(p, v, mask)
    lay.add_rows(PLEDGE, "q", mask, lower=total, upper=upper, terms=[(rows, cols, 1.0)])


def cumulative_pledged(pair: I64, day: I64, quantity: F64) -> F64:
    """[q] quantity of each pledge plus every other pledge of the same ``pair`` (donor and
    item) due on or before its day. [units]

    One sort, then a running sum within each pair (restarted per pair, so that one pair's
    sum never carries another's rounding), read at the last pledge of the same day.
    """
    n = len(pair)
    if n == 0:
        return np.zeros(0)
    order = np.lexsort((day, pair))
    ps, ds = pair[order], day[order]
    new_pair = np.r_[True, ps[1:] != ps[:-1]]
    groups = np.split(quantity[order], np.nonzero(new_pair)[0][1:])
    within = np.concatenate([np.cumsum(group) for group in groups])
    new_run = new_pair | np.r_[True, ds[1:] != ds[:-1]]
    run_end = np.r_[np.nonzero(new_run)[0][1:] - 1, n - 1]
    total = np.empty(n)
    total[order] = within[run_end[np.cumsum(new_run) - 1]]
    return total


def _pledge_terms(p: Problem, v: Variables, mask: Bool) -> tuple[I64, I64]:
    """(row entry, column) of the pledge rows: for pledge q, every x[d_q, i_q, t] that exists
    with t <= day[q] (rows outside the horizon get none)."""
    n_i = len(p.items)
    pairs, which = np.unique(p.pledge_donor * n_i + p.pledge_item, return_inverse=True)
    index = v.x.index[pairs // n_i, pairs % n_i, :]  # [pair, t]
    exists = index >= 0
    packed = np.take_along_axis(index, np.argsort(~exists, axis=1, kind="stable"), axis=1)
    upto = np.cumsum(exists, axis=1)[which, np.clip(p.pledge_day, 0, p.n_days - 1)]
    count = np.where(mask, upto, 0)
    rows = np.repeat(np.arange(len(count)), count)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    return rows, packed[which[rows], offset]


HUB_BALANCE = Constraint(
    "hub_balance", "hub balance: more would leave the hub than has arrived", balance=True)


def hub_balance(lay: Layout, p: Problem, v: Variables) -> None:
    """Hub stock with expected strike decay:
    ``h[i,n,t] = rh[n] h[i,n,t-1] + sum_{b->n} xb[b,i,t-tr[b]] - sum_{a from n} z[i,a,t]``.

    xb is what travels supply route b (`variables.supply_columns`: the donor's x, or its xs
    when it has several routes); it arrives after the route's transit (one hub: the donor's
    lead time). ``rh[n] = 1 - strike_prob x loss_fraction`` of the hub (1 for the one hub of a
    scenario with `hub`); a hub starts empty.
    """
    mask = v.h.index >= 0
    e = entries(mask.shape)
    rh = hub_step_retention(p)[None, :, :]
    rows_b = np.moveaxis(e[:, p.supply_hub, :], 1, 0)  # [b, i, t]
    rows, arriving = arrival_terms(rows_b, supply_columns(p, v),
                                   p.arrival_step(p.supply_transit_days)[:, None, :])
    lay.add_rows(HUB_BALANCE, "int", mask, lower=0.0, upper=0.0,
                 terms=[(e, v.h.index, 1.0), (e, shifted(v.h.index, 1), -rh),
                        (rows, arriving, -1.0), _hub_departures(e, p, v, 1.0)])


def _hub_departures(rows: I64, p: Problem, v: Variables, coef: F64 | float) -> Term:
    """Term putting each move on a route from a hub into ``rows`` [i, n, t] (or [n, t]) of
    its hub."""
    from_hub = p.route_from_hub >= 0
    cols = np.where(from_hub[None, :, None], v.z.index, -1)
    hub = np.maximum(p.route_from_hub, 0)
    at = rows[..., hub, :] if rows.ndim == 3 else rows[hub, :][None, :, :]
    return at, cols, coef


HUB_THROUGHPUT = Constraint(
    "hub_throughput", "hub throughput: more tons would leave the hub in a day than it handles")


def hub_throughput(lay: Layout, p: Problem, v: Variables) -> None:
    """Tons leaving each hub a day: ``sum_{i, a from n} m[i] z[i,a,t] <= H[n,t]``."""
    shape = p.hub_limit_t.shape
    lay.add_rows(HUB_THROUGHPUT, "nt", np.ones(shape, dtype=bool), lower=-INF,
                 upper=p.hub_limit_t,
                 terms=[_hub_departures(entries(shape), p, v, p.item_mass_t[:, None, None])])


HUB_CAPACITY = Constraint(
    "hub_capacity", "hub capacity: a hub would hold more tons than it can store")


def hub_capacity(lay: Layout, p: Problem, v: Variables) -> None:
    """Stock held at a hub within its capacity, where it has one:
    ``sum_i m[i] h[i,n,t] <= caph[n]``."""
    shape = p.hub_limit_t.shape
    mask = np.broadcast_to(np.isfinite(p.hub_capacity_t)[:, None], shape)
    lay.add_rows(HUB_CAPACITY, "nt", mask, lower=-INF,
                 upper=np.broadcast_to(p.hub_capacity_t[:, None], shape),
                 terms=[(entries(shape)[None, :, :], v.h.index, p.item_mass_t[:, None, None])])


SUPPLY_SPLIT = Constraint(
    "supply_split", "supply routes: a donor's dispatch is what leaves on its routes (a "
    "definition)", balance=True)


def supply_split(lay: Layout, p: Problem, v: Variables) -> None:
    """A donor with several supply routes: ``x[d,i,t] = sum_{b of d} xs[b,i,t]``."""
    if v.xs is None:
        return
    mask = (v.x.index >= 0) & split_donors(p)[:, None, None]
    e = entries(mask.shape)
    lay.add_rows(SUPPLY_SPLIT, "dit", mask, lower=0.0, upper=0.0,
                 terms=[(e, v.x.index, 1.0), (e[p.supply_donor], v.xs.index, -1.0)])


SUPPLY_CAPACITY = Constraint(
    "supply_capacity", "route capacity: more tons would leave a donor on a route in a day "
    "than it carries")
ROUTE_CAPACITY = Constraint(
    "route_capacity", "route capacity: more tons would leave on a route in a day than it "
    "carries")


def route_capacity(lay: Layout, p: Problem, v: Variables) -> None:
    """Tons departing on a route a day, where the route has a capacity:
    ``sum_i m[i] xb[b,i,t] <= C[b,t]`` (supply routes) and ``sum_i m[i] z[i,a,t] <= C[a,t]``."""
    mass = p.item_mass_t
    mask_b = np.isfinite(p.supply_capacity_t)
    lay.add_rows(SUPPLY_CAPACITY, "bt", mask_b, lower=-INF,
                 upper=np.where(mask_b, p.supply_capacity_t, 0.0),
                 terms=[(entries(mask_b.shape)[:, None, :], supply_columns(p, v),
                         mass[None, :, None])])
    mask_a = np.isfinite(p.route_capacity_t)
    lay.add_rows(ROUTE_CAPACITY, "at", mask_a, lower=-INF,
                 upper=np.where(mask_a, p.route_capacity_t, 0.0),
                 terms=[(entries(mask_a.shape)[None, :, :], v.z.index, mass[:, None, None])])


def move_arrival(p: Problem) -> I64:
    """[1, a, t] the step in which a move on route a of step t reaches the route's depot
    (daily: ``t + tr[a]``), -1 after the horizon."""
    return p.arrival_step(p.route_transit_days)[None, :, :]


def depot_arrivals(rows: I64, p: Problem, v: Variables) -> tuple[I64, I64]:
    """Terms (row entry, column) adding each move to the ``rows`` [i, k, t] of its arrival
    at the route's depot."""
    return arrival_terms(rows[:, p.route_depot, :], v.z.index, move_arrival(p))


def depot_departures(rows: I64, p: Problem, v: Variables, coef: float) -> Term:
    """Term putting each move on a route that starts at a depot into ``rows`` [i, k, t] of
    that depot on the day it leaves."""
    from_depot = p.route_from_depot >= 0
    cols = np.where(from_depot[None, :, None], v.z.index, -1)
    return rows[:, np.maximum(p.route_from_depot, 0), :], cols, coef


DEPOT_BALANCE = Constraint(
    "depot_balance", "depot balance: a depot would consume more than it holds", balance=True)


def depot_balance(lay: Layout, p: Problem, v: Variables) -> None:
    """Depot stock with expected strike decay; consumption is what the balance leaves.

    ``c[i,k,t] = r[k] s[i,k,t-1] + sum_{a->k} z[i,a,t-tr[a]] - sum_{a from k} z[i,a,t]
    - s[i,k,t] >= 0``: each day a strike destroys, in expectation, the share ``1 - r[k]`` of
    the stock carried in from the day before (before the day's arrivals), then arrivals come
    in, moves to other depots and consumption go out; ``s[i,k,-1]`` is the initial stock, so
    on day 0 the row reads ``s - z <= r[k] s0[i,k]``. One hub: route a is depot k.
    """
    mask = v.s.index >= 0
    e = entries(mask.shape)
    r = step_retention(p)[None, :, :]
    first = (np.arange(p.n_days) == 0)[None, None, :]
    upper = np.where(first, r * p.initial_stock[:, :, None], 0.0)
    lay.add_rows(DEPOT_BALANCE, "ikt", mask, lower=-INF, upper=upper,
                 terms=[(e, v.s.index, 1.0), (e, shifted(v.s.index, 1), -r),
                        (*depot_arrivals(e, p, v), -1.0), depot_departures(e, p, v, 1.0),
                        *_reconciliation(e, v, 1.0)])


DEMAND = Constraint(
    "demand", "demand: a depot holds stock it may not consume (more than the need)",
    balance=True)


def demand(lay: Layout, p: Problem, v: Variables) -> None:
    """Need met or short: ``sum_{i in f} c[i,k,t] + u[f,k,t] = need[f,k,t]``.

    With c from `depot_balance`. ``need`` already holds the spare parts worn by firing. Rows
    exist for every family, depot and day that has need or an item someone holds.
    """
    shape = p.need.shape
    e = entries(shape)
    r = step_retention(p)[None, :, :]
    held = np.zeros(len(p.families), dtype=bool)
    held[p.item_family[(v.s.index >= 0).any(axis=(1, 2))]] = True
    mask = (p.need > 0) | held[:, None, None]
    rows = e[p.item_family]
    first = np.zeros(shape)
    np.add.at(first, p.item_family, r[:, :, :1] * p.initial_stock[:, :, None])
    first[:, :, 1:] = 0.0
    rhs = p.need - first
    lay.add_rows(DEMAND, "fkt", mask, lower=rhs, upper=rhs,
                 terms=[(rows, v.s.index, -1.0), (rows, shifted(v.s.index, 1), r),
                        (*depot_arrivals(rows, p, v), 1.0), depot_departures(rows, p, v, -1.0),
                        (e, v.u.index, 1.0), *_reconciliation(rows, v, -1.0)])


def _reconciliation(rows: I64, v: Variables, sign: float) -> list[Term]:
    """Re-plan only: ``lost`` and ``found`` [i, k] enter the day ``from_day - 1`` rows of
    ``rows`` [i, k, t] as consumption would, with opposite signs (``c = ... - lost + found``)."""
    if v.lost is None or v.found is None:
        return []
    at = rows[:, :, v.from_day - 1]
    return [(at, v.lost.index, sign), (at, v.found.index, -sign)]


DEPOT_CAPACITY = Constraint(
    "depot_capacity", "depot capacity: a depot would hold more tons than it can store")


def depot_capacity(lay: Layout, p: Problem, v: Variables) -> None:
    """Stock held at the end of a day within capacity: ``sum_i m[i] s[i,k,t] <= cap[k]``."""
    shape = (len(p.depots), p.n_days)
    lay.add_rows(DEPOT_CAPACITY, "kt", np.ones(shape, dtype=bool), lower=-INF,
                 upper=np.broadcast_to(p.depot_capacity_t[:, None], shape),
                 terms=[(entries(shape)[None, :, :], v.s.index, p.item_mass_t[:, None, None])])


PACKAGE = Constraint(
    "package", "capability packages: a package's platforms would arrive without their first "
    "load on hand", soft=True)


def capability_packages(lay: Layout, p: Problem, v: Variables) -> None:
    """First load on hand when a package's platforms arrive (soft).

    ``sum_{i in f, k} s[i,k,day[q]] + v[q,f] >= load[q,f]``: the stock of the family held in
    the depots at the end of the package day covers its first load; v is penalised at the
    family's shortfall penalty per unit.
    """
    mask = v.v.index >= 0
    e = entries(mask.shape)
    day = np.clip(p.package_day, 0, p.n_days - 1)
    stock = np.moveaxis(v.s.index[:, :, day], 2, 0)  # [q, i, k]
    rows = e[:, p.item_family][:, :, None]
    lay.add_rows(PACKAGE, "qf", mask, lower=p.package_first_load, upper=INF,
                 terms=[(rows, stock, 1.0), (e, v.v.index, 1.0)])


DONOR_VALUE = Constraint(
    "donor_value", "donor value: the value a donor ships (a definition)", balance=True)
TOTAL_VALUE = Constraint(
    "total_value", "total value: the value all donors ship (a definition)", balance=True)
FAIR_SHARE_LOW = Constraint(
    "fair_share_low", "fair share: a donor would ship less than its fair-share band", soft=True)
FAIR_SHARE_HIGH = Constraint(
    "fair_share_high", "fair share: a donor would ship more than its fair-share band",
    soft=True)


def burden_sharing(lay: Layout, p: Problem, v: Variables) -> None:
    """Value shipped by each donor inside its fair-share band (soft).

    ``V[d] = sum_{i,t} value[i] x[d,i,t]``, ``W = sum_d V[d]`` over all donors, and
    ``(share[d] - b) W - e_lo[d] <= V[d] <= (share[d] + b) W + e_hi[d]``; e_lo and e_hi cost
    ``fairness_penalty`` per EUR.
    """
    if v.fair_value is None or v.total_value is None or v.e_lo is None or v.e_hi is None:
        return
    has = v.fair_value.index >= 0
    e = np.arange(len(p.donors))
    value = -p.item_value[None, :, None]
    lay.add_rows(DONOR_VALUE, "d", has, lower=0.0, upper=0.0,
                 terms=[(e, v.fair_value.index, 1.0), (e[:, None, None], v.x.index, value)])
    lay.add_rows(TOTAL_VALUE, "o", np.ones(1, dtype=bool), lower=0.0, upper=0.0,
                 terms=[(np.zeros(1, dtype=np.int64), v.total_value.index, 1.0),
                        (np.zeros(1, dtype=np.int64), v.x.index, value)])
    share = np.nan_to_num(p.fair_share)
    w = v.total_value.index
    low = np.maximum(share - p.fair_share_band, 0.0)
    lay.add_rows(FAIR_SHARE_LOW, "d", has, lower=0.0, upper=INF,
                 terms=[(e, v.fair_value.index, 1.0), (e, w, -low), (e, v.e_lo.index, 1.0)])
    lay.add_rows(FAIR_SHARE_HIGH, "d", has, lower=-INF, upper=0.0,
                 terms=[(e, v.fair_value.index, 1.0), (e, w, -(share + p.fair_share_band)),
                        (e, v.e_hi.index, -1.0)])


SMOOTHNESS = Constraint(
    "smoothness", "smoothness: the change of a donor's tranche size (a definition)",
    balance=True)


def smoothness(lay: Layout, p: Problem, v: Variables) -> None:
    """Change of a donor's tranche size from its previous tranche (a cheap proxy).

    ``sum_i x[d,i,t] - sum_i x[d,i,t'] = up[d,t] - dn[d,t]`` for each tranche day t of the
    donor's calendar after its first, t' the tranche day before (x is zero where it does not
    exist, so starting and stopping count as changes); ``w_smoothness (up + dn)`` is the
    objective term. Summing over items makes one row per donor and tranche instead of one per
    item: it smooths the size of each tranche (what the hub and depots must absorb), not the
    mix of items in it.
    """
    mask = v.up.index >= 0
    e = entries(mask.shape)
    prev = previous_on(p.tranche_day)
    x_prev = np.take_along_axis(v.x.index, np.maximum(prev, 0)[:, None, :], axis=2)
    x_prev = np.where(prev[:, None, :] >= 0, x_prev, -1)
    rows = e[:, None, :]
    lay.add_rows(SMOOTHNESS, "dt", mask, lower=0.0, upper=0.0,
                 terms=[(rows, v.x.index, 1.0), (rows, x_prev, -1.0), (e, v.up.index, -1.0),
                        (e, v.dn.index, 1.0)])


TRANCHE_MIN = Constraint(
    "tranche_min", "minimum tranche size: a tranche smaller than the donor's minimum")
TRANCHE_MAX = Constraint(
    "tranche_max", "minimum tranche size: a tranche larger than the donor can send")


def tranche_size(lay: Layout, p: Problem, v: Variables) -> None:
    """MILP: a tranche is empty or at least the donor's minimum size.

    ``min_t[d] y[d,t] <= sum_i m[i] x[d,i,t] <= M[d,t] y[d,t]`` with
    ``M[d,t] = min(sum_i m[i] A[d,i,t], D[d,t])`` (all the donor could have sent by then,
    within its dispatch capacity) and y binary. y also carries the donor's fixed cost per
    tranche (`variables`), so a tranche that costs it is sent only when worth it.
    """
    if v.y is None:
        return
    mask = v.y.index >= 0
    e = entries(mask.shape)[:, None, :]
    mass = p.item_mass_t[None, :, None]
    lay.add_rows(TRANCHE_MIN, "dt", mask, lower=0.0, upper=INF,
                 terms=[(e, v.x.index, mass),
                        (e[:, 0, :], v.y.index, -p.min_tranche_t[:, None])])
    lay.add_rows(TRANCHE_MAX, "dt", mask, lower=-INF, upper=0.0,
                 terms=[(e, v.x.index, mass), (e[:, 0, :], v.y.index, -tranche_bound(p))])


def available_tons(p: Problem) -> F64:
    """[d, t] tons of everything donor d holds or has made by day t:
    ``sum_i m[i] A[d,i,t]``. [t]"""
    tons: F64 = (p.donor_cumulative_available() * p.item_mass_t[None, :, None]).sum(axis=1)
    return tons


def tranche_bound(p: Problem) -> F64:
    """[d, t] the most a tranche of donor d on day t can weigh:
    ``M[d,t] = min(sum_i m[i] A[d,i,t], D[d,t])``, all it could have sent by then within its
    dispatch capacity (the big-M of `tranche_size` and of a supply route in `shipments`). [t]"""
    bound: F64 = np.minimum(available_tons(p), p.dispatch_capacity_t)
    return bound


SUPPLY_SHIPMENT = Constraint(
    "supply_shipment", "fixed cost per shipment: tons would leave on a supply route on a day "
    "whose shipment is not paid")
ROUTE_SHIPMENT = Constraint(
    "route_shipment", "fixed cost per shipment: tons would leave on a route on a day whose "
    "shipment is not paid")


def shipments(lay: Layout, p: Problem, v: Variables) -> None:
    """MILP: a route with a fixed cost per shipment carries something on a day only if its
    shipment of the day is on, and pays for it.

    ``sum_i m[i] xb[b,i,t] <= M[b,t] yb[b,t]`` and ``sum_i m[i] z[i,a,t] <= M[a,t] ya[a,t]``,
    yb and ya binary and costing the route's fixed cost (`variables`; term ``route_fixed``).
    M is the smallest bound at hand that the day's tons obey anyway, so that no plan is cut
    off: ``M[b,t] = min(C[b,t], Md[d_b,t])`` with Md[d,t] the donor's bound of
    `tranche_size` (`tranche_bound`); ``M[a,t] = min(C[a,t], H[n,t], S[t])`` for a route
    from hub n and ``min(C[a,t], S[t])`` from a depot, where ``S[t] = sum_{d,i} m[i]
    A[d,i,t] + sum_{i,k} m[i] s[i,k,-1]`` weighs everything that exists by day t (``inf``
    capacities drop out of the min). A re-plan's ``found`` stock is not in S: a re-plan
    needs a one-hub network, which has no route from a depot.
    """
    mass = p.item_mass_t
    if v.yb is not None:
        mask = v.yb.index >= 0
        e = entries(mask.shape)
        big = supply_shipment_bound(p)
        lay.add_rows(SUPPLY_SHIPMENT, "bt", mask, lower=-INF, upper=0.0,
                     terms=[(e[:, None, :], supply_columns(p, v), mass[None, :, None]),
                            (e, v.yb.index, -big)])
    if v.ya is not None:
        mask = v.ya.index >= 0
        e = entries(mask.shape)
        big = route_shipment_bound(p)
        lay.add_rows(ROUTE_SHIPMENT, "at", mask, lower=-INF, upper=0.0,
                     terms=[(e[None, :, :], v.z.index, mass[:, None, None]),
                            (e, v.ya.index, -big)])


def supply_shipment_bound(p: Problem) -> F64:
    """[b, t] the big-M of `shipments` on supply route b: ``min(C[b,t], Md[d_b,t])``. [t]"""
    big: F64 = np.minimum(p.supply_capacity_t, tranche_bound(p)[p.supply_donor])
    return big


def route_shipment_bound(p: Problem) -> F64:
    """[a, t] the big-M of `shipments` on route a: ``min(C[a,t], H[n,t], S[t])`` from hub n,
    ``min(C[a,t], S[t])`` from a depot. [t]"""
    mass = p.item_mass_t
    exists = available_tons(p).sum(axis=0) + float(mass @ p.initial_stock.sum(axis=1))
    big: F64 = np.minimum(p.route_capacity_t, exists[None, :])
    from_hub = p.route_from_hub >= 0
    big[from_hub] = np.minimum(big[from_hub], p.hub_limit_t[p.route_from_hub[from_hub]])
    return big


BUFFER_STOCK = Constraint(
    "buffer_stock", "buffers: a depot's safety stock cannot be held", soft=True)


def buffer_stock(lay: Layout, p: Problem, v: Variables, level: F64) -> None:
    """Buffers: soft minimum stock of each family at each depot (`options.Buffers`).

    ``sum_{i in f} s[i,k,t] + w[f,k,t] >= level[f,k,t]`` where the buffer has a row; w costs
    the buffer penalty per unit and day, and the shortfall bound that comes with the buffers
    keeps them from taking supply that the need would use.
    """
    if v.w is not None:
        _soft_minimum(lay, p, BUFFER_STOCK, "fkt", stock=v.s.index, deficit=v.w.index,
                      level=level)


HUB_RESERVE = Constraint(
    "hub_reserve", "hub reserve: the hub's safety stock cannot be held", soft=True)


def hub_reserve(lay: Layout, p: Problem, v: Variables, level: F64) -> None:
    """Reserve at the hubs (soft): ``sum_{i in f, n} h[i,n,t] + wh[f,t] >= level[f,t]``.

    Stock held where strikes do not reach (or reach less), from which depots are refilled
    after a strike or a late tranche within their transit time, instead of the donors' lead.
    """
    if v.wh is not None:  # summed over the hubs: h is [i, n, t]
        mask = v.wh.index >= 0
        e = entries(mask.shape)
        lay.add_rows(HUB_RESERVE, "ft", mask, lower=level, upper=INF,
                     terms=[(e[p.item_family][:, None, :], v.h.index, 1.0),
                            (e, v.wh.index, 1.0)])


def _soft_minimum(lay: Layout, p: Problem, kind: Constraint, axes: str, *, stock: I64,
                  deficit: I64, level: F64) -> None:
    """Rows ``sum_{i in f} stock[i,...] + deficit[f,...] >= level[f,...]`` where the deficit
    column exists (``stock`` is indexed by item first, ``deficit`` by family)."""
    mask = deficit >= 0
    e = entries(mask.shape)
    lay.add_rows(kind, axes, mask, lower=level, upper=INF,
                 terms=[(e[p.item_family], stock, 1.0), (e, deficit, 1.0)])


PAST_MOVES = Constraint(
    "past_moves", "past moves: the moves from the hubs into a depot before the re-planned day "
    "differ from the actuals", balance=True)


def past_moves(lay: Layout, p: Problem, v: Variables) -> None:
    """Re-plan over a network only: what left the hubs for a depot before ``from_day``.

    ``sum_{a from a hub into k} z[i,a,t] = moves[i,k,t]`` for ``t < from_day``, one row per
    depot, item and day where such a z exists. The actuals (the file, the simulator's
    `RunHistory`) record moves by depot, not by route, so the split over the routes into a
    depot (which hub sent it, and so the day it arrives) is left to the LP, as the split of a
    donor's dispatch over its supply routes is. Where the hub routes into a depot differ in
    transit, that reading also decides which moves are still under way at ``from_day``, and
    the LP takes the one that suits it best (a move read as under way rather than arrived when
    the depot holds less than its arrivals explain); actuals naming the route would settle
    it. The rows are built free (``-inf..inf``), so a model built with the actuals has one
    shape whatever the actuals say; `model.fix_actuals` gives them their bounds. Built after
    every other family (`model.build_model`), so a plan's basis extends to the re-plan's
    model with these rows basic. One hub needs no rows: route a is depot k there, and the
    moves fix z by its bounds.
    """
    from_hub = p.route_from_hub >= 0
    past = np.arange(p.n_days) < v.from_day
    cols = np.where(from_hub[None, :, None] & past[None, None, :], v.z.index, -1)  # [i, a, t]
    shape = (len(p.items), len(p.depots), p.n_days)
    reached = np.zeros((len(p.depots), len(p.items), p.n_days), dtype=bool)
    np.logical_or.at(reached, p.route_depot, np.moveaxis(cols >= 0, 1, 0))
    mask = np.moveaxis(reached, 0, 1)
    lay.add_rows(PAST_MOVES, "ikt", mask, lower=-INF, upper=INF,
                 terms=[(entries(shape)[:, p.route_depot, :], cols, 1.0)])


CONSTRAINTS: tuple[Constraint, ...] = (
    DONOR_AVAILABILITY, DONOR_STOCK, DISPATCH_CAPACITY, PLEDGE, HUB_BALANCE, HUB_THROUGHPUT,
    HUB_CAPACITY, SUPPLY_SPLIT, SUPPLY_CAPACITY, ROUTE_CAPACITY, DEPOT_BALANCE, DEMAND,
    DEPOT_CAPACITY, PACKAGE, DONOR_VALUE, TOTAL_VALUE, FAIR_SHARE_LOW, FAIR_SHARE_HIGH,
    SMOOTHNESS, TRANCHE_MIN, TRANCHE_MAX, SUPPLY_SHIPMENT, ROUTE_SHIPMENT, BUFFER_STOCK,
    HUB_RESERVE, PAST_MOVES)
"""Every constraint family (the enumeration; each is declared beside its function)."""


def add_constraints(lay: Layout, p: Problem, v: Variables) -> None:
    """Every constraint family, in the order of DESIGN.md's planning model (the buffers,
    `buffer_stock`, come last, so that a plan's basis extends to a buffered model)."""
    donor_availability(lay, p, v)
    dispatch_capacity(lay, p, v)
    pledges(lay, p, v)
    hub_balance(lay, p, v)
    hub_throughput(lay, p, v)
    hub_capacity(lay, p, v)
    supply_split(lay, p, v)
    route_capacity(lay, p, v)
    depot_balance(lay, p, v)
    demand(lay, p, v)
    depot_capacity(lay, p, v)
    capability_packages(lay, p, v)
    burden_sharing(lay, p, v)
    smoothness(lay, p, v)
    tranche_size(lay, p, v)
    shipments(lay, p, v)
