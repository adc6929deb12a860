"""The engine's arrays: what is fixed for a problem (`Static`), one chunk's state (`State`) and
its per-run totals (`Totals`).

Internal layouts put the runs axis first and items last, so that family sums are one matrix
product: depot arrays ``[r, k, i]``, family arrays ``[r, k, f]``, donor arrays ``[r, d, i]``.
Results are put back in the `Problem` index contract at the output boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from resupply.compile.problem import F64, I64, Bool, Problem
from resupply.simulation.draws import ChunkDraws
from resupply.simulation.options import SimOptions
from resupply.simulation.policies import Policy
from resupply.simulation.risk import RiskReference
from resupply.simulation.routes import NetworkStatic, network_static

DOS_BIN_DAYS = 0.5
"""Width of a days-of-supply histogram bin. [days]"""
DOS_MAX_DAYS = 365.0
"""Days of supply at and beyond this go into the last bin. [days]"""
RELATIVE_SLACK = 1e-9
"""Caps are applied only when exceeded by more than this fraction (float dust). [1]"""
SHORT = 1e-6
"""Unmet demand above this counts as a stockout. [units]"""


def _spare_per_round(problem: Problem) -> F64:
    """[t, g, f] spare parts of family f worn per round of family g fired, on average over the
    platforms firing g that day. [units/round]"""
    active = problem.in_service * problem.intensity[None, :]  # [p, t]
    worn = np.einsum("pt,pg,pf->tgf", active, problem.fires, problem.wear)
    rounds = np.einsum("pt,pg->tg", active, problem.fires)[:, :, None]
    per_round: F64 = np.divide(worn, rounds, out=np.zeros_like(worn), where=rounds > 0)
    return per_round


class Static:
    """Arrays fixed for one problem and options; built once per chunk (cheap)."""

    def __init__(self, problem: Problem, options: SimOptions,
                 reference: RiskReference | None = None) -> None:
        p = problem
        self.problem = p
        self.options = options
        ref = reference or RiskReference.of(p, options)
        self.reference = ref
        self.limited = ref.limited.transpose(2, 1, 0).copy()  # [t, k, f]
        self.scale = ref.scale.transpose(2, 1, 0).copy()  # [t, k, f]
        self.hub_scale = ref.hub_scale.T.copy()  # [t, f]
        self.scope = ref.scope
        self.n_f = len(p.families)
        self.onehot = np.eye(self.n_f)[p.item_family]  # [i, f]
        self.loss_basis = np.concatenate(
            [self.onehot, self.onehot * p.item_mass_t[:, None],
             self.onehot * p.item_value[:, None]], axis=1)  # [i, 3f]
        self.family_std = np.eye(len(p.standards))[p.family_standard]  # [f, s]
        self.cum_available = p.donor_cumulative_available()  # [d, i, t]
        spare = p.family_is_spare
        self.spare_idx = np.nonzero(spare)[0]
        self.ammo_need = np.where(spare[:, None, None], 0.0, p.need).transpose(2, 1, 0).copy()
        self.spare_per_round = _spare_per_round(p) if len(self.spare_idx) else None
        total_need = p.need.sum(axis=1).T  # [t, f]
        self.next_need = np.concatenate([total_need[1:], total_need[-1:]])  # [t, f]
        self.strike_prob = p.strike_prob if options.strikes else np.zeros(len(p.depots))
        self.hub_strike_probs = (p.hub_strike_prob if options.strikes
                                 else np.zeros(len(p.hubs)))  # [h]
        self.hub_strike_prob = float(self.hub_strike_probs[0])  # the one hub's
        self.hub_loss_fraction = p.hub_loss_fraction[:1].copy()  # [1] the one hub's
        self.delay_mean = p.delay_mean if options.delays else np.zeros(len(p.donors))
        self.slip_mean = p.release_slip_mean if options.delays else np.zeros_like(
            p.release_slip_mean)
        self.pause_prob = p.pause_prob if options.pauses else np.zeros(len(p.donors))
        cap = np.ceil(10.0 * self.delay_mean).astype(np.int64)
        self.network: NetworkStatic | None = (None if p.simple_network
                                              else network_static(p, cap))
        """The routes of a network of several hubs (None: the one hub of `engine`)."""
        if self.network is None:
            self.hub_ring = int((p.lead_days + cap).max(initial=0)) + 1
            self.depot_ring = int(p.transit_days.max(initial=0)) + 1
        else:
            self.hub_ring, self.depot_ring = self.network.hub_ring, self.network.depot_ring
        self.n_bins = int(DOS_MAX_DAYS / DOS_BIN_DAYS) + 1


@dataclass
class State:
    """One chunk's state at the start of a day."""

    stock: F64          # [r, k, i] depot on hand [units]
    backorder: F64      # [r, k, f] [units]
    hub: F64            # [r, i] [units] (on a network: the sum over hubs of `hubs`)
    to_hub: F64         # [r, i] [units]
    to_depot: F64       # [r, k, i] [units]
    pipe_hub: F64       # [ring, r, i] arrivals at the hub by day mod ring (on a network
    #                     [ring, r, h, i], by hub) [units]
    pipe_depot: F64     # [ring, r, k, i] arrivals at depots by day mod ring [units]
    dispatched: F64     # [r, d, i] cumulative [units]
    moved: F64          # [r, k, i] cumulative [units]
    release: I64        # [r, d, i] day each donor may first dispatch each item, slip included
    episode: F64        # [r, k, f] avoidable unmet demand since the last day without [units]
    down: Bool          # [r, d] donor in a random pause today (`resupply.simulation.pauses`)
    hubs: F64 | None = None  # [r, h, i] each hub's stock on a network (None: one hub) [units]

    @classmethod
    def start(cls, st: Static, runs: int, slip: I64) -> State:
        p = st.problem
        n_d, n_i, n_k = len(p.donors), len(p.items), len(p.depots)
        hubs = None if st.network is None else (len(p.hubs),)
        return cls(
            stock=np.repeat(p.initial_stock.T[None], runs, axis=0),
            backorder=np.zeros((runs, n_k, st.n_f)),
            hub=np.zeros((runs, n_i)), to_hub=np.zeros((runs, n_i)),
            to_depot=np.zeros((runs, n_k, n_i)),
            pipe_hub=np.zeros((st.hub_ring, runs, *(hubs or ()), n_i)),
            pipe_depot=np.zeros((st.depot_ring, runs, n_k, n_i)),
            dispatched=np.zeros((runs, n_d, n_i)), moved=np.zeros((runs, n_k, n_i)),
            release=p.release_day[None] + slip, episode=np.zeros((runs, n_k, st.n_f)),
            down=np.zeros((runs, n_d), dtype=bool),
            hubs=None if hubs is None else np.zeros((runs, *hubs, n_i)))


