"""The day's steps on a network of several entry hubs and routes (`Problem.simple_network`
false): the same order of events as `engine`, with every unit on a route.

State: each hub's stock ``hubs[r, h, i]`` (the policies see the sum over hubs, `State.hub`,
kept equal to it after every step) and what is on its way to each hub, ``pipe_hub[ring, r,
h, i]``.

- **Routing.** A policy says how much each donor dispatches and how much each depot should
  receive (`Policy.dispatch`, `Policy.allocate`); the network decides the routes. A plan that
  names its routes (`PlanRoutes`: the planner's flows per route and day) puts each donor's and
  depot's units on the plan's routes in the plan's shares, where the plan moves anything that
  day; everything else, and what a plan's route cannot carry, takes the open routes in order
  of preference: shortest transit first, then file order.
- **Dispatch** (step 1). A donor without an open supply route today sends nothing. Each supply
  route carries at most its capacity [t/day] on the day of departure; what no open route of
  the donor can carry stays with the donor (not dispatched). A tranche reaches its route's
  hub after the route's transit plus the donor's random delay (one draw per donor and day,
  as on one hub).
- **Moves** (step 3). What depots should receive leaves on their routes, in rounds (the
  plan's shares first, then the preferred route of each depot from a hub, then the next
  one..., then its routes from other depots). In each round every route's share is scaled
  down, in turn, to its hub's stock of each item, to the route's capacity [t/day] and to its
  hub's throughput left today [t/day]; it arrives after the route's transit.
- **Moves between depots** (step 5b). A route from a depot (rear to forward) carries its
  share after the day's strikes and arrivals at the depots, within what the rear depot then
  holds (as in the planner's depot balance: what arrives today may leave today), before the
  day's consumption. Other policies than ``plan`` thus draw on a rear depot only for what
  no hub could send.
- **Hub storage** (end of step 3). Stock above a hub's storage capacity [t] at the end of the
  day waits outside, in proportion to each item, and arrives the next day (the planner's
  limit holds at the end of the day too).
- **Strikes** (step 0). Each hub is struck with its own probability and loss fraction, as the
  one hub is (`engine.hub_strike`).
- **Capacity returns** (step 7, `consume.overflow`) go to the hub of each depot's preferred
  route.

On the kernel path (`fused.use_kernel`) the rounds of the dispatch and of the moves, and the
dispatch's bookings, run on Numba loops (`netkernel`), one run at a time; the NumPy code here
stays the reference, and both give the same numbers bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import numpy as np

from resupply.compile.problem import F64, I64
from resupply.simulation.constants import contract
from resupply.simulation.engine import _scale, book_dispatch
from resupply.simulation.fused import prepare_cache_dir
from resupply.simulation.pauses import advance
from resupply.simulation.policies import TINY
from resupply.simulation.routes import Groups, group_sum, open_donors, plan_routes
from resupply.simulation.state import Chunk
from resupply.simulation.view import DayView

Rows = slice | I64
"""The runs a round works on: all (``slice(None)``) or their indices."""


def _shares(flows: F64, groups: Groups) -> F64:
    """[m, i] each member's share of its group's flow ``flows[m, i]`` (0 where the group has
    none)."""
    flows = np.maximum(flows, 0.0)
    out = np.zeros(flows.shape)
    for members in groups.members:
        if not len(members):
            continue
        total = flows[members].sum(axis=0)
        out[members] = np.divide(flows[members], total, out=np.zeros_like(flows[members]),
                                 where=total > TINY)
    return out


class NetworkDay:
    """Steps 0 to 3 of a day on a network, for one chunk (see the module docstring)."""

    def __init__(self, c: Chunk, compiled: bool = False) -> None:
        """``compiled``: the rounds and bookings on the Numba loops (`netkernel`; the same
        numbers as the NumPy path)."""
        st, p = c.st, c.st.problem
        net = st.network
        assert net is not None  # only built for a problem whose Static has a network
        self.net = net
        self.p = p
        self.routes = plan_routes(c.policy)
        self.pending: F64 | None = None
        """[r, a, i] moves from depots asked today, sent after the depots' arrivals."""
        self.supply_cap = p.supply_capacity_t
        self.route_cap = p.route_capacity_t
        self.k = _load() if compiled else None
        n_i = p.shape["i"]
        self.supply_flat = _flat(net.supply_groups)
        self.route_flat = _flat(net.route_groups)
        self.hub_flat = _flat(net.hub_groups)
        self.supply_stack = _stack(net.supply_rounds, len(p.supply_ids), n_i)
        self.route_stack = _stack(net.route_rounds, len(p.route_ids), n_i)

    # step 0 -------------------------------------------------------------------------------
    def hub_strike(self, c: Chunk) -> None:
        """Each hub struck at random loses a Beta-distributed fraction of its stock (with
        ``expected_strikes``: exactly its expected share), before the day's dispatch."""
        st, s, draws = c.st, c.s, c.draws
        prob = st.hub_strike_probs
        if not prob.any():
            return
        assert s.hubs is not None
        if st.options.expected_strikes:
            fraction = np.broadcast_to(prob * self.p.hub_loss_fraction, (draws.runs, len(prob)))
        else:
            hit = draws.uniform((len(prob),)) < prob[None, :]
            fraction = draws.strike_fraction(hit, self.p.hub_loss_fraction,
                                             self.p.strike_loss_concentration)
        lost = s.hubs * fraction[:, :, None]
        s.hubs = np.maximum(s.hubs - lost, 0.0)
        s.hub = s.hubs.sum(axis=1)
        c.tot.hub_lost += contract(lost.sum(axis=1), st.loss_basis)

    # step 1 -------------------------------------------------------------------------------
    def available(self, c: Chunk, t: int, base: Callable[[], F64]) -> F64:
        """What donors may send today (`engine._available`), nothing from a donor without an
        open supply route."""
        result: F64 = base() * open_donors(self.p, t)[None, :, None]
        return result

    def dispatch(self, c: Chunk, t: int, view_of: Callable[[Callable[[], F64]], DayView],
                 base: Callable[[], F64]) -> Callable[[], F64]:
        """Step 1: the policy's dispatch, capped by what donors may send and by what their open
        supply routes carry today, booked on the routes to the hubs."""
        st, s, p = c.st, c.s, self.p
        s.down = advance(s.down, c.draws, st.pause_prob, p.resume_prob)
        view = view_of(lambda: self.available(c, t, base))
        want = c.policy.dispatch(view)
        if not (want > 0).any():
            return lambda: view.available
        available = view.available
        sent = np.minimum(np.maximum(want, 0.0), available)
        on_route = self._split_supply(sent, t)  # [r, b, i]
        sent = np.minimum(self._group_sum(on_route, self.net.supply_groups, self.supply_flat),
                          sent)
        active = book_dispatch(c, t, sent)  # [r, d]
        left: F64 = available - sent
        if not active.any():
            return lambda: left
        lag = c.draws.lag_days(st.delay_mean, active)  # [r, d]
        if self.k is not None:
            self.k.book_supply(s.pipe_hub, on_route, on_route.any(axis=(0, 2)), t,
                               p.supply_transit_days, p.supply_donor, p.supply_hub, lag,
                               self.net.hub_ring)
            return lambda: left
        runs = np.arange(len(sent))
        for b in np.nonzero(on_route.any(axis=(0, 2)))[0]:  # each run once per route
            slot = (t + int(p.supply_transit_days[b]) + lag[:, p.supply_donor[b]]) \
                % self.net.hub_ring
            s.pipe_hub[slot, runs, p.supply_hub[b]] += on_route[:, b]
        return lambda: left

    def _split_supply(self, sent: F64, t: int) -> F64:
        """[r, b, i] ``sent`` [r, d, i] on the supply routes, in rounds: the plan's shares
        first, then each donor's routes by preference, each within what is left of its
        capacity today; what no route carries is left out."""
        p, net = self.p, self.net
        room = _per_run(np.where(p.supply_open[:, t], self.supply_cap[:, t], 0.0),
                        sent.shape[0])  # [r, b] tons left today
        rounds = list(net.supply_rounds)
        if self.routes is not None:
            rounds.insert(0, _shares(self.routes.supply[:, :, t], net.supply_groups))
        mass = p.item_mass_t
        if self.k is not None:
            on_route = np.zeros((sent.shape[0], len(p.supply_ids), sent.shape[2]))
            self.k.fill_supply(sent, p.supply_donor, *self.supply_flat,
                               self._with_plan(self.supply_stack, rounds, len(net.supply_rounds)),
                               on_route, room, mass)
            return on_route

        def take(proposed: F64, rows: Rows) -> F64:
            tons = contract(proposed, mass)  # [r, b]
            fits = _ratio(tons, room[rows])
            room[rows] -= tons * fits
            taken: F64 = proposed * fits[:, :, None]
            return taken

        on_route = np.zeros((sent.shape[0], len(p.supply_ids), sent.shape[2]))
        _fill_rounds(sent, p.supply_donor, net.supply_groups, rounds, on_route, take)
        return on_route

    # step 2 -------------------------------------------------------------------------------
    def hub_arrivals(self, c: Chunk, t: int) -> None:
        """Step 2: what is due at each hub today arrives."""
        s = c.s
        assert s.hubs is not None
        slot = t % self.net.hub_ring
        arrived = s.pipe_hub[slot]  # [r, h, i]
        s.hubs += arrived
        s.to_hub -= arrived.sum(axis=1)
        np.maximum(s.to_hub, 0.0, out=s.to_hub)
        arrived[...] = 0.0
        s.hub = s.hubs.sum(axis=1)

    # step 3 -------------------------------------------------------------------------------
    def hub_moves(self, c: Chunk, t: int, view: DayView) -> None:
        """Step 3: the policy's moves on the routes from the hubs, then hub storage."""
        s = c.s
        assert s.hubs is not None
        want = np.maximum(c.policy.allocate(view), 0.0)  # [r, k, i]
        if want.any():
            self._move(c, t, want)
        self._store(c, t)
        s.hub = s.hubs.sum(axis=1)

    def _move(self, c: Chunk, t: int, want: F64) -> None:
        """The day's moves, in rounds: the plan's shares first, then each depot's routes by
        preference (from a hub, then from another depot); each round within the hubs' stock,
        the routes' capacity and the hubs' throughput left today. Moves from a depot wait
        for the depots' step (`depot_moves`)."""
        s, p, net = c.s, self.p, self.net
        assert s.hubs is not None
        hubs = s.hubs
        mass, origin, by_depot = p.item_mass_t, net.route_origin, net.from_depot[None, :]
        runs = want.shape[0]
        route_room = _per_run(np.where(p.route_open[:, t], self.route_cap[:, t], 0.0),
                              runs)  # [r, a] tons left today
        hub_room = _per_run(p.hub_limit_t[:, t], runs)  # [r, h] tons left today
        rounds = list(net.route_rounds)
        if self.routes is not None:
            rounds.insert(0, _shares(self.routes.routes[:, :, t].T, net.route_groups))
        if self.k is not None:
            moved = np.zeros((runs, len(p.route_ids), want.shape[2]))
            self.k.fill_moves(want, p.route_depot, *self.route_flat,
                              self._with_plan(self.route_stack, rounds, len(net.route_rounds)),
                              moved, hubs, route_room, hub_room, mass, origin, net.from_depot,
                              *self.hub_flat)
            self._moved(c, t, moved)
            return

        def take(proposed: F64, rows: Rows) -> F64:
            """``proposed`` [r, a, i] of runs ``rows`` within hub stock (routes from a hub),
            route and hub room, taken."""
            held = hubs[rows]
            by_stock = _ratio(group_sum(proposed, net.hub_groups), held)[:, origin]
            proposed = proposed * np.where(by_depot[:, :, None], 1.0, by_stock)
            tons = contract(proposed, mass)  # [r, a]
            fits = _ratio(tons, route_room[rows])
            by_hub = _ratio(group_sum(tons * fits, net.hub_groups), hub_room[rows])[:, origin]
            fits *= np.where(by_depot, 1.0, by_hub)
            tons *= fits
            route_room[rows] -= tons
            hub_room[rows] -= group_sum(tons, net.hub_groups)
            taken: F64 = proposed * fits[:, :, None]
            hubs[rows] = np.maximum(held - group_sum(taken, net.hub_groups), 0.0)
            return taken

        moved = np.zeros((runs, len(p.route_ids), want.shape[2]))
        _fill_rounds(want, p.route_depot, net.route_groups, rounds, moved, take)
        self._moved(c, t, moved)

    def _moved(self, c: Chunk, t: int, moved: F64) -> None:
        """The day's moves ``moved`` [r, a, i]: those from a depot wait for `depot_moves`,
        the others leave."""
        from_depot = self.net.from_depot
        self.pending = None
        if from_depot.any() and moved[:, from_depot].any():
            self.pending = np.where(from_depot[None, :, None], moved, 0.0)
            moved[:, from_depot] = 0.0
        self._send(c, t, moved)

    def _group_sum(self, x: F64, groups: Groups, flat: tuple[I64, I64]) -> F64:
        """`group_sum` of ``x`` [r, m, i] (amounts at least +0.0), on the compiled loop on
        the kernel path."""
        if self.k is None:
            return group_sum(x, groups)
        out: F64 = self.k.group_sum(x, *flat)
        return out

    @staticmethod
    def _with_plan(stack: F64, rounds: list[F64], ranked: int) -> F64:
        """[rounds, m, i] the rounds' shares for the compiled loops: the ranked rounds
        (``stack``), after the plan's shares of the day when ``rounds`` has them first."""
        if len(rounds) == ranked:
            return stack
        plan = np.broadcast_to(rounds[0], stack.shape[1:])[None]
        return np.ascontiguousarray(np.concatenate([plan, stack]))

    def _send(self, c: Chunk, t: int, moved: F64) -> None:
        """Moves ``moved`` [r, a, i] leave on their routes: booked as moved and in transit, in
        the depot pipeline at their arrival day (a route of 0 days from a depot, whose moves
        leave after the day's arrivals, arrives at once)."""
        s, p, net = c.s, self.p, self.net
        into = self._group_sum(moved, net.route_groups, self.route_flat)
        s.moved += into
        s.to_depot += into
        for a in np.nonzero(moved.any(axis=(0, 2)))[0]:
            k, transit = p.route_depot[a], int(p.route_transit_days[a])
            if transit == 0 and net.from_depot[a]:
                s.stock[:, k] += moved[:, a]
                s.to_depot[:, k] -= moved[:, a]
                c.tot.arrivals[:, k] += contract(moved[:, a], c.st.onehot)
                continue
            s.pipe_depot[(t + transit) % net.depot_ring, :, k] += moved[:, a]

    # step 5b ------------------------------------------------------------------------------
    def depot_moves(self, c: Chunk, t: int) -> None:
        """Step 5b: the day's moves from depots to depots (asked in step 3) leave, after the
        day's strikes and arrivals (as the planner's depot balance has them), within what
        each depot holds; what it cannot send now the policy asks for again tomorrow."""
        pending = self.pending
        if pending is None or not pending.any():
            return
        s, p, net = c.s, self.p, self.net
        origin = np.maximum(p.route_from_depot, 0)
        asked = group_sum(pending, net.depot_groups)  # [r, k, i] from each depot
        moved = pending * _ratio(asked, s.stock)[:, origin]
        np.subtract(s.stock, group_sum(moved, net.depot_groups), out=s.stock)
        np.maximum(s.stock, 0.0, out=s.stock)
        self.pending = None
        self._send(c, t, moved)

    def _store(self, c: Chunk, t: int) -> None:
        """Stock above a hub's storage capacity waits outside until tomorrow."""
        s, p = c.s, self.p
        assert s.hubs is not None
        limited = np.isfinite(p.hub_capacity_t)
        if not limited.any():
            return
        tons = contract(s.hubs, p.item_mass_t)  # [r, h]
        cap = np.where(limited, p.hub_capacity_t, np.inf)[None, :]
        keep = _ratio(tons, np.broadcast_to(cap, tons.shape))
        if (keep >= 1.0).all():
            return
        waiting = s.hubs * (1.0 - keep)[:, :, None]
        s.hubs -= waiting
        s.pipe_hub[(t + 1) % self.net.hub_ring] += waiting
        s.to_hub += waiting.sum(axis=1)


