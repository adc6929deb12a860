"""Steps 6 to 8 of the day (see `resupply.simulation.engine`): consumption, capacity and
records."""

from __future__ import annotations

import numpy as np

from resupply.compile.problem import F64, Bool
from resupply.simulation.constants import contract
from resupply.simulation.draws import ChunkDraws
from resupply.simulation.options import surge_factors
from resupply.simulation.routes import group_sum
from resupply.simulation.state import (
    DOS_BIN_DAYS,
    RELATIVE_SLACK,
    SHORT,
    Chunk,
    Static,
    Totals,
)


def _surge(st: Static, draws: ChunkDraws) -> F64:
    """[r] consumption multiplier of the day (mean 1 over days, see `surge_factors`). [1]"""
    p = st.problem
    if not st.options.surges or p.surge_prob <= 0.0:
        return np.ones(draws.runs)
    normal, surge = surge_factors(p.surge_prob, p.surge_multiplier)
    result: F64 = np.where(draws.uniform(()) < p.surge_prob, surge, normal)
    return result


def _draw_demand(st: Static, draws: ChunkDraws, t: int, free: F64) -> tuple[F64, F64]:
    """Demand and demand met, [r, k, f]: ammunition first, then spare parts worn by the rounds
    fired (demanded, in backorder mode, where platforms do not idle). [units]"""
    mean = st.ammo_need[t][None] * _surge(st, draws)[:, None, None]
    demand = draws.consumption(mean)
    met = np.minimum(demand, free)
    if st.spare_per_round is not None:
        fired = demand if st.options.backorders else met
        sp = st.spare_idx
        worn_mean = contract(fired, st.spare_per_round[t])[:, :, sp]
        demand[:, :, sp] = draws.consumption(worn_mean)
        met[:, :, sp] = np.minimum(demand[:, :, sp], free[:, :, sp])
    return demand, met


def consume(c: Chunk, t: int) -> None:
    """Step 6: serve backorders (backorder mode), draw demand, take stock pro rata by item."""
    st, s, draws = c.st, c.s, c.draws
    stock_f = contract(s.stock, st.onehot)  # [r, k, f]
    if st.options.backorders:
        served = np.minimum(s.backorder, stock_f)
        s.backorder -= served
        demand, met = _draw_demand(st, draws, t, stock_f - served)
        s.backorder += demand - met
        used = served + met
    else:
        demand, met = _draw_demand(st, draws, t, stock_f)
        used = met
    unmet = demand - met
    share = np.divide(used, stock_f, out=np.zeros_like(used), where=stock_f > 0)
    keep = 1.0 - np.minimum(share, 1.0)  # [r, k, f]
    s.stock *= np.take(keep, st.problem.item_family, axis=2)
    overflow(c)
    end_f = contract(s.stock, st.onehot)
    record(c, t, (demand, met, used, unmet, end_f))


def overflow(c: Chunk) -> None:
    """Step 7: stock above a depot's capacity at the end of the day goes back to the hub (on a
    network, to the hub of the depot's preferred route)."""
    p, s = c.st.problem, c.s
    tons = contract(s.stock, p.item_mass_t)  # [r, k]
    cap = p.depot_capacity_t[None, :]
    over = tons > cap * (1.0 + RELATIVE_SLACK) + RELATIVE_SLACK
    if not over.any():
        return
    keep = np.where(over, cap / np.where(over, tons, 1.0), 1.0)[:, :, None]
    returned = s.stock * (1.0 - keep)
    s.stock *= keep
    net = c.st.network
    if net is not None and s.hubs is not None:  # to the hub of each depot's preferred route
        s.hubs += group_sum(returned, net.return_groups)
        s.hub = s.hubs.sum(axis=1)
    else:
        s.hub += returned.sum(axis=1)
    c.tot.returned += contract(returned, c.st.onehot)


