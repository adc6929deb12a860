"""Policies: rules that decide, each simulated day, what donors dispatch and what leaves the hub.

Every policy implements the two methods of `Policy`; settings go in ``__init__``, the work is
done in the call, and nothing writes into the `DayView` it is given. The engine then caps the
answers by what is physically possible (donor availability, hub stock, hub throughput, depot
capacity), so a policy may ask for more than it can get.

=====================  =========================================================================
spec                   rule
=====================  =========================================================================
``plan``               follow a plan's dispatch x[d,i,t] and hub moves z[i,k,t] (`PlanInput`),
                       tracking its inventory positions (more when demand or strikes took more,
                       less when they took less; depots refilled up to the plan's stock,
                       buffers included); what could not be done on time is caught up
``plan:fixed``         the plan's x and z as fixed schedules, caught up when late
``lump``               dispatch everything available as early as possible; move everything on
``cadence:N[:B]``      every N days dispatch the expected need of the lead time plus the next N
                       days plus a buffer of B days (default 7), less the inventory position;
                       donors in order of availability (shortest lead first)
``order-up-to``        periodic review every day up to a target per family and depot:
``order-up-to:LEVEL``  ``LEVEL`` units, or ``Nd`` = the expected need of the lead time plus
``order-up-to:Nd``     N days (default ``10d``); stock leaves the hub only up to the targets
``rolling:N``          re-plan every N days on each run's state (see `resupply.simulation.rolling`)
``sS:LOW:HIGH``        (s,S), reviewed every day: a family whose inventory position is at or
``sS:Nd:Md``           below s orders up to S (per family and depot; units, or ``Nd`` days of
                       need beyond the lead time as in ``order-up-to:Nd``); otherwise nothing.
                       Stock leaves the hub up to S (`resupply.simulation.min_max`)
=====================  =========================================================================

Policies other than ``plan`` set their own cadence: donors' tranche calendars and pledges are
planning constraints, not applied to them.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from resupply.compile.problem import F64, I64, Problem
from resupply.simulation.constants import greedy_order, per_problem
from resupply.simulation.plan_input import PlanInput
from resupply.simulation.policy_spec import (
    DEFAULT_BUFFER_DAYS,
    DEFAULT_COVER_DAYS,
    CadenceSpec,
    OrderUpToSpec,
    PlanSpec,
)
from resupply.simulation.routes import depot_terms
from resupply.simulation.view import DayView

TINY = 1e-9
"""Requests below this are dropped (float dust of cumulative differences). [units]"""


@runtime_checkable
class Policy(Protocol):
    """A supply rule; see the module docstring."""

    @property
    def name(self) -> str:
        """Spec of the policy, as `parse_policy` reads it."""
        ...

    def dispatch(self, view: DayView) -> F64:
        """[r, d, i] units each donor should dispatch today. [units]"""
        ...

    def allocate(self, view: DayView) -> F64:
        """[r, k, i] units that should leave the hub for each depot today. [units]"""
        ...


def window_need(problem: Problem, t: int, days: F64) -> F64:
    """[k, f] expected need from day t over ``days[k, f]`` days (fractional days pro rata);
    past the horizon the last day's need is assumed to go on. [units]"""
    need = np.moveaxis(problem.need, 2, 0)  # [t, f, k] -> [t][f, k]
    horizon = problem.n_days
    pad = np.concatenate([np.zeros((1, *need.shape[1:])), np.cumsum(need[t:], axis=0)])
    whole = np.floor(days.T).astype(np.int64)
    inside = np.minimum(whole, horizon - t)
    f_idx, k_idx = np.indices(whole.shape)
    total: F64 = pad[inside, f_idx, k_idx] + (whole - inside) * need[-1]
    part = days.T - whole
    nxt = np.minimum(t + whole, horizon - 1)
    total = total + part * need[nxt, f_idx, k_idx]
    result: F64 = total.T
    return result


def window_table(problem: Problem, days: F64) -> F64:
    """[t, k, f] `window_need` of every day for ``days[k, f]``, computed once per problem and
    ``days`` (policies read one row a day; the same numbers bit for bit, read-only)."""
    def build() -> F64:
        table = np.stack([window_need(problem, t, days) for t in range(problem.n_days)])
        table.flags.writeable = False
        return table
    key = ("window_table", days.shape, days.tobytes())
    return per_problem(problem, key, build)


