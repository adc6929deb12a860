"""The day's steps on the fused kernel (`resupply.simulation.kernel`): the same order of
events, policy calls and draws as the NumPy path (`engine`, `consume`), with the passes over
``[runs, depots, items]`` arrays between the draws done by compiled loops.

Which path runs is chosen by the environment variable ``RESUPPLY_SIM_KERNEL``: ``numpy`` (the
reference path), ``numba`` (this one; an error if Numba is missing) or ``auto`` (the default:
this one when Numba is installed, the ``fast`` extra, else NumPy). Both give the same numbers
for the same seed, bit for bit (see `kernel`). Fused: what donors may send, the dispatch's caps
and bookings, the hub moves' caps and bookings, depot arrivals, the consumption pro rata by
item, and the day's records; strikes, capacity, the matrix products, the draws and the
policy's own work stay in NumPy.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

from resupply.compile.problem import F64
from resupply.errors import SimulationError
from resupply.simulation.constants import contract
from resupply.simulation.consume import _draw_demand, overflow
from resupply.simulation.engine import _scale, _view
from resupply.simulation.pauses import advance
from resupply.simulation.state import DOS_BIN_DAYS, Chunk

ENV = "RESUPPLY_SIM_KERNEL"
CHOICES = ("auto", "numpy", "numba")


def prepare_cache_dir() -> None:
    """Point Numba's on-disk cache at the user cache directory when the package directory
    cannot be written (an installed, read-only package), unless ``NUMBA_CACHE_DIR`` is set."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = Path(__file__).resolve().parent
    if os.access(here, os.W_OK):
        return
    from platformdirs import user_cache_dir

    target = Path(user_cache_dir("resupply")) / "numba"
    target.mkdir(parents=True, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = str(target)


def use_kernel() -> bool:
    """Whether this process simulates on the fused kernel (``RESUPPLY_SIM_KERNEL``). Under
    ``auto`` a Numba that is installed but fails to load falls back to NumPy."""
    choice = os.environ.get(ENV, "auto").strip().lower() or "auto"
    if choice not in CHOICES:
        raise SimulationError(f"{ENV}={choice!r}: use auto, numpy or numba")
    if choice == "numpy":
        return False
    present = importlib.util.find_spec("numba") is not None
    if choice == "numba" and not present:
        raise SimulationError(f"{ENV}=numba but Numba is not installed; install the `fast` "
                              "extra (pip install 'resupply[fast]') or use auto or numpy")
    if choice == "numba" or not present:
        return present
    try:
        load()
    except Exception:  # any failure to load or compile: the NumPy path
        return False
    return True


def load() -> ModuleType:
    """The compiled kernel module (compiled at first use, then read from the disk cache)."""
    prepare_cache_dir()
    from resupply.simulation import kernel

    return kernel


def warm() -> None:
    """Compile the kernel into the disk cache now (``make setup`` does, so that the first
    simulation does not pay for it): a small simulation of the bundled tiny scenario, and
    one of ukraine-2022 for the network's loops (`netkernel`)."""
    from resupply.compile import compile_problem
    from resupply.domain import load_scenario
    from resupply.simulation.options import SimOptions
    from resupply.simulation.run import simulate
    from resupply.simulation.specs import parse_policy

    before = os.environ.get(ENV)
    os.environ[ENV] = "numba"
    try:
        simulate(compile_problem(load_scenario("tiny")), parse_policy("lump"),
                 SimOptions(runs=2, block_runs=1, record_deficits=True))
        simulate(compile_problem(load_scenario("ukraine-2022")), parse_policy("lump"),
                 SimOptions(runs=2, block_runs=1))
    finally:
        if before is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = before


class FusedDay:
    """Steps 3, 6, 7 and 8 of a day for one chunk on the kernel; the matrix products (family
    sums, tons), the draws and the policy calls are the NumPy path's own."""

    def __init__(self, c: Chunk) -> None:
        self.k = load()
        st, p = c.st, c.st.problem
        self.fam = np.ascontiguousarray(p.item_family, dtype=np.int64)
        self.std = np.ascontiguousarray(p.family_standard, dtype=np.int64)
        self.n_std = len(p.standards)
        self.scope = np.ascontiguousarray(st.scope, dtype=np.bool_)
        self.limited = np.ascontiguousarray(st.limited, dtype=np.bool_)
        self.transit = p.transit_days.astype(np.int64)
        runs = c.s.stock.shape[0]
        self.ones = np.ones(runs)
        self.no_hub = np.zeros((runs, st.n_f))

    def available(self, c: Chunk, t: int) -> F64:
        """[r, d, i] what donors may dispatch today (`engine._available`). [units]"""
        st, s = c.st, c.s
        out = np.empty(s.dispatched.shape)
        self.k.available(np.ascontiguousarray(st.cum_available[:, :, t]), s.dispatched,
                         s.release, s.down, np.ascontiguousarray(st.problem.donor_paused[:, t]),
                         t, out)
        return out

    def dispatch(self, c: Chunk, t: int) -> Callable[[], F64]:
        """Step 1 (`engine.dispatch`): the policy's dispatch, capped by availability, into the
        pipeline to the hub; returns what donors could still send today."""
        st, s = c.st, c.s
        s.down = advance(s.down, c.draws, st.pause_prob, st.problem.resume_prob)
        view = _view(st, s, t, c.run_ids, lambda: self.available(c, t))
        want = c.policy.dispatch(view)
        if not (want > 0).any():
            return lambda: view.available
        available = view.available
        sent = np.empty(want.shape)
        left = np.empty(want.shape)
        active = np.empty(want.shape[:2], dtype=np.bool_)
        if not self.k.send(np.ascontiguousarray(want, dtype=np.float64), available, sent, left,
                           active, s.dispatched, s.to_hub):
            return lambda: available
        if t >= st.options.warmup_days:
            c.tot.orders += active
        lag = st.problem.lead_days[None, :] + c.draws.lag_days(st.delay_mean, active)
        self.k.book_tranches(sent, (t + lag) % st.hub_ring, s.pipe_hub)
        return lambda: left

    def hub_moves(self, c: Chunk, t: int, available: Callable[[], F64]) -> None:
        """Step 3 (`engine.hub_moves`)."""
        st, s, p = c.st, c.s, c.st.problem
        asked = c.policy.allocate(_view(st, s, t, c.run_ids, available))
        want = np.empty(asked.shape)
        if not self.k.cap_to_hub(np.ascontiguousarray(asked, dtype=np.float64), want, s.hub):
            return
        want_t = contract(want, p.item_mass_t)
        factor = _scale(want_t.sum(axis=1), np.full(len(want), p.hub_throughput_t[t]))
        slots = (t + self.transit) % st.depot_ring
        self.k.move(want, self.ones if factor is None else factor, s.hub, s.moved,
                    s.to_depot, s.pipe_depot, slots)

    def depot_arrivals(self, c: Chunk, t: int) -> None:
        """Step 5 (`engine.depot_arrivals`)."""
        st, s = c.st, c.s
        arrived = s.pipe_depot[t % st.depot_ring]
        if arrived.any():
            c.tot.arrivals += contract(arrived, st.onehot)
            self.k.arrive(s.stock, arrived, s.to_depot)

    def consume(self, c: Chunk, t: int) -> None:
        """Steps 6 to 8 (`consume.consume`)."""
        st, s, tot = c.st, c.s, c.tot
        stock_f = contract(s.stock, st.onehot)  # [r, k, f]
        if st.options.backorders:
            served = np.minimum(s.backorder, stock_f)
            s.backorder -= served
            demand, met = _draw_demand(st, c.draws, t, stock_f - served)
            s.backorder += demand - met
            used = served + met
        else:
            demand, met = _draw_demand(st, c.draws, t, stock_f)
            used = met
        self.k.take_pro_rata(s.stock, used, stock_f, self.fam)
        overflow(c)
        end_f = contract(s.stock, st.onehot)
        counted = t >= st.options.warmup_days
        deficits = counted and st.options.record_deficits
        hub_f = contract(s.hub, st.onehot) if deficits else self.no_hub
        self.k.record(
            demand, met, used, end_f, s.backorder, s.episode, hub_f, self.std, self.n_std,
            self.scope, self.limited[t], st.scale[t], st.hub_scale[t], st.next_need[t], t,
            counted, deficits, st.n_bins, DOS_BIN_DAYS,
            tot.consumed, tot.demand, tot.met, tot.onhand_days, tot.backorder_days,
            tot.short_days, tot.family_short_days, tot.standard_short_days,
            tot.depot_short_days, tot.any_short_days, tot.peak_family, tot.dry_day,
            tot.avoid_short, tot.avoid_short_days, tot.avoid_family_days,
            tot.avoid_scope_days, tot.scope_short_days, tot.deficit_peak,
            tot.cell_deficit_peak, tot.hub_deficit_peak, tot.stock_sum[t], tot.dos_hist[t])
        if tot.stock_trace is not None:
            tot.stock_trace[:, t] = s.stock
