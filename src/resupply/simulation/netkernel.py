"""Numba-compiled loops of the network steps (`resupply.simulation.network`): the rounds in
which the dispatch is split over the supply routes and the moves over the routes to the
depots, and the bookings of the dispatch on the hubs' pipeline.

Imported only when the Numba path is chosen (`resupply.simulation.fused.use_kernel`), like
`resupply.simulation.kernel`, and compiled at first use into the disk cache (``cache=True``).

Each loop is the NumPy path's arithmetic, operation by operation, for one run at a time: the
sums over items (tons) add item by item in index order from 0.0 (`constants.contract`), the
sums over a group's routes add in member order (`routes.group_sum`: a group of one member is
its member's value), the caps are `engine._scale`'s. A round is skipped for a run with nothing
left, as the NumPy path skips it for the chunk's runs with nothing left (a no-op for them),
and so is, within a round, every route that proposes nothing (its owner has nothing left or
the round gives it no share): every amount is at least +0.0 (dust below `TINY` is dropped to
+0.0, shares and caps are at least 0), so such a route takes +0.0 and its +0.0 adds nothing
to any sum. The results are the same bit for bit (tests/simulation/test_kernel.py,
``test_network`` and the ukraine tests).

Groups are passed flat: ``members[starts[g]:starts[g + 1]]`` are group g's members in order.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# The thresholds of `resupply.simulation.state` and `network` (kept in step by test_kernel.py).
RELATIVE_SLACK = 1e-9
TINY = 1e-9


@njit(cache=True, inline="always")
def _ratio(amount, room):  # type: ignore[no-untyped-def]
    """`engine._scale` of one element: the factor bringing ``amount`` within ``room``."""
    if amount > room * (1.0 + RELATIVE_SLACK) + RELATIVE_SLACK:
        return max(room, 0.0) / amount
    return 1.0


@njit(cache=True)
def _group_rows(x, act, starts, members, out):  # type: ignore[no-untyped-def]
    """``out[g, i]``: `routes.group_sum` of one run's ``x[m, i]`` (a group of one member is
    its value, the others add from 0.0 in member order), the members not ``act`` left out:
    they are +0.0 (every amount here is at least +0.0), which adds nothing."""
    n_i = x.shape[1]
    for g in range(len(starts) - 1):
        for i in range(n_i):
            out[g, i] = 0.0
        for j in range(starts[g], starts[g + 1]):
            m = members[j]
            if act[m]:
                for i in range(n_i):
                    out[g, i] += x[m, i]


@njit(cache=True)
def _group_vector(x, act, starts, members, out):  # type: ignore[no-untyped-def]
    """``out[g]``: `_group_rows` of one run's ``x[m]``."""
    for g in range(len(starts) - 1):
        acc = 0.0
        for j in range(starts[g], starts[g + 1]):
            m = members[j]
            if act[m]:
                acc += x[m]
        out[g] = acc


@njit(cache=True)
def _keep(left, n, values):  # type: ignore[no-untyped-def]
    """Owner n's ``values`` [i] into ``left[n]`` with float dust dropped; whether anything
    is left."""
    owns = False
    for i in range(len(values)):
        v = values[i]
        if v < TINY:
            v = 0.0
        left[n, i] = v
        owns = owns or v != 0.0
    return owns


@njit(cache=True)
def _start(amount, r, left, owns):  # type: ignore[no-untyped-def]
    """One run's amount with float dust dropped, into ``left``, ``owns[n]`` whether owner n
    has anything left; whether anyone has."""
    busy = False
    for n in range(amount.shape[1]):
        owns[n] = _keep(left, n, amount[r, n])
        busy = busy or owns[n]
    return busy


@njit(cache=True)
def _propose(left, owns, owner, share, share_any, proposed, act):  # type: ignore[no-untyped-def]  # noqa: PLR0917
    """One run's round proposed: ``proposed[m, i]`` = what route m's owner has left x the
    round's share, for the routes ``act`` that propose anything (the others propose +0.0
    and are skipped); whether any does."""
    anything = False
    for m in range(len(owner)):
        act[m] = owns[owner[m]] and share_any[m]
        if act[m]:
            anything = True
            for i in range(left.shape[1]):
                proposed[m, i] = left[owner[m], i] * share[m, i]
    return anything