def _zeros(*shape: int) -> F64:
    return np.zeros(shape)


@dataclass
class Totals:
    """Per-run totals of one chunk (and, summed over runs, daily figures)."""

    demand: F64            # [r, k, f] demand drawn [units]
    met: F64               # [r, k, f] demand met on the day it arose [units]
    consumed: F64          # [r, k, f] stock consumed (met + backorders served) [units]
    arrivals: F64          # [r, k, f] arrived at depots [units]
    returned: F64          # [r, k, f] sent back to the hub for want of capacity [units]
    lost: F64              # [r, k, 3f] lost to strikes, packed (one update per strike): read
    #                        it by name, `lost_units`, `lost_tons`, `lost_value`
    hub_lost: F64          # [r, 3f] lost to strikes on the hub, packed as `lost`: read it by
    #                        name, `hub_lost_units`, `hub_lost_tons`, `hub_lost_value`
    start: F64             # [r, k, f] stock at the start [units]
    end: F64               # [r, k, f] stock at the end [units]
    onhand_days: F64       # [r, k, f] sum over counted days of on hand at day end [unit days]
    backorder_days: F64    # [r, k, f] same for backorders [unit days]
    short_days: F64        # [r, k, f] days with unmet demand [days]
    family_short_days: F64  # [r, f] days with unmet demand at any depot [days]
    standard_short_days: F64  # [r, s] [days]
    depot_short_days: F64  # [r, k] [days]
    any_short_days: F64    # [r] [days]
    peak_tons: F64         # [r, k] largest stock at the depot when strikes fall [t]
    peak_total_tons: F64   # [r] largest stock over all depots [t]
    peak_family: F64       # [r, f] largest stock of the family over all depots [units]
    dry_day: I64           # [r, f] first day the family ran dry (-1: never) [day]
    avoid_short: F64       # [r, k, f] unmet demand where supply could have met it [units]
    avoid_short_days: F64  # [r, k, f] days with avoidable unmet demand [days]
    avoid_family_days: F64  # [r, f] days with avoidable unmet demand at any depot [days]
    avoid_scope_days: F64  # [r] days with avoidable unmet demand of a family in scope [days]
    scope_short_days: F64  # [r] days with any unmet demand of a family in scope [days]
    orders: F64            # [r, d] counted days on which the donor dispatched a tranche
    deficit_peak: F64      # [r, k, f] largest avoidable episode while the hub held some of
    #                        the family (the depot's part), in units of the scale; recorded
    #                        only with `SimOptions.record_deficits` (zeros otherwise) [1]
    cell_deficit_peak: F64  # [r, k, f] largest avoidable episode, whatever the hub held [1]
    hub_deficit_peak: F64  # [r, f] largest sum over depots of avoidable episodes while the hub
    #                        held none (the hub reserve's part), in units of the hub scale [1]
    counted_days: int
    stock_sum: F64         # [t, k, f] sum over runs of stock at day end [units]
    dos_hist: I64          # [t, f, bin] runs per days-of-supply bin at day end
    stock_trace: F64 | None = field(default=None)  # [r, t, k, i] when recorded [units]

    def _packed(self, packed: F64, j: int) -> F64:
        """Part j (units, tons, value) of a loss array packed over its last axis [.., 3f]."""
        n_f = self.demand.shape[2]
        part: F64 = packed[..., j * n_f:(j + 1) * n_f]
        return part

    def _lost(self, j: int) -> F64:
        return self._packed(self.lost, j)

    @property
    def lost_units(self) -> F64:
        """[r, k, f] units destroyed by strikes. [units]"""
        return self._lost(0)

    @property
    def lost_tons(self) -> F64:
        """[r, k, f] tons destroyed by strikes. [t]"""
        return self._lost(1)

    @property
    def lost_value(self) -> F64:
        """[r, k, f] value destroyed by strikes. [EUR]"""
        return self._lost(2)

    def _hub_lost(self, j: int) -> F64:
        return self._packed(self.hub_lost, j)

    @property
    def hub_lost_units(self) -> F64:
        """[r, f] units destroyed by strikes on the hub. [units]"""
        return self._hub_lost(0)

    @property
    def hub_lost_tons(self) -> F64:
        """[r, f] tons destroyed by strikes on the hub. [t]"""
        return self._hub_lost(1)

    @property
    def hub_lost_value(self) -> F64:
        """[r, f] value destroyed by strikes on the hub. [EUR]"""
        return self._hub_lost(2)

    @property
    def strike_loss(self) -> F64:
        """[r] value destroyed by strikes at the depots and the hub: a run's strike loss.
        [EUR]"""
        total: F64 = self.lost_value.sum(axis=(1, 2)) + self.hub_lost_value.sum(axis=1)
        return total

    @classmethod
    def empty(cls, st: Static, runs: int) -> Totals:
        p = st.problem
        n_k, n_f, n_t = len(p.depots), st.n_f, p.n_days
        rkf = (runs, n_k, n_f)
        start = np.repeat((p.initial_stock.T @ st.onehot)[None], runs, axis=0)
        trace = (np.zeros((runs, n_t, n_k, len(p.items))) if st.options.record_stock
                 else None)
        return cls(
            demand=_zeros(*rkf), met=_zeros(*rkf), consumed=_zeros(*rkf),
            arrivals=_zeros(*rkf), returned=_zeros(*rkf), lost=_zeros(runs, n_k, 3 * n_f),
            hub_lost=_zeros(runs, 3 * n_f),
            start=start,
            end=start.copy(), onhand_days=_zeros(*rkf), backorder_days=_zeros(*rkf),
            short_days=_zeros(*rkf), family_short_days=_zeros(runs, n_f),
            standard_short_days=_zeros(runs, len(p.standards)),
            depot_short_days=_zeros(runs, n_k), any_short_days=_zeros(runs),
            peak_tons=_zeros(runs, n_k), peak_total_tons=_zeros(runs),
            peak_family=_zeros(runs, n_f), dry_day=np.full((runs, n_f), -1, dtype=np.int64),
            avoid_short=_zeros(*rkf), avoid_short_days=_zeros(*rkf),
            avoid_family_days=_zeros(runs, n_f), avoid_scope_days=_zeros(runs),
            scope_short_days=_zeros(runs), orders=_zeros(runs, len(p.donors)),
            deficit_peak=_zeros(*rkf),
            hub_deficit_peak=_zeros(runs, n_f), cell_deficit_peak=_zeros(*rkf),
            counted_days=0, stock_sum=_zeros(n_t, n_k, n_f),
            dos_hist=np.zeros((n_t, n_f, st.n_bins), dtype=np.int64), stock_trace=trace)


