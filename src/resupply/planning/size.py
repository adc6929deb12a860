"""The size of the planning model, estimated from the `Problem` before anything is built, and
the memory budget a model must fit in.

A model that does not fit in memory fails deep inside NumPy or HiGHS (``_ArrayMemoryError``,
or the operating system kills the process); a plan on 2,000 donors x 50 depots x 3,650 days
is such a model. `estimate_size` counts the columns of each variable block from the same masks
`variables` uses (boolean arrays of the problem's shape, no column index), and the non-zeros
from how many rows each column enters (`constraints`: a depot stock ``s[i,k,t]`` enters two
depot balances, two demand rows and one capacity row...), so that `check_budget` refuses a
model beyond the budget before building it, with its size in the message.

Bytes are a model of the peak, measured (benchmarks/results/plan-size.json): the build holds
each non-zero as a COO triplet, its CSC copy and the arrays handed to HiGHS, and HiGHS holds
its own copies and factors; the race runs two HiGHS instances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from resupply.compile.problem import Bool, Problem
from resupply.errors import PlanningError
from resupply.planning.options import Actuals, Buffers, PlanOptions
from resupply.planning.variables import (
    dispatch_mask,
    fair_donors,
    grows,
    item_active,
    previous_on,
    smoothness_pairs,
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
    """The size of ``build_model(p, opts, actuals, buffers)`` without building it.

    Columns and rows are counted from the masks the build uses; non-zeros count each column
    once per row it enters. Memory: O(the problem's own [d, i, t] arrays), never O(the
    model)."""
    parts = [_flows(p, actuals), _donor_rows(p, opts, dispatch_mask(p, actuals))]
    if buffers is not None:
        parts.append(_buffers(p, buffers))
    rows, cols, nnz = (sum(part[n] for part in parts) for n in range(3))
    return ModelSize(rows, cols, nnz, solver_bytes(rows, cols, nnz, instances(opts)))


def _flows(p: Problem, actuals: Actuals | None) -> tuple[int, int, int]:
    """(rows, cols, nnz) of the hub, depot, demand and package part (h, z, s, u, v)."""
    active = item_active(p)
    n_a, n_k, n_t = int(active.sum()), len(p.depots), p.n_days
    n_z = n_a * int((p.arrival_step(p.transit_days) >= 0).sum())
    n_s, n_h = n_a * n_k * n_t, n_a * n_t
    n_u = int((p.need > 0).sum())
    held = np.zeros(len(p.families), dtype=bool)
    held[p.item_family[active]] = True
    demand_rows = int(((p.need > 0) | held[:, None, None]).sum())
    inside = (p.package_day >= 0) & (p.package_day < n_t)
    v_mask = (p.package_first_load > 0) & inside[:, None]
    per_family = np.bincount(p.item_family[active], minlength=len(p.families))
    n_v = int(v_mask.sum())
    cols = n_h + n_z + n_s + n_u + n_v
    rows = n_h + n_t + n_s + demand_rows + n_k * n_t + n_v
    # z: hub balance, throughput, depot balance, demand; s: its own and the next day's depot
    # balance and demand rows, capacity; h: its own and the next day's hub balance
    nnz = (4 * n_z + 5 * n_s - 2 * n_a * n_k + 2 * n_h - n_a + n_u + n_v
           + int((v_mask * per_family[None, :]).sum()) * n_k)
    if actuals is not None:  # lost and found enter a depot balance and a demand row each
        cols, nnz = cols + 2 * n_a * n_k, nnz + 4 * n_a * n_k
        if not p.simple_network:
            past_rows, past_nnz = _past_moves(p, active, actuals.from_day)
            rows, nnz = rows + past_rows, nnz + past_nnz
    return rows, cols, nnz


def _past_moves(p: Problem, active: Bool, from_day: int) -> tuple[int, int]:
    """Rows and non-zeros of `constraints.past_moves` (a re-plan over a network): one row per
    item held, depot and day before ``from_day`` that a move from a hub reaches, holding each
    such move."""
    moves = ((p.arrival_step(p.route_transit_days) >= 0) & p.route_open
             & (p.route_from_hub >= 0)[:, None])[:, :from_day]  # [a, t]
    reached = np.zeros((len(p.depots), moves.shape[1]), dtype=bool)
    np.logical_or.at(reached, p.route_depot, moves)
    n_a = int(active.sum())
    return n_a * int(reached.sum()), n_a * int(moves.sum())


def _donor_rows(p: Problem, opts: PlanOptions, x: Bool) -> tuple[int, int, int]:
    """(rows, cols, nnz) of the dispatch part: x, g, pledges, smoothness, fairness, tranches."""
    per_dt = x.sum(axis=1)  # [d, t] x columns of a donor on a day
    n_x = int(per_dt.sum())
    grow = grows(p, x)
    n_g = int(x[grow].sum())
    n_flat = int((x.any(axis=2) & ~grow).sum())
    arrives = p.arrival_step(p.lead_days) >= 0  # [d, t]
    pairs = smoothness_pairs(p, per_dt > 0)
    prev = previous_on(p.tranche_day)
    x_prev = np.where(prev >= 0, np.take_along_axis(per_dt, np.maximum(prev, 0), axis=1), 0)
    n_up = int(pairs.sum())
    pledge_rows, pledge_nnz = _pledges(p, x)
    cols = n_x + n_g + 2 * n_up
    rows = n_g + n_flat + pledge_rows + n_up
    # x: its donor row (availability or stock), the hub balance it arrives in, smoothness
    nnz = (3 * n_g - int(grow.sum()) + (n_x - n_g) + int(per_dt[arrives].sum()) + pledge_nnz
           + int(per_dt[pairs].sum() + x_prev[pairs].sum()) + 2 * n_up)
    fair = fair_donors(p, opts)
    if fair.any():
        n_fair = int(fair.sum())
        cols, rows = cols + 3 * n_fair + 1, rows + 3 * n_fair + 1
        nnz += int(per_dt[fair].sum()) + n_x + 7 * n_fair + 1
    if opts.integer:
        on_off = (p.min_tranche_t > 0) | (p.tranche_fixed_cost > 0)  # as `variables`
        y = (per_dt > 0) & on_off[:, None]
        cols, rows = cols + int(y.sum()), rows + 2 * int(y.sum())
        # x in both rows; y in the maximum row, and in the minimum row where there is one
        nnz += (2 * int(per_dt[y].sum()) + int(y.sum())
                + int((y & (p.min_tranche_t[:, None] > 0)).sum()))
    return rows, cols, nnz


def _buffers(p: Problem, buffers: Buffers) -> tuple[int, int, int]:
    """(rows, cols, nnz) of the buffer rows: a deficit column and the family's stock each."""
    per_family = np.bincount(p.item_family[item_active(p)], minlength=len(p.families))
    rows = nnz = 0
    for mask in (buffers.mask, buffers.hub_mask):
        if mask is not None:
            n = int(mask.sum())
            rows += n
            nnz += n + int((mask.reshape(len(p.families), -1).sum(axis=1) * per_family).sum())
    return rows, rows, nnz


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