@njit(cache=True)
def _tons(x, act, mass, out):  # type: ignore[no-untyped-def]
    """``out[m]``: `constants.contract` of one run's ``x[m, i]`` with the item masses (item by
    item from 0.0), for the routes ``act``."""
    for m in range(x.shape[0]):
        if not act[m]:
            continue
        acc = 0.0
        for i in range(x.shape[1]):
            if mass[i] != 0.0:
                acc += x[m, i] * mass[i]
        out[m] = acc


@njit(cache=True)
def _settle(taken, act, out_r, left, owns, starts, members, into):  # type: ignore[no-untyped-def]  # noqa: PLR0917
    """One run's round booked: ``out_r += taken``, what each owner has left falls by what
    its routes took (float dust dropped); whether anything is left."""
    for m in range(taken.shape[0]):
        if act[m]:
            for i in range(taken.shape[1]):
                out_r[m, i] += taken[m, i]
    _group_rows(taken, act, starts, members, into)
    busy = False
    for n in range(left.shape[0]):
        if owns[n]:
            owns[n] = _keep(left, n, left[n] - into[n])
        busy = busy or owns[n]
    return busy


@njit(cache=True)
def fill_supply(amount, owner, starts, members, rounds, out, room, mass):  # type: ignore[no-untyped-def]  # noqa: PLR0917
    """`network.NetworkDay._split_supply`'s rounds: ``amount`` [r, d, i] of the donors on
    the supply routes ``out`` [r, b, i] (owner ``owner[b]``), round by round (share
    ``rounds[k, b, i]``), each route within ``room`` [r, b] tons left today (spent)."""
    n_r, n_d, n_i = amount.shape
    n_b = len(owner)
    left = np.empty((n_d, n_i))
    into = np.empty((n_d, n_i))
    owns = np.empty(n_d, dtype=np.bool_)
    proposed = np.zeros((n_b, n_i))
    act = np.empty(n_b, dtype=np.bool_)
    tons = np.empty(n_b)
    share_any = _share_any(rounds)
    for r in range(n_r):
        busy = _start(amount, r, left, owns)
        for k in range(rounds.shape[0]):
            if not busy:
                break
            if not _propose(left, owns, owner, rounds[k], share_any[k], proposed, act):
                continue
            _tons(proposed, act, mass, tons)
            for b in range(n_b):
                if act[b]:
                    fits = _ratio(tons[b], room[r, b])
                    room[r, b] -= tons[b] * fits
                    for i in range(n_i):
                        proposed[b, i] *= fits
            busy = _settle(proposed, act, out[r], left, owns, starts, members, into)


@njit(cache=True)
def _share_any(rounds):  # type: ignore[no-untyped-def]
    """[k, m] whether round k gives route m any share."""
    out = np.zeros(rounds.shape[:2], dtype=np.bool_)
    for k in range(rounds.shape[0]):
        for m in range(rounds.shape[1]):
            for i in range(rounds.shape[2]):
                out[k, m] = out[k, m] or rounds[k, m, i] != 0.0
    return out


