"""The size of the planning model, estimated from the `Problem` before anything is built, and
the memory budget a model must fit in.

A model that does not fit in memory fails deep inside NumPy or HiGHS (``_ArrayMemoryError``,
or the operating system kills the process); a plan on 2,000 donors x 50 depots x 3,650 days
is such a model. `estimate_size` counts the columns of each variable block from the same masks
`variables` uses (boolean arrays of the problem's shape, no column index), the rows of each
family from its mask, and the non-zeros from how many rows each column enters
(`constraints`: a depot stock ``s[i,k,t]`` enters two depot balances, two demand rows and one
capacity row...), on one hub and on a network (hubs, supply and hub or depot routes), LP and
MILP, with buffers and re-plans: exactly the built model's size (tests/planning/
test_model_size.py checks it on random networks), so that `check_budget` refuses a model
beyond the budget before building it, with its size in the message.

Bytes are a model of the peak, measured (benchmarks/results/plan-size.json): the build holds
each non-zero as a COO triplet, its CSC copy and the arrays handed to HiGHS, and HiGHS holds
its own copies and factors; the race runs two HiGHS instances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from resupply.compile.problem import I64, Bool, Problem
from resupply.errors import PlanningError
from resupply.planning.constraints import (
    route_shipment_bound,
    supply_shipment_bound,
    tranche_bound,
)
from resupply.planning.options import Actuals, Buffers, PlanOptions
from resupply.planning.variables import (
    fair_donors,
    grows,
    hub_step_retention,
    item_active,
    move_days,
    open_dispatch_mask,
    previous_on,
    smoothness_pairs,
    split_donors,
    step_retention,
)

BYTES_PER_NONZERO = 250
"""Peak memory per non-zero of one HiGHS instance with the build's copies. [bytes]"""
BYTES_PER_LINE = 550
"""Peak memory per row or column of one HiGHS instance (bounds, costs, basis, solution,
the build's index arrays). [bytes] Both set from the measured peaks of ukraine-2022 and a
180,000-variable model, simplex and race
(benchmarks/results/plan-size.json: measured 0.76-1.03x the estimate; a model of a few
hundred rows is dominated by fixed overheads the estimate leaves out)."""
FALLBACK_BUDGET = 8 * 1024**3
"""The memory budget when the available memory cannot be read (8 GiB). [bytes]"""
AVAILABLE_SHARE = 0.8
"""Share of the memory available at the start that a model may take by default. [1]"""


@dataclass(frozen=True)
class ModelSize:
    """Rows, columns, non-zeros and the peak memory of a planning model. [bytes]"""

    rows: int
    cols: int
    nnz: int
    bytes: int

    def describe(self) -> str:
        """``123,456 variables, 78,901 constraints, 1,234,567 non-zeros, ~1.2 GB``."""
        return (f"{self.cols:,} variables, {self.rows:,} constraints, {self.nnz:,} non-zeros, "
                f"~{format_bytes(self.bytes)}")


UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
         "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
"""Suffixes ``--memory-budget`` reads (case-insensitive): decimal and binary units."""


def parse_bytes(text: str) -> float:
    """A memory size as a user writes it (``16GB``, ``500 MB``, ``2GiB``, ``3e9``); a
    `PlanningError` names the valid forms. [bytes]"""
    raw = text.strip().lower().replace(" ", "")
    number = raw.rstrip("kmgtib")
    unit = raw[len(number):]
    try:
        value = float(number) * UNITS[unit]
    except (ValueError, KeyError):
        raise PlanningError(f"--memory-budget {text!r}: write a size such as 16GB, 500MB, "
                            "2GiB or a number of bytes") from None
    if not 0 < value < float("inf"):
        raise PlanningError(f"--memory-budget {text!r}: must be a positive, finite size")
    return value