def supply_lead(problem: Problem) -> F64:
    """[k, f] days from dispatch to a depot for each family: the slowest donor holding any
    item of it (lead + mean delay; policies cover the worst route), plus the depot's
    transit (computed once per problem; read-only). [days]"""
    return per_problem(problem, "supply_lead", lambda: _supply_lead(problem))


def _supply_lead(problem: Problem) -> F64:
    n_f = len(problem.families)
    onehot = np.eye(n_f)[problem.item_family]
    holds = (problem.donor_stock + problem.donor_production.sum(axis=2)) @ onehot > 0  # [d, f]
    lead = problem.lead_days + problem.delay_mean
    slowest = np.where(holds, lead[:, None], 0.0).max(axis=0, initial=0.0)
    result: F64 = problem.transit_days[:, None].astype(np.float64) + slowest[None, :]
    result.flags.writeable = False
    return result


def greedy_dispatch(view: DayView, order: F64, available: F64 | None = None) -> F64:
    """[r, d, i] dispatch filling ``order[r, f]`` units per family from donors in order of
    availability (shortest lead + mean delay first, then file order), items in file order,
    out of ``available`` [r, d, i] (default: all the donors may send today)."""
    d_p, i_p, f_p, first = greedy_order(view.problem)
    avail = (view.available if available is None else available)[:, d_p, i_p]
    # What the pairs before each pair in its family hold: partial sums of the family's own
    # pairs, so that a family's first pair has exactly 0 before it and an order of 0 takes
    # exactly 0 (a difference of running sums over all pairs left float dust, 1e-13, which
    # an order of 0 took in some runs and not in others, with the chunking).
    before_in_family = np.zeros(avail.shape)
    for start in np.unique(first):
        stop = int(np.searchsorted(first, start, side="right"))
        np.cumsum(avail[:, start:stop - 1], axis=1, out=before_in_family[:, start + 1:stop])
    take = np.clip(order[:, f_p] - before_in_family, 0.0, avail)
    out = np.zeros(view.available.shape)
    out[:, d_p, i_p] = take
    return out


def allocate_to_targets(view: DayView, target: F64, move_all: bool) -> F64:
    """[r, k, i] hub stock split over depots in proportion to their deficit against
    ``target[k, f]``; up to the deficits, or all of it when ``move_all`` (by demand share where
    no depot has a deficit)."""
    p = view.problem
    deficit = np.maximum(target[None] - view.depot_position(), 0.0)  # [r, k, f]
    total = deficit.sum(axis=1, keepdims=True)
    share = p.demand_share / max(p.demand_share.sum(), TINY)
    by_deficit = np.divide(deficit, total, out=np.zeros_like(deficit), where=total > TINY)
    weights = np.where(total > TINY, by_deficit, share[None, :, None])
    hub_f = view.family_sum(view.hub)[:, None, :]
    if move_all:
        fill = np.ones_like(total)
    else:
        fill = np.minimum(1.0, np.divide(total, hub_f, out=np.zeros_like(total),
                                         where=hub_f > TINY))
    per_family = (fill * weights)[:, :, p.item_family]  # [r, k, i]
    moves: F64 = view.hub[:, None, :] * per_family
    return moves


def split_by_share(view: DayView) -> F64:
    """[r, k, i] all hub stock, split over depots by demand share."""
    share = view.problem.demand_share / max(view.problem.demand_share.sum(), TINY)
    moves: F64 = view.hub[:, None, :] * share[None, :, None]
    return moves