@njit(cache=True)
def fill_moves(want, owner, starts, members, rounds, out, hubs, route_room, hub_room,  # type: ignore[no-untyped-def]  # noqa: PLR0917
               mass, origin, from_depot, hub_starts, hub_members):
    """`network.NetworkDay._move`'s rounds: ``want`` [r, k, i] of the depots on the routes
    ``out`` [r, a, i] (into depot ``owner[a]``), round by round (share ``rounds[j, a, i]``),
    each route from a hub within its hub's stock ``hubs`` [r, h, i] (taken), its room
    ``route_room`` [r, a] and its hub's throughput ``hub_room`` [r, h] left today [t]
    (spent)."""
    n_r, n_k, n_i = want.shape
    n_a, n_h = len(owner), hubs.shape[1]
    left = np.empty((n_k, n_i))
    into = np.empty((n_k, n_i))
    owns = np.empty(n_k, dtype=np.bool_)
    proposed = np.zeros((n_a, n_i))
    act = np.empty(n_a, dtype=np.bool_)
    tons = np.empty(n_a)
    fits = np.empty(n_a)
    spent = np.empty(n_a)
    per_hub = np.empty((n_h, n_i))
    hub_tons = np.empty(n_h)
    share_any = _share_any(rounds)
    for r in range(n_r):
        busy = _start(want, r, left, owns)
        for j in range(rounds.shape[0]):
            if not busy:
                break
            if not _propose(left, owns, owner, rounds[j], share_any[j], proposed, act):
                continue
            _group_rows(proposed, act, hub_starts, hub_members, per_hub)
            for a in range(n_a):
                if act[a] and not from_depot[a]:
                    h = origin[a]
                    for i in range(n_i):
                        proposed[a, i] *= _ratio(per_hub[h, i], hubs[r, h, i])
            _tons(proposed, act, mass, tons)
            for a in range(n_a):
                if act[a]:
                    fits[a] = _ratio(tons[a], route_room[r, a])
                    spent[a] = tons[a] * fits[a]  # what the hubs' throughput sees
            _group_vector(spent, act, hub_starts, hub_members, hub_tons)
            for a in range(n_a):
                if act[a] and not from_depot[a]:
                    fits[a] *= _ratio(hub_tons[origin[a]], hub_room[r, origin[a]])
            for a in range(n_a):
                if act[a]:
                    tons[a] *= fits[a]
                    route_room[r, a] -= tons[a]
            _group_vector(tons, act, hub_starts, hub_members, hub_tons)
            for h in range(n_h):
                hub_room[r, h] -= hub_tons[h]
            for a in range(n_a):
                if act[a]:
                    for i in range(n_i):
                        proposed[a, i] *= fits[a]
            _group_rows(proposed, act, hub_starts, hub_members, per_hub)
            for h in range(n_h):
                for i in range(n_i):
                    hubs[r, h, i] = max(hubs[r, h, i] - per_hub[h, i], 0.0)
            busy = _settle(proposed, act, out[r], left, owns, starts, members, into)


@njit(cache=True)
def book_supply(pipe_hub, on_route, used, t, transit, donor, hub, lag, ring):  # type: ignore[no-untyped-def]  # noqa: PLR0917
    """`network.NetworkDay.dispatch`'s bookings: each used supply route's tranche of each run
    ``on_route`` [r, b, i] into the hub pipeline ``pipe_hub`` [ring, r, h, i] at its arrival
    day (route transit + the donor's delay ``lag`` [r, d])."""
    n_r, n_b, n_i = on_route.shape
    for r in range(n_r):  # (each element still adds its routes in route order)
        for b in range(n_b):
            if not used[b]:
                continue
            empty = True
            for i in range(n_i):
                empty = empty and on_route[r, b, i] == 0.0
            if empty:  # adds +0.0 (amounts are at least +0.0): nothing
                continue
            slot = (t + transit[b] + lag[r, donor[b]]) % ring
            for i in range(n_i):
                pipe_hub[slot, r, hub[b], i] += on_route[r, b, i]


@njit(cache=True)
def group_sum(x, starts, members):  # type: ignore[no-untyped-def]
    """[r, g, i] `routes.group_sum` of ``x`` [r, m, i] (amounts at least +0.0: a group of
    one member adds it to 0.0, which is its value), in member order."""
    n_r, _, n_i = x.shape
    out = np.zeros((n_r, len(starts) - 1, n_i))
    for r in range(n_r):
        for g in range(len(starts) - 1):
            for j in range(starts[g], starts[g + 1]):
                m = members[j]
                for i in range(n_i):
                    out[r, g, i] += x[r, m, i]
    return out
