"""The fused day kernel: Numba-compiled loops that do, for each run, a step of the day in one
pass over its depots and items, where the NumPy path (`engine`, `consume`) makes a separate
pass over ``[runs, depots, items]`` arrays for every operation.

Imported only when the Numba path is chosen (`resupply.simulation.fused`), never by
``import resupply``: compiling takes seconds, so it happens at first use and is cached on disk
(``cache=True``; `prepare_cache_dir` points Numba at the user cache directory when the
package directory is read-only).

The random draws are not made here: the day step draws them with the same NumPy generators in
the same order as the NumPy path, and passes them in. Sums over items (family sums, tons) are
not made here either: they are matrix products whose order of additions BLAS chooses, so
the day step makes them with the same NumPy calls as the NumPy path. What is left, the
element-wise passes and the sums over depots and runs (added in the order NumPy adds them),
is the NumPy path's arithmetic operation by operation: the results are the same bit for bit
(tests/simulation/test_kernel.py).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# The thresholds of `resupply.simulation.state` (kept in step by test_kernel.py).
RELATIVE_SLACK = 1e-9
SHORT = 1e-6


@njit(cache=True)
def cap_to_hub(asked, want, hub):  # type: ignore[no-untyped-def]
    """Step 3, first cap: the policy's moves ``asked`` [r, k, i], at least 0, into ``want``,
    scaled down, item by item, to the hub's stock ``hub`` [r, i] (`engine._capped`).
    Returns whether anything is asked at all."""
    n_r, n_k, n_i = asked.shape
    anything = False
    for r in range(n_r):
        for k in range(n_k):
            for i in range(n_i):
                w = max(asked[r, k, i], 0.0)
                want[r, k, i] = w
                anything = anything or w != 0.0
        for i in range(n_i):
            total = 0.0
            for k in range(n_k):
                total += want[r, k, i]
            cap = hub[r, i]
            if total > cap * (1.0 + RELATIVE_SLACK) + RELATIVE_SLACK:
                factor = max(cap, 0.0) / total
                for k in range(n_k):
                    want[r, k, i] *= factor
    return anything


@njit(cache=True)
def arrive(stock, arrived, to_depot):  # type: ignore[no-untyped-def]
    """Step 5: what is due at the depots, ``arrived`` [r, k, i], joins their stock and leaves
    what is in transit to them (`engine.depot_arrivals`); the pipeline slot is emptied."""
    n_r, n_k, n_i = stock.shape
    for r in range(n_r):
        for k in range(n_k):
            for i in range(n_i):
                a = arrived[r, k, i]
                stock[r, k, i] += a
                to_depot[r, k, i] = max(to_depot[r, k, i] - a, 0.0)
                arrived[r, k, i] = 0.0


@njit(cache=True)
def move(want, factor, hub, moved, to_depot, pipe, slots):  # type: ignore[no-untyped-def]  # noqa: PLR0917
    """Step 3, the moves: ``want`` [r, k, i] times the throughput factor ``factor`` [r] leaves
    ``hub`` [r, i] for ``moved``, ``to_depot`` and the depot pipeline ``pipe`` [ring, r, k, i]
    at ``slots[k]`` (`engine.hub_moves`)."""
    n_r, n_k, n_i = want.shape
    for r in range(n_r):
        g = factor[r]
        if g != 1.0:
            for k in range(n_k):
                for i in range(n_i):
                    want[r, k, i] *= g
        for i in range(n_i):
            total = 0.0
            for k in range(n_k):
                total += want[r, k, i]
            hub[r, i] = max(hub[r, i] - total, 0.0)
        for k in range(n_k):
            slot = slots[k]
            for i in range(n_i):
                w = want[r, k, i]
                moved[r, k, i] += w
                to_depot[r, k, i] += w
                pipe[slot, r, k, i] += w


@njit(cache=True)
def take_pro_rata(stock, used, stock_f, fam):  # type: ignore[no-untyped-def]
    """Step 6: each item's stock [r, k, i] reduced by the share of its family's stock
    ``stock_f`` [r, k, f] that was used, ``used`` [r, k, f] (`consume.consume`)."""
    n_r, n_k, n_i = stock.shape
    n_f = stock_f.shape[2]
    keep = np.empty(n_f)
    for r in range(n_r):
        for k in range(n_k):
            for f in range(n_f):
                held = stock_f[r, k, f]
                share = used[r, k, f] / held if held > 0 else 0.0
                keep[f] = 1.0 - min(share, 1.0)
            for i in range(n_i):
                stock[r, k, i] *= keep[fam[i]]


@njit(cache=True)
def record(demand, met, used, end_f, backorder, episode, hub_f,  # type: ignore[no-untyped-def]  # noqa: PLR0915, PLR0917
           std, n_std, scope, limited, scale, hub_scale, next_need, t, counted, deficits,
           n_bins, bin_days, consumed, d_demand, d_met, onhand, bo_days, short_days,
           fam_short_days, std_short_days, depot_short_days, any_short_days, peak_family,
           dry_day, avoid_short, avoid_short_days, avoid_family_days, avoid_scope_days,
           scope_short_days, deficit_peak, cell_deficit_peak, hub_deficit_peak, stock_sum,
           dos_hist):
    """Step 8: every record of the day (`consume.record`, `consume._avoidable`,
    `consume._deficits`, `consume._days_of_supply`) in one pass over [r, k, f]; ``end_f``
    [r, k, f] is the stock at the end of the day, ``hub_f`` [r, f] the hub's (read with
    ``deficits`` only)."""
    n_r, n_k, n_f = demand.shape
    fam_short = np.zeros(n_f, dtype=np.bool_)
    fam_avoid = np.zeros(n_f, dtype=np.bool_)
    upstream = np.zeros(n_f)
    day_sum = np.zeros((n_k, n_f))
    for r in range(n_r):
        for f in range(n_f):
            fam_short[f] = False
            fam_avoid[f] = False
        depot_any = False
        for k in range(n_k):
            depot_short = False
            for f in range(n_f):
                unmet = demand[r, k, f] - met[r, k, f]
                consumed[r, k, f] += used[r, k, f]
                short = unmet > SHORT
                avoid = short and not limited[k, f]
                episode[r, k, f] = episode[r, k, f] + unmet if avoid else 0.0
                if short:
                    fam_short[f] = True
                    depot_short = True
                if avoid:
                    fam_avoid[f] = True
                if counted:
                    d_demand[r, k, f] += demand[r, k, f]
                    d_met[r, k, f] += met[r, k, f]
                    onhand[r, k, f] += end_f[r, k, f]
                    bo_days[r, k, f] += backorder[r, k, f]
                    if short:
                        short_days[r, k, f] += 1.0
                    avoid_short[r, k, f] += unmet if avoid else 0.0
                    if avoid:
                        avoid_short_days[r, k, f] += 1.0
            if counted and depot_short:
                depot_short_days[r, k] += 1.0
            depot_any = depot_any or depot_short
        if counted:
            for s in range(n_std):
                hit = False
                for f in range(n_f):
                    if std[f] == s and fam_short[f]:
                        hit = True
                if hit:
                    std_short_days[r, s] += 1.0
            if depot_any:
                any_short_days[r] += 1.0
            scope_avoid = False
            scope_short = False
            for f in range(n_f):
                if fam_short[f]:
                    fam_short_days[r, f] += 1.0
                if fam_avoid[f]:
                    avoid_family_days[r, f] += 1.0
                if scope[f]:
                    scope_avoid = scope_avoid or fam_avoid[f]
                    scope_short = scope_short or fam_short[f]
            if scope_avoid:
                avoid_scope_days[r] += 1.0
            if scope_short:
                scope_short_days[r] += 1.0
            if deficits:
                for k in range(n_k):
                    for f in range(n_f):
                        ep = episode[r, k, f]
                        cell_deficit_peak[r, k, f] = max(cell_deficit_peak[r, k, f],
                                                         ep / scale[k, f])
                        empty = hub_f[r, f] <= SHORT
                        local = (0.0 if empty else ep) / scale[k, f]
                        deficit_peak[r, k, f] = max(deficit_peak[r, k, f], local)
                        if k == 0:
                            upstream[f] = ep if empty else 0.0
                        else:
                            upstream[f] += ep if empty else 0.0
                for f in range(n_f):
                    hub_deficit_peak[r, f] = max(hub_deficit_peak[r, f],
                                                 upstream[f] / hub_scale[f])
        for f in range(n_f):
            total = end_f[r, 0, f]
            for k in range(1, n_k):
                total += end_f[r, k, f]
            peak_family[r, f] = max(peak_family[r, f], total)
            if dry_day[r, f] < 0 and fam_short[f] and total <= SHORT:
                dry_day[r, f] = t
            need = next_need[f]
            dos = total / need if need > 0 else math.inf
            b = min(dos / bin_days, n_bins - 1.0)
            dos_hist[f, int(b)] += 1
    for r in range(n_r):
        for k in range(n_k):
            for f in range(n_f):
                if r == 0:
                    day_sum[k, f] = end_f[r, k, f]
                else:
                    day_sum[k, f] += end_f[r, k, f]
    for k in range(n_k):
        for f in range(n_f):
            stock_sum[k, f] += day_sum[k, f]


@njit(cache=True)
def available(cum_t, dispatched, release, down, dated_t, t, out):  # type: ignore[no-untyped-def]  # noqa: PLR0917
    """Step 1: what each donor may dispatch today, ``out`` [r, d, i]: its stock and production
    so far ``cum_t`` [d, i] less what it sent, where released and not paused
    (`engine._available`)."""
    n_r, n_d, n_i = dispatched.shape
    for r in range(n_r):
        for d in range(n_d):
            stopped = down[r, d] or dated_t[d]
            for i in range(n_i):
                if stopped or release[r, d, i] > t:
                    out[r, d, i] = 0.0
                else:
                    out[r, d, i] = max(cum_t[d, i] - dispatched[r, d, i], 0.0)


@njit(cache=True)
def send(want, avail, sent, left, active, dispatched, to_hub):  # type: ignore[no-untyped-def]  # noqa: PLR0917
    """Step 1: the policy's dispatch ``want`` [r, d, i], at least 0 and at most ``avail``,
    into ``sent`` (``left`` = what donors could still send); booked as dispatched and in
    flight to the hub. ``active`` [r, d]: the donor sends something (`engine.dispatch`).
    Returns whether any donor sends anything."""
    n_r, n_d, n_i = want.shape
    acc = np.empty(n_i)
    anything = False
    for r in range(n_r):
        for d in range(n_d):
            on = False
            for i in range(n_i):
                a = avail[r, d, i]
                x = min(max(want[r, d, i], 0.0), a)
                sent[r, d, i] = x
                left[r, d, i] = a - x
                dispatched[r, d, i] += x
                if x > 0.0:
                    on = True
                if d == 0:
                    acc[i] = x
                else:
                    acc[i] += x
            active[r, d] = on
            anything = anything or on
        for i in range(n_i):
            to_hub[r, i] += acc[i]
    return anything


@njit(cache=True)
def book_tranches(sent, slots, pipe):  # type: ignore[no-untyped-def]
    """Step 1: each donor's tranche ``sent[r, d]`` into the hub pipeline ``pipe`` [ring, r, i]
    at the day it arrives, ``slots[r, d]``, donors in order (`engine.dispatch`)."""
    n_r, n_d, n_i = sent.shape
    for r in range(n_r):
        for d in range(n_d):
            slot = slots[r, d]
            for i in range(n_i):
                pipe[slot, r, i] += sent[r, d, i]