class PlanPolicy:
    """Follow a plan; catch up on what could not be done on its day.

    With the plan's expectations (`PlanInput.has_expectations`) and ``track`` (the default),
    the plan is followed as a base-stock rule around its own trajectory:

    - **dispatch**: each family's inventory position (depots + in transit + hub + in flight
      - backorders) is brought up to the plan's position after the day's tranches,
      ``P*[f,t] = S0[f] + sum_{tau<=t} x[f,tau] - sum_{tau<t} (c[f,tau] + l[f,tau])
      - sum_{tau<=t} lh[f,tau]`` (lh: the hub's expected strike loss, struck before the
      day's dispatch): the
      planned tranches (and any backlog) first, less when the position is above plan,
      more (from any donor that has it, shortest lead first) when demand or strikes took
      more than the plan expected;
    - **moves**: each depot's position (on hand + in transit to it) is refilled from the hub
      up to the plan's, ``D*[k,f,t] = S0[k,f] + sum_{tau<=t} z[k,f,tau] -
      sum_{tau<t} (c + l)[k,f,tau]``, which holds any buffer the plan keeps.

    When everything goes as planned both rules ask for exactly the plan's x and z, so a
    deterministic replay reproduces the plan. Without ``track`` the plan's x and z are
    followed as fixed schedules (demand below the mean then piles up stock; above it, runs
    out until the next tranche).
    """

    def __init__(self, plan: PlanInput, track: bool = True) -> None:
        self._name = str(PlanSpec(fixed=not track))
        self._cum_x = np.cumsum(plan.dispatch, axis=2)
        self._cum_z = np.cumsum(plan.moves, axis=2)
        self.track = track and plan.has_expectations
        self._used: F64 | None = None
        if self.track and plan.consumption is not None and plan.expected_loss is not None:
            used = plan.consumption + plan.expected_loss  # [i, k, t]
            before = np.cumsum(used, axis=2) - used  # [i, k, t]: sum over tau < t
            self._used = before
        self._hub_lost = (np.zeros(self._cum_x.shape[1:]) if plan.hub_loss is None
                          else np.cumsum(plan.hub_loss, axis=1))  # [i, t]: tau <= t
        self.plan_routes = plan.routes
        """The plan's flows per route, which the simulation follows on a network."""
        self._depots: tuple[F64, F64] | None = None

    @property
    def name(self) -> str:
        return self._name

    def _catch_up_x(self, view: DayView) -> F64:
        want = self._cum_x[None, :, :, view.t] - view.dispatched
        result: F64 = np.where(want > TINY, want, 0.0)
        return result

    def _catch_up_z(self, view: DayView) -> F64:
        want = self._cum_z[None, :, :, view.t].transpose(0, 2, 1) - view.moved
        result: F64 = np.where(want > TINY, want, 0.0)
        return result

    def dispatch(self, view: DayView) -> F64:
        planned = self._catch_up_x(view)
        if self._used is None:
            return planned
        planned = np.minimum(planned, view.available)  # what the donors cannot send is made up
        p, t = view.problem, view.t
        target_i = (p.initial_stock.sum(axis=1) + self._cum_x[:, :, t].sum(axis=0)
                    - self._used[:, :, t].sum(axis=1) - self._hub_lost[:, t])  # [i]
        want = view.family_sum(target_i)[None] - view.family_position()  # [r, f]
        return _fit(planned, want, p.item_family, view)

    def _depot_terms(self, problem: Problem) -> tuple[F64, F64] | None:
        """The plan's sends between depots (`routes.depot_terms`), once; None without any."""
        if self.plan_routes is None or not (problem.route_from_depot >= 0).any():
            return None
        if self._depots is None:
            self._depots = depot_terms(problem, self.plan_routes)
        return self._depots

    def allocate(self, view: DayView) -> F64:
        planned = self._catch_up_z(view)
        if self._used is None:
            return planned
        p, t = view.problem, view.t
        used = self._used[:, :, t]
        depots = self._depot_terms(p)
        from_hubs = planned
        if depots is not None:  # a rear depot's position also falls by what it sent on
            used = used + depots[0][:, :, t]
            from_hubs = planned * depots[1][:, :, t].T[None]
        target_ik = (p.initial_stock + self._cum_z[:, :, t] - used).T  # [k, i]
        want = view.family_sum(target_ik)[None] - view.depot_position()  # [r, k, f]
        asked = from_hubs.sum(axis=1)  # [r, i]: the hub may lack an item a late tranche carries
        fits = np.divide(view.hub, asked, out=np.ones_like(asked), where=asked > view.hub)
        scaled = _scale_to(planned * fits[:, None, :], want, p.item_family, view)
        extra = np.maximum(want - view.family_sum(scaled), 0.0)
        free = np.maximum(view.hub - scaled.sum(axis=1), 0.0)  # [r, i]
        return scaled + _from_hub(extra, free, view)


def _down_factor(total: F64, want: F64, family: I64) -> F64:
    """[..., i] factor bringing each family's ``total`` [..., f] down to ``want`` where that
    is less (to nothing where ``want`` <= 0); 1 elsewhere."""
    factor = np.divide(np.clip(want, 0.0, None), total, out=np.ones_like(total),
                       where=(total > want + TINY) & (total > TINY))
    result: F64 = np.take(np.minimum(factor, 1.0), family, axis=-1)
    return result