def format_bytes(n: float) -> str:
    """``1.2 GB`` (decimal units, as ``--memory-budget`` reads them)."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n:.0f} B"


def solver_bytes(rows: int, cols: int, nnz: int, instances: int) -> int:
    """Peak memory of ``instances`` HiGHS instances on a model of this size. [bytes]"""
    return int(instances * (BYTES_PER_NONZERO * nnz + BYTES_PER_LINE * (rows + cols)))


def instances(opts: PlanOptions) -> int:
    """HiGHS instances a plan holds at once: two for the race of an LP, else one."""
    return 2 if opts.method == "race" and not opts.integer else 1


def estimate_size(p: Problem, opts: PlanOptions, actuals: Actuals | None = None,
                  buffers: Buffers | None = None) -> ModelSize:
    """The size of ``build_model(p, opts, actuals, buffers)`` without building it: exactly its
    rows, columns and non-zeros.

    Columns are counted from the masks the build uses (`variables`), rows from the masks of
    each family (`constraints`), and non-zeros term by term as `Layout.add_rows` keeps them
    (a term whose column or row does not exist, or whose coefficient is zero, is dropped; no
    two terms of a family put the same column into the same row). Memory: O(the problem's
    own [d, i, t] arrays), never O(the model)."""
    rows, cols, nnz = _Count(p, opts, actuals).total(buffers)
    return ModelSize(rows, cols, nnz, solver_bytes(rows, cols, nnz, instances(opts)))


class _Count:
    """The counts every family reads, each an array of the problem's own shape ([d, t],
    [b, t], [a, t]...) or smaller; the methods count one part of the model each, as
    (rows, cols, nnz)."""

    def __init__(self, p: Problem, opts: PlanOptions, actuals: Actuals | None) -> None:
        self.p, self.opts, self.actuals = p, opts, actuals
        active = item_active(p)
        heavy = p.item_mass_t != 0  # tonnage rows drop an item without mass
        self.active, self.heavy = active, heavy
        self.n_a, self.n_a_heavy = int(active.sum()), int((active & heavy).sum())
        self.x = open_dispatch_mask(p, actuals)  # [d, i, t]
        self.per_dt = self.x.sum(axis=1)  # [d, t] x columns of a donor on a day
        self.per_dt_heavy = self.items_per_dt(heavy)
        self.per_dt_active = self.items_per_dt(active)  # those with a hub balance row
        self.split = split_donors(p)
        self.split_b = self.split[p.supply_donor]
        # [b, t] columns travelling supply route b (`supply_columns`): the donor's x (open
        # on its one route's days) or its xs (x on the route's open days)
        self.per_bt = self.per_dt[p.supply_donor] * p.supply_open
        self.per_bt_heavy = self.per_dt_heavy[p.supply_donor] * p.supply_open
        self.per_bt_active = self.per_dt_active[p.supply_donor] * p.supply_open
        self.h_items, self.z_items = self.flow_items(active)  # [n, t], [a, t]
        self.h_heavy, self.z_heavy = self.flow_items(active & heavy)
        self.moves = self.z_items > 0  # [a, t] route days with z
        self.from_hub, self.from_depot = p.route_from_hub >= 0, p.route_from_depot >= 0
        self.n_z = int(self.z_items.sum())

    def items_per_dt(self, items: Bool) -> I64:
        """[d, t] x columns of a donor on a day of the given items (no copy of x when all)."""
        per_dt: I64 = self.per_dt if items.all() else self.x[:, items].sum(axis=1)
        return per_dt

    def flow_items(self, items: Bool) -> tuple[I64, I64]:
        """([n, t], [a, t]) how many of ``items`` (items someone holds) have a hub stock h at
        hub n and a move z on route a, each day: each of them on every hub and day, and on
        the days of `move_days`. The one place that reads the h and z masks of
        `variables`."""
        p, n = self.p, int(items.sum())
        h: I64 = np.full((len(p.hubs), p.n_days), n, dtype=np.int64)
        z: I64 = n * move_days(p).astype(np.int64)
        return h, z

    def total(self, buffers: Buffers | None) -> tuple[int, int, int]:
        """(rows, cols, nnz) of the whole model."""
        parts = [self.donors(), self.hubs(), self.supply(), self.depots(), self.tranches(),
                 self.fairness()]
        if self.opts.integer:
            parts.append(self.shipments())
        if buffers is not None:
            parts.append(self.buffers(buffers))
        if self.actuals is not None and not self.p.simple_network:
            parts.append(self.past_moves(self.actuals.from_day))
        rows, cols, nnz = (sum(part[n] for part in parts) for n in range(3))
        return rows, cols, nnz

    def donors(self) -> tuple[int, int, int]:
        """x, g; donor availability and stock, dispatch capacity, pledges."""
        p, x, per_dt = self.p, self.x, self.per_dt
        n_x = int(per_dt.sum())
        grow = grows(p, x)  # [d, i] pairs with a running balance g (where x exists)
        n_g = int(x[grow].sum())
        n_flat = int((x.any(axis=2) & ~grow).sum())
        capped = np.isfinite(p.dispatch_capacity_t) & (per_dt > 0)
        pledge_rows, pledge_nnz = _pledges(p, x)
        rows = n_g + n_flat + int(capped.sum()) + pledge_rows
        # g: its row and the next; x: its balance or stock row (all x), capacity, pledges
        nnz = (2 * n_g - int(grow.sum()) + n_x + int(self.per_dt_heavy[capped].sum())
               + pledge_nnz)
        return rows, n_x + n_g, nnz

    def hubs(self) -> tuple[int, int, int]:
        """h; hub balance, throughput and capacity."""
        p, n_t, n_n = self.p, self.p.n_days, len(self.p.hubs)
        n_h = int(self.h_items.sum())
        # h of the day before, kept (an item's h exists on a day when it did the day before)
        kept = int((self.h_items[:, :-1] * (hub_step_retention(p)[:, 1:] != 0)).sum())
        arrives = p.arrival_step(p.supply_transit_days) >= 0  # [b, t]
        capped = np.isfinite(p.hub_capacity_t)
        rows = n_h + n_n * n_t + int(capped.sum()) * n_t
        # h: its balance and the next; supply arriving; moves leaving the hub (balance and
        # throughput); h in the capacity row
        nnz = (n_h + kept + int(self.per_bt_active[arrives].sum())
               + int(self.z_items[self.from_hub].sum()) + int(self.z_heavy[self.from_hub].sum())
               + int(self.h_heavy[capped].sum()))
        return rows, n_h, nnz

    def supply(self) -> tuple[int, int, int]:
        """xs; supply split, supply and route capacity."""
        p = self.p
        n_xs = int(self.per_bt[self.split_b].sum())
        n_split = int(self.per_dt[self.split].sum()) if self.split.any() else 0
        capped_b = np.isfinite(p.supply_capacity_t)
        capped_a = np.isfinite(p.route_capacity_t)
        rows = n_split + int(capped_b.sum()) + int(capped_a.sum())
        nnz = (n_split + n_xs + int(self.per_bt_heavy[capped_b].sum())
               + int(self.z_heavy[capped_a].sum()))
        return rows, n_xs, nnz

    def depots(self) -> tuple[int, int, int]:
        """z, s, u, v (and a re-plan's lost and found); depot balance, demand, depot capacity,
        packages."""
        p, n_a, n_k, n_t = self.p, self.n_a, len(self.p.depots), self.p.n_days
        n_s = n_a * n_k * n_t
        kept = n_a * int((step_retention(p)[:, 1:] != 0).sum())  # s of the day before, kept
        departs = int(self.z_items[self.from_depot].sum())  # moves from a depot
        n_u = int((p.need > 0).sum())
        held = np.zeros(len(p.families), dtype=bool)
        held[p.item_family[self.active]] = True
        demand_rows = int(((p.need > 0) | held[:, None, None]).sum())
        inside = (p.package_day >= 0) & (p.package_day < n_t)
        v_mask = (p.package_first_load > 0) & inside[:, None]  # [q, f]
        per_family = np.bincount(p.item_family[self.active], minlength=len(p.families))
        n_v = int(v_mask.sum())
        cols = self.n_z + n_s + n_u + n_v
        rows = n_s + demand_rows + n_k * n_t + n_v
        # balance and demand rows alike: s, s of the day before, arrivals, departures
        nnz = (2 * (n_s + kept + self.n_z + departs) + n_u + self.n_a_heavy * n_k * n_t
               + n_v + int((v_mask * per_family[None, :]).sum()) * n_k)
        if self.actuals is not None:  # lost and found enter a depot balance and a demand row
            cols, nnz = cols + 2 * n_a * n_k, nnz + 4 * n_a * n_k
        return rows, cols, nnz

    def tranches(self) -> tuple[int, int, int]:
        """up, dn, y; smoothness, minimum and largest tranche."""
        p, per_dt = self.p, self.per_dt
        pairs = smoothness_pairs(p, per_dt > 0)
        prev = previous_on(p.tranche_day)
        x_prev = np.where(prev >= 0, np.take_along_axis(per_dt, np.maximum(prev, 0), axis=1), 0)
        n_up = int(pairs.sum())
        rows, cols = n_up, 2 * n_up
        nnz = int(per_dt[pairs].sum() + x_prev[pairs].sum()) + 2 * n_up
        if self.opts.integer:
            on_off = (p.min_tranche_t > 0) | (p.tranche_fixed_cost > 0)  # as `variables`
            y = (per_dt > 0) & on_off[:, None]
            n_y = int(y.sum())
            cols, rows = cols + n_y, rows + 2 * n_y
            # x in both rows; y in the minimum row where there is a minimum, in the maximum
            # row where its bound is not zero
            nnz += (2 * int(self.per_dt_heavy[y].sum())
                    + int((y & (p.min_tranche_t[:, None] > 0)).sum())
                    + int((y & (tranche_bound(p) != 0)).sum()))
        return rows, cols, nnz

    def fairness(self) -> tuple[int, int, int]:
        """V, W, e_lo, e_hi; donor and total value, fair-share bands."""
        p = self.p
        fair = fair_donors(p, self.opts)
        if not fair.any():
            return 0, 0, 0
        n_fair = int(fair.sum())
        valued = self.items_per_dt(p.item_value != 0)  # [d, t] x with a value
        share = np.nan_to_num(p.fair_share)
        low = np.maximum(share - p.fair_share_band, 0.0)
        high = share + p.fair_share_band
        # V in its value row and both bands, W in the total row and both bands where its
        # coefficient is not zero, e_lo and e_hi in their band
        nnz = (int(valued[fair].sum()) + int(valued.sum()) + 1 + 5 * n_fair
               + int((fair & (low != 0)).sum()) + int((fair & (high != 0)).sum()))
        return 3 * n_fair + 1, 3 * n_fair + 1, nnz

    def shipments(self) -> tuple[int, int, int]:
        """MILP: yb, ya; the shipment rows of routes with a fixed cost per shipment."""
        p = self.p
        yb = (self.per_bt > 0) & (p.supply_fixed_eur > 0)[:, None]
        ya = self.moves & (p.route_fixed_eur > 0)[:, None]
        n_yb, n_ya = int(yb.sum()), int(ya.sum())
        nnz = (int(self.per_bt_heavy[yb].sum()) + int((yb & (supply_shipment_bound(p) != 0)).sum())
               + int(self.z_heavy[ya].sum()) + int((ya & (route_shipment_bound(p) != 0)).sum()))
        return n_yb + n_ya, n_yb + n_ya, nnz

    def buffers(self, buffers: Buffers) -> tuple[int, int, int]:
        """w, wh; buffer stock and hub reserve rows: a deficit column and the family's stock
        (at the depot, or at every hub) each."""
        p = self.p
        per_family = np.bincount(p.item_family[self.active], minlength=len(p.families))
        n_f = len(p.families)
        n_w = int(buffers.mask.sum())
        nnz = n_w + int((buffers.mask.reshape(n_f, -1).sum(axis=1) * per_family).sum())
        rows = n_w
        if buffers.hub_mask is not None:
            n_wh = int(buffers.hub_mask.sum())
            rows += n_wh
            nnz += n_wh + int((buffers.hub_mask.sum(axis=1) * per_family).sum()) * len(p.hubs)
        return rows, rows, nnz

    def past_moves(self, from_day: int) -> tuple[int, int, int]:
        """Rows and non-zeros of `constraints.past_moves` (a re-plan over a network): one row
        per item held, depot and day before ``from_day`` that a move from a hub reaches,
        holding each such move (every held item has a move where one has, `flow_items`)."""
        p = self.p
        moves = (self.moves & self.from_hub[:, None])[:, :from_day]  # [a, t]
        reached = np.zeros((len(p.depots), moves.shape[1]), dtype=bool)
        np.logical_or.at(reached, p.route_depot, moves)
        return self.n_a * int(reached.sum()), 0, self.n_a * int(moves.sum())


def _pledges(p: Problem, x: Bool) -> tuple[int, int]:
    """Pledge rows in the horizon and their non-zeros (x columns up to each pledge's day)."""
    inside = (p.pledge_day >= 0) & (p.pledge_day < p.n_days)
    if not inside.any():
        return 0, 0
    donor, item, day = p.pledge_donor[inside], p.pledge_item[inside], p.pledge_day[inside]
    pairs, which = np.unique(donor * len(p.items) + item, return_inverse=True)
    counts = np.cumsum(x[pairs // len(p.items), pairs % len(p.items)], axis=1)  # [pair, t]
    return int(inside.sum()), int(counts[which, day].sum())


def available_memory() -> int | None:
    """Memory a new allocation can take now: the least of Linux's ``MemAvailable``, the
    cgroup's ``memory.max`` (a container) and the address-space limit (``ulimit -v``); None
    when none of them can be read. [bytes]"""
    limits = [_meminfo_available(), _cgroup_limit(), _address_space_limit()]
    known = [n for n in limits if n is not None]
    return min(known) if known else None


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_limit() -> int | None:
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as limit:
            text = limit.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _address_space_limit() -> int | None:
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def default_budget() -> int:
    """`AVAILABLE_SHARE` of `available_memory`, else `FALLBACK_BUDGET`. [bytes]"""
    free = available_memory()
    return FALLBACK_BUDGET if free is None else int(AVAILABLE_SHARE * free)


def check_budget(size: ModelSize, budget: float | None) -> None:
    """Refuse a model whose estimated peak memory exceeds ``budget`` (None: `default_budget`)
    with a `PlanningError` that states the size, the budget and what to do. [bytes]"""
    limit = default_budget() if budget is None else budget
    if size.bytes <= limit:
        return
    said = "" if budget is not None else " (80 % of the memory available)"
    raise PlanningError(
        f"the model is too large for the memory budget: {size.describe()} estimated, budget "
        f"{format_bytes(limit)}{said}; plan fewer days or days in steps (--daily-days), fewer "
        f"donors or items, --method simplex (one solver instead of two), or raise "
        f"--memory-budget (e.g. {format_bytes(size.bytes * 1.2).replace(' ', '')})")