def _fill_rounds(amount: F64, owner: I64, groups: Groups, rounds: list[F64], out: F64,  # noqa: PLR0917
                 take: Callable[[F64, Rows], F64]) -> None:
    """Put ``amount`` [r, n, i] (of donors, or of depots) on routes [r, m, i] (``out``), route m
    belonging to ``owner[m]`` (grouped in ``groups``), round by round: each round's share
    [m, i] (or [m, 1]) of what its owner has left is proposed, and ``take(proposed, rows)``
    books what the routes can carry of it, for the runs ``rows`` that have anything left (all
    of them, or their indices when they are fewer than half: every operation is per run, so
    the numbers do not depend on which). Stops when nothing above float dust is left (no
    dust: a chunk skips a round only when it would take nothing in any of its runs)."""
    left = np.where(amount < TINY, 0.0, amount)
    for share in rounds:
        busy = left.any(axis=(1, 2))
        if not busy.any():
            return
        rows: Rows = slice(None) if 2 * busy.sum() > busy.size else np.nonzero(busy)[0]
        proposed = left[rows][:, owner] * share[None]
        taken = take(proposed, rows)
        out[rows] += taken
        left[rows] -= group_sum(taken, groups)
        left[left < TINY] = 0.0


def _flat(groups: Groups) -> tuple[I64, I64]:
    """(starts, members): group g's members are ``members[starts[g]:starts[g + 1]]``."""
    sizes = [len(m) for m in groups.members]
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    starts[1:] = np.cumsum(sizes)
    members = (np.concatenate(groups.members) if groups.members
               else np.zeros(0)).astype(np.int64)
    return starts, members


def _stack(rounds: tuple[F64, ...], n_m: int, n_i: int) -> F64:
    """[rounds, m, i] the ranked rounds' shares [m, 1] for every item."""
    out = np.zeros((len(rounds), n_m, n_i))
    for j, share in enumerate(rounds):
        out[j] = share
    return out


def _load() -> ModuleType:
    """The compiled loops (`netkernel`), compiled at first use, then read from the cache."""
    prepare_cache_dir()
    from resupply.simulation import netkernel

    return netkernel


def _per_run(room: F64, runs: int) -> F64:
    """[r, m] a copy of ``room`` [m] for every run (each run spends its own)."""
    return np.repeat(room[None, :], runs, axis=0)


def _ratio(amount: F64, room: F64) -> F64:
    """Factor in [0, 1] bringing ``amount`` within ``room`` (elementwise; 1 within slack,
    `engine._scale`)."""
    factor = _scale(amount, room)
    return np.ones(amount.shape) if factor is None else factor