def record(c: Chunk, t: int, flows: tuple[F64, F64, F64, F64, F64]) -> None:
    """Step 7: per-run totals and daily sums; ``flows`` = demand, met, used, unmet, end stock,
    each [r, k, f]. [units]"""
    st, s, tot = c.st, c.s, c.tot
    demand, met, used, unmet, end_f = flows
    tot.consumed += used
    short = unmet > SHORT
    family_short = short.any(axis=1)  # [r, f]
    if t >= st.options.warmup_days:
        tot.demand += demand
        tot.met += met
        tot.onhand_days += end_f
        tot.backorder_days += s.backorder
        tot.short_days += short
        tot.family_short_days += family_short
        tot.standard_short_days += (family_short @ st.family_std) > 0
        tot.depot_short_days += short.any(axis=2)
        tot.any_short_days += np.any(family_short, axis=1)
    _avoidable(c, t, unmet, short)
    family_total = end_f.sum(axis=1)  # [r, f]
    np.maximum(tot.peak_family, family_total, out=tot.peak_family)
    dry = (tot.dry_day < 0) & family_short & (family_total <= SHORT)
    tot.dry_day[dry] = t
    tot.stock_sum[t] += end_f.sum(axis=0)
    _days_of_supply(st, tot, t, family_total)
    if tot.stock_trace is not None:
        tot.stock_trace[:, t] = s.stock


def _avoidable(c: Chunk, t: int, unmet: F64, short: Bool) -> None:
    """Avoidable unmet demand (outside the reference's limited cells, `risk`), its days, and
    the running avoidable episode (unmet summed over consecutive short days), whose peaks
    size buffers when asked (`_deficits`): the safety stock that would have covered it."""
    st, s, tot = c.st, c.s, c.tot
    avoid: Bool = np.asarray(short & ~st.limited[t][None])  # [r, k, f]
    s.episode = np.where(avoid, s.episode + unmet, 0.0)
    if t < st.options.warmup_days:
        return
    if st.options.record_deficits:
        _deficits(c, t)
    family_avoid: Bool = np.asarray(avoid.any(axis=1))  # [r, f]
    tot.avoid_short += np.where(avoid, unmet, 0.0)
    tot.avoid_short_days += avoid
    tot.avoid_family_days += family_avoid
    tot.avoid_scope_days += family_avoid[:, st.scope].any(axis=1)
    family_short: Bool = np.asarray(short.any(axis=1))
    tot.scope_short_days += family_short[:, st.scope].any(axis=1)


def _deficits(c: Chunk, t: int) -> None:
    """Each run's largest avoidable episode, in units of the reference scale
    (`Totals.deficit_peak`): on a day the hub held some of the family it is the depot's (its
    buffer was short: the hub could have refilled it); on a day the hub held none it is the
    hub reserve's, summed over depots."""
    st, s, tot = c.st, c.s, c.tot
    np.maximum(tot.cell_deficit_peak, s.episode / st.scale[t][None], out=tot.cell_deficit_peak)
    hub_empty = (contract(s.hub, st.onehot) <= SHORT)[:, None, :]  # [r, 1, f]
    local = np.where(hub_empty, 0.0, s.episode) / st.scale[t][None]
    np.maximum(tot.deficit_peak, local, out=tot.deficit_peak)
    upstream = np.where(hub_empty, s.episode, 0.0).sum(axis=1) / st.hub_scale[t][None]
    np.maximum(tot.hub_deficit_peak, upstream, out=tot.hub_deficit_peak)


def _days_of_supply(st: Static, tot: Totals, t: int, family_total: F64) -> None:
    """Histogram of days of supply (stock / next day's need) per family at day end."""
    need = st.next_need[t]
    dos = np.divide(family_total, need[None], out=np.full_like(family_total, np.inf),
                    where=need[None] > 0)
    bins = np.minimum(dos / DOS_BIN_DAYS, st.n_bins - 1).astype(np.int64)
    flat = (np.arange(st.n_f)[None, :] * st.n_bins + bins).ravel()
    tot.dos_hist[t] += np.bincount(flat, minlength=st.n_f * st.n_bins).reshape(
        st.n_f, st.n_bins)