PER_RUN = ("demand", "met", "consumed", "arrivals", "returned", "lost", "hub_lost", "start",
           "end",
           "onhand_days", "backorder_days", "short_days", "family_short_days",
           "standard_short_days",
           "depot_short_days", "any_short_days", "peak_tons", "peak_total_tons", "peak_family",
           "dry_day", "avoid_short", "avoid_short_days", "avoid_family_days", "avoid_scope_days",
           "scope_short_days", "orders", "deficit_peak", "hub_deficit_peak", "cell_deficit_peak")
"""`Totals` fields with a leading runs axis (concatenated across chunks)."""
SUMMED = ("stock_sum", "dos_hist")
"""`Totals` fields summed over runs (added across chunks)."""


class Merger:
    """Collects chunks in run order: per-run arrays kept, daily sums added as they come
    (so memory grows with runs, not with chunks)."""

    def __init__(self) -> None:
        self.parts: list[Totals] = []
        self.runs = 0

    def add(self, part: Totals) -> None:
        """Take one chunk's totals (its daily sums are folded into the first chunk's)."""
        if self.parts:
            first = self.parts[0]
            for name in SUMMED:
                getattr(first, name)[...] += getattr(part, name)
                setattr(part, name, getattr(first, name))
        self.parts.append(part)
        self.runs += len(part.any_short_days)

    def result(self) -> Totals:
        """One `Totals` of all chunks taken."""
        parts = self.parts
        merged = {name: np.concatenate([getattr(t, name) for t in parts]) for name in PER_RUN}
        summed = {name: getattr(parts[0], name) for name in SUMMED}
        traces = [t.stock_trace for t in parts]
        trace = None if any(x is None for x in traces) else np.concatenate(
            [x for x in traces if x is not None])
        return Totals(**merged, **summed, counted_days=parts[0].counted_days,
                      stock_trace=trace)


@dataclass
class Chunk:
    """Everything one day step reads and writes for one chunk of runs."""

    st: Static
    s: State
    tot: Totals
    draws: ChunkDraws
    policy: Policy
    run_ids: I64
