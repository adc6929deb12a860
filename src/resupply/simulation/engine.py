"""The Monte Carlo engine: one loop over days, vectorised over runs x depots x items.

Order of events on day t, for every run:

1. **Dispatch.** Donors stop or resume at random (`resupply.simulation.pauses`). The policy
   asks each donor for a quantity (`Policy.dispatch`); it is capped by what the donor may send
   (released, with the run's random release slip; not paused, dated or at random; stock plus
   production so far less what it already sent). Each donor's tranche of the day reaches the
   hub after ``lead_days`` plus a random delay (geometric, mean ``delay_mean``, capped at 10
   means), the same for all items of the tranche. Each donor that sends anything on the day
   places one order (`Totals.orders`, costed at the donor's ``tranche_fixed_cost``).
2. **Hub arrivals.** What is due today reaches the hub (a lead of 0 arrives the same day).
3. **Hub moves.** The policy asks for moves to depots (`Policy.allocate`); they are scaled down,
   in turn, to the hub's stock of each item and to the hub throughput of the day [t/day].
   Moves arrive after the depot's ``transit_days`` (0: the same day). The hub itself may be
   struck (`hub_strike`, before the day's dispatch: step 0), as the planner's hub decays.
4. **Strikes.** Each depot is struck with probability ``strike_prob`` [1/day]; a strike destroys
   a fraction of every item carried in from the day before, drawn from a Beta distribution
   with mean ``loss_fraction`` and concentration ``strike_loss_concentration``. (The planner's
   expected decay ``s[t-1] (1 - strike_prob loss_fraction)`` is the mean of this; with
   ``SimOptions.expected_strikes`` every depot loses exactly that share every day.)
5. **Depot arrivals.** In backorder mode they serve backorders first (in step 6).
6. **Consumption.** Demand of each ammunition family at each depot is drawn around the need
   (times a surge multiplier on surge days, one draw per run and day; the multipliers
   have mean 1, so the need is the expected consumption); what the depot has
   meets it, the rest is lost (platforms idle) or, in backorder mode, backordered. Spare parts
   are then worn in proportion to the rounds actually fired, drawn the same way. Within a
   family, consumption takes from every item in proportion to its stock.
7. **Capacity.** Depot capacity [t] holds at the end of the day, as in the planner: stock
   above it goes back to the hub (the return trip is not modelled).
8. **Records.** Totals per run (`Totals`) and, summed over runs, daily stock and days of supply.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from resupply.compile.problem import F64, I64, Bool, Problem
from resupply.simulation.constants import contract
from resupply.simulation.pauses import advance, paused
from resupply.simulation.state import RELATIVE_SLACK, Chunk, State, Static
from resupply.simulation.view import DayView, frozen


def _view(st: Static, s: State, t: int, run_ids: I64,
          available: Callable[[], F64]) -> DayView:
    return DayView(problem=st.problem, t=t, run_ids=run_ids, stock=frozen(s.stock),
                   backorder=frozen(s.backorder), hub=frozen(s.hub), to_hub=frozen(s.to_hub),
                   to_depot=frozen(s.to_depot), dispatched=frozen(s.dispatched),
                   moved=frozen(s.moved), available_source=available)


def _available(st: Static, s: State, t: int) -> F64:
    """[r, d, i] what donors may dispatch today (nothing while paused). [units]"""
    left = st.cum_available[None, :, :, t] - s.dispatched
    sending = (s.release <= t) & ~paused(s.down, st.problem.donor_paused, t)[:, :, None]
    result: F64 = np.where(sending, np.maximum(left, 0.0), 0.0)
    return result


def dispatch(c: Chunk, t: int) -> Callable[[], F64]:
    """Step 1: policy dispatch, capped by availability, into the pipeline to the hub.

    Returns a function giving what donors could still send today, [r, d, i] (computed only
    if a policy reads it). [units]
    """
    st, s = c.st, c.s
    s.down = advance(s.down, c.draws, st.pause_prob, st.problem.resume_prob)
    view = _view(st, s, t, c.run_ids, lambda: _available(st, s, t))
    want = c.policy.dispatch(view)
    if not (want > 0).any():
        return lambda: view.available
    available = view.available
    sent = np.minimum(np.maximum(want, 0.0), available)
    active = book_dispatch(c, t, sent)
    if not active.any():
        return lambda: available
    lag = st.problem.lead_days[None, :] + c.draws.lag_days(st.delay_mean, active)
    runs = np.arange(sent.shape[0])
    for d in np.nonzero(active.any(axis=0))[0]:
        slot = (t + lag[:, d]) % st.hub_ring
        s.pipe_hub[slot, runs] += sent[:, d]
    left: F64 = available - sent
    return lambda: left


def book_dispatch(c: Chunk, t: int, sent: F64) -> Bool:
    """Book ``sent`` [r, d, i] as dispatched and in flight to the hub(s), and each donor
    that sends anything on a counted day as one order; returns those donors, [r, d]."""
    s = c.s
    active: Bool = sent.sum(axis=2) > 0
    if active.any():
        s.dispatched += sent
        s.to_hub += sent.sum(axis=1)
        if t >= c.st.options.warmup_days:
            c.tot.orders += active
    return active


def hub_arrivals(c: Chunk, t: int) -> None:
    """Step 2: what is due at the hub today arrives."""
    st, s = c.st, c.s
    slot = t % st.hub_ring
    arrived = s.pipe_hub[slot]
    s.hub += arrived
    s.to_hub -= arrived
    np.maximum(s.to_hub, 0.0, out=s.to_hub)
    arrived[...] = 0.0


def _scale(total: F64, cap: F64) -> F64 | None:
    """Factor in [0, 1] that brings ``total`` within ``cap`` (1 when within, up to slack);
    None when no cap binds."""
    over = total > cap * (1.0 + RELATIVE_SLACK) + RELATIVE_SLACK
    if not over.any():
        return None
    safe = np.where(over, total, 1.0)
    result: F64 = np.where(over, np.clip(cap, 0.0, None) / safe, 1.0)
    return result


def _capped(want: F64, s: State, p: Problem, t: int) -> F64:
    """``want`` [r, k, i] scaled down to hub stock and hub throughput (depot capacity holds
    at the end of the day, as in the planner: `overflow`)."""
    by_hub = _scale(want.sum(axis=1), s.hub)
    if by_hub is not None:
        want *= by_hub[:, None, :]
    want_t = contract(want, p.item_mass_t)
    by_throughput = _scale(want_t.sum(axis=1), np.full(len(want), p.hub_throughput_t[t]))
    if by_throughput is not None:
        want *= by_throughput[:, None, None]
    return want


def hub_moves(c: Chunk, t: int, available: Callable[[], F64]) -> None:
    """Step 3: policy moves, capped by hub stock, depot capacity and hub throughput."""
    st, s, p = c.st, c.s, c.st.problem
    want = np.maximum(c.policy.allocate(_view(st, s, t, c.run_ids, available)), 0.0)
    if not want.any():
        return
    want = _capped(want, s, p, t)
    s.hub -= want.sum(axis=1)
    np.maximum(s.hub, 0.0, out=s.hub)
    s.moved += want
    s.to_depot += want
    for k in range(len(p.depots)):
        slot = (t + int(p.transit_days[k])) % st.depot_ring
        s.pipe_depot[slot, :, k] += want[:, k]


def depot_arrivals(c: Chunk, t: int) -> None:
    """Step 4: what is due at the depots today arrives."""
    st, s, tot = c.st, c.s, c.tot
    slot = t % st.depot_ring
    arrived = s.pipe_depot[slot]
    if arrived.any():
        s.stock += arrived
        s.to_depot -= arrived
        np.maximum(s.to_depot, 0.0, out=s.to_depot)
        tot.arrivals += contract(arrived, st.onehot)
        arrived[...] = 0.0


def hub_strike(c: Chunk) -> None:
    """Step 0: the hub, struck at random (``hub_strike_prob`` [1/day]), loses a Beta-distributed
    fraction of the stock carried in from the day before, as a depot does (`strikes`), before
    the day's dispatch, which sees what is left; with ``SimOptions.expected_strikes`` it loses
    exactly ``hub_strike_prob x hub_loss_fraction`` every day, the planner's hub decay. Draws
    nothing when the hub cannot be struck (the random streams of other problems are kept)."""
    st, s, draws = c.st, c.s, c.draws
    if st.hub_strike_prob <= 0.0:
        return
    if st.options.expected_strikes:
        fraction = np.full((draws.runs, 1), st.hub_strike_prob * st.hub_loss_fraction[0])
    else:
        hit = draws.uniform((1,)) < st.hub_strike_prob
        fraction = draws.strike_fraction(hit, st.hub_loss_fraction,
                                         st.problem.strike_loss_concentration)
    lost = s.hub * fraction
    s.hub = np.maximum(s.hub - lost, 0.0)
    c.tot.hub_lost += contract(lost, st.loss_basis)


def strikes(c: Chunk) -> None:
    """Step 5: depots struck at random lose a Beta-distributed fraction of their stock."""
    st, s, tot, draws = c.st, c.s, c.tot, c.draws
    tons = contract(s.stock, st.problem.item_mass_t)  # [r, k]
    np.maximum(tot.peak_tons, tons, out=tot.peak_tons)
    np.maximum(tot.peak_total_tons, tons.sum(axis=1), out=tot.peak_total_tons)
    if not st.strike_prob.any():
        return
    if st.options.expected_strikes:
        fraction = np.broadcast_to(st.strike_prob * st.problem.loss_fraction, tons.shape)
    else:
        hit = draws.uniform((len(st.strike_prob),)) < st.strike_prob[None, :]
        fraction = draws.strike_fraction(hit, st.problem.loss_fraction,
                                         st.problem.strike_loss_concentration)
    runs, depots = np.nonzero(fraction)
    if len(runs) == 0:
        return
    held = s.stock[runs, depots]  # [hit, i]
    lost = held * fraction[runs, depots][:, None]
    s.stock[runs, depots] = np.maximum(held - lost, 0.0)
    np.add.at(tot.lost, (runs, depots), contract(lost, st.loss_basis))