def _scale_to(planned: F64, want: F64, family: I64, view: DayView) -> F64:
    """Moves ``planned`` [r, k, i] scaled down, per family, to ``want`` [r, k, f]."""
    scaled: F64 = planned * _down_factor(view.family_sum(planned), want, family)
    return scaled


def _fit(planned: F64, want: F64, family: I64, view: DayView) -> F64:
    """Dispatch [r, d, i]: the planned tranches scaled down to ``want`` [r, f], plus what
    ``want`` asks beyond them from the donors that still have it (`greedy_dispatch`)."""
    total = view.family_sum(planned.sum(axis=1))  # [r, f]
    scaled = planned * _down_factor(total, want, family)[:, None, :]
    extra = want - total
    extra = np.where(extra > TINY * (1.0 + np.abs(want)), extra, 0.0)
    if not extra.any():
        result: F64 = scaled
        return result
    more = greedy_dispatch(view, extra, np.maximum(view.available - scaled, 0.0))
    combined: F64 = scaled + more
    return combined


def _from_hub(extra: F64, free: F64, view: DayView) -> F64:
    """[r, k, i] moves of hub stock not yet spoken for (``free`` [r, i]) to depots below the
    plan's position by ``extra`` [r, k, f], in proportion to their gaps, item by item in
    proportion to the free stock of the family."""
    family = view.problem.item_family
    free_f = view.family_sum(free)[:, None, :]  # [r, 1, f]
    gap = extra.sum(axis=1, keepdims=True)  # [r, 1, f]
    fill = np.minimum(1.0, np.divide(free_f, gap, out=np.zeros_like(gap), where=gap > TINY))
    per_depot = extra * fill  # [r, k, f] units to move
    item_share = np.divide(free, free_f[:, 0, family], out=np.zeros_like(free),
                           where=free_f[:, 0, family] > TINY)  # [r, i]
    moves: F64 = per_depot[:, :, family] * item_share[:, None, :]
    return moves


class LumpPolicy:
    """Everything available as early as possible, all of it moved on to the depots."""

    @property
    def name(self) -> str:
        return "lump"

    def dispatch(self, view: DayView) -> F64:
        return view.available.copy()

    def allocate(self, view: DayView) -> F64:
        return split_by_share(view)


class CadencePolicy:
    """Every ``every`` days, ship the need of the lead time + ``every`` + ``buffer`` days less
    the inventory position; all that reaches the hub moves on, by depot deficit."""

    def __init__(self, every: int, buffer_days: float = DEFAULT_BUFFER_DAYS) -> None:
        self.every = every
        self.buffer_days = buffer_days

    @property
    def name(self) -> str:
        return str(CadenceSpec(self.every, self.buffer_days))

    def _cover(self, view: DayView) -> F64:
        days = supply_lead(view.problem) + self.every + self.buffer_days
        cover: F64 = window_table(view.problem, days)[view.t]
        return cover

    def dispatch(self, view: DayView) -> F64:
        if view.t % self.every:
            return np.zeros(view.available.shape)
        order = np.maximum(self._cover(view).sum(axis=0)[None] - view.family_position(), 0.0)
        return greedy_dispatch(view, order)

    def allocate(self, view: DayView) -> F64:
        return allocate_to_targets(view, self._cover(view), True)


class OrderUpToPolicy:
    """Daily periodic review up to ``level`` units per family and depot, or, with ``days``, up
    to the expected need of the lead time plus ``days`` days. Stock leaves the hub only up to
    the depots' targets."""

    def __init__(self, level: float | None = None, days: float = DEFAULT_COVER_DAYS) -> None:
        self.level = level
        self.days = days

    @property
    def name(self) -> str:
        if self.level is not None:
            return str(OrderUpToSpec(level=self.level))
        return str(OrderUpToSpec(days=self.days))

    def _target(self, view: DayView) -> F64:
        p = view.problem
        shape = (len(p.depots), len(p.families))
        if self.level is not None:
            return np.full(shape, float(self.level))
        target: F64 = window_table(p, supply_lead(p) + self.days)[view.t]
        return target

    def dispatch(self, view: DayView) -> F64:
        order = np.maximum(self._target(view).sum(axis=0)[None] - view.family_position(), 0.0)
        return greedy_dispatch(view, order)

    def allocate(self, view: DayView) -> F64:
        return allocate_to_targets(view, self._target(view), False)

