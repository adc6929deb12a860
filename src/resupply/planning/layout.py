"""Where every variable and row of the LP lives: blocks of columns and families of rows.

Index rules
-----------
A variable block (``x``, ``z``, ``s``...) has named axes in the `Problem` order (d, i, f, k, t)
and a full-shape ``index`` array of ``int64``: the column of each entry, or ``-1`` where the
entry is not created at all (a dispatch on a day that is not a tranche day, an item nobody
holds). Blocks are numbered contiguously in the order they are added.

A row family (``depot_balance``) has named axes and a full-shape ``index`` array that maps each
entry to its row or ``-1``. Rows are added as sums of *terms*: a term is three broadcastable
arrays (row entry as a flat position in the family's full shape, column, coefficient); terms
whose column is ``-1`` or whose row entry is absent are dropped. So a constraint family is
written once over whole arrays, and a row's stable name (``depot_balance[of540,near,2022-06-03]``)
is recovered on demand from its position.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from resupply.compile.problem import F64, I64, Bool, Problem

Term = tuple[I64 | int, I64 | int, F64 | float]
"""(row entry, column, coefficient) arrays that broadcast together; see the module docstring."""

AXIS_LABELS = {"d": "donors", "i": "items", "f": "families", "k": "depots", "t": "dates",
               "q": "package", "j": "tranche", "n": "hubs", "b": "supply_ids", "a": "route_ids"}
"""Axis letter -> the `Problem` label attribute that names its entries."""
FAMILY_LABELS = {("pledge", "q"): "pledge_ids"}
"""(row family, axis) -> the `Problem` labels of an axis whose entries depend on the family
(``q`` counts pledges in the pledge rows): an infeasibility names ``pledge[west-1]``."""


@dataclass(frozen=True)
class Block:
    """A block of variables: full-shape ``index`` (column or -1) over named ``axes``."""

    name: str
    axes: str
    index: I64
    start: int
    stop: int

    def values(self, solution: F64, absent: float = 0.0) -> F64:
        """The block's values in its full shape; ``absent`` where no variable exists."""
        return gather(solution, self.index, absent)


@dataclass(frozen=True)
class Constraint:
    """A constraint family as a value, declared beside the function that adds its rows
    (`resupply.planning.constraints`), so that whatever names it (an explanation, the cost of
    fairness) holds the value, not a copy of its name."""

    name: str
    """Stable row name (``depot_balance[item,depot,day]``)."""
    words: str
    """What a violation means, in words (infeasibility explanations)."""
    balance: bool = False
    """A conservation law or definition: the elastic re-solve relaxes it only at a high cost,
    so that it blames a limit a user can change."""
    soft: bool = False
    """Rows that may be relaxed (fairness bands, packages) when explaining infeasibility."""

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class RowFamily:
    """A family of rows: full-shape ``index`` (row or -1) over named ``axes``."""

    kind: Constraint
    axes: str
    index: I64
    start: int
    stop: int

    @property
    def name(self) -> str:
        """The family's row name."""
        return self.kind.name

    @property
    def soft(self) -> bool:
        """True for rows that may be relaxed when explaining infeasibility."""
        return self.kind.soft


@dataclass
class Layout:
    """Mutable while the model is built; `freeze` turns it into arrays for the solver."""

    blocks: dict[str, Block] = field(default_factory=dict)
    families: dict[str, RowFamily] = field(default_factory=dict)
    cost: list[F64] = field(default_factory=list)
    lower: list[F64] = field(default_factory=list)
    upper: list[F64] = field(default_factory=list)
    term_of_col: list[NDArray[np.str_]] = field(default_factory=list)
    row_lower: list[F64] = field(default_factory=list)
    row_upper: list[F64] = field(default_factory=list)
    triplets: list[tuple[I64, I64, F64]] = field(default_factory=list)
    extra_costs: list[tuple[str, I64, F64]] = field(default_factory=list)
    """Second objective terms on columns that already carry one: (term, columns, cost)."""
    n_cols: int = 0
    n_rows: int = 0

    def add_vars(self, name: str, axes: str, mask: Bool, *, cost: F64 | float = 0.0,
                 upper: F64 | float = np.inf, term: str = "") -> Block:
        """Create one column per True entry of ``mask``; ``cost`` and ``upper`` broadcast."""
        index = np.full(mask.shape, -1, dtype=np.int64)
        count = int(mask.sum())
        index[mask] = np.arange(self.n_cols, self.n_cols + count)
        block = Block(name, axes, index, self.n_cols, self.n_cols + count)
        self.blocks[name] = block
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=float), mask.shape)[mask])
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), mask.shape)[mask])
        self.lower.append(np.zeros(count))
        self.term_of_col.append(np.full(count, term or name))
        self.n_cols += count
        return block

    def add_cost(self, index: I64, cost: F64 | float, term: str) -> None:
        """Add ``cost`` (broadcast to ``index``'s shape) to the columns of ``index`` as an
        objective term of its own (holding on stock that also risks strikes): the cost vector
        sums them, the term report keeps them apart."""
        coef = np.broadcast_to(np.asarray(cost, dtype=float), index.shape)
        keep = (index >= 0) & (coef != 0)
        if keep.any():
            self.extra_costs.append((term, index[keep].astype(np.int64), coef[keep].copy()))

    def add_rows(self, kind: Constraint, axes: str, mask: Bool, *, lower: F64 | float,
                 upper: F64 | float, terms: list[Term]) -> RowFamily:
        """Create one row per True entry of ``mask`` with bounds and the given terms.

        Each term is ``(row_entry, column, coefficient)``: ``row_entry`` is the flat position
        in ``mask``'s shape; the three arrays broadcast together.
        """
        index = np.full(mask.shape, -1, dtype=np.int64)
        count = int(mask.sum())
        index[mask] = np.arange(self.n_rows, self.n_rows + count)
        family = RowFamily(kind, axes, index, self.n_rows, self.n_rows + count)
        self.families[kind.name] = family
        self.row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), mask.shape)[mask])
        self.row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), mask.shape)[mask])
        flat_index = index.ravel()
        for entry, col, coef in terms:
            e, c, v = (np.ravel(a) for a in np.broadcast_arrays(entry, col, coef))
            row = flat_index[e]
            keep = (row >= 0) & (c >= 0) & (v != 0)
            self.triplets.append((row[keep], c[keep].astype(np.int64), v[keep].astype(float)))
        self.n_rows += count
        return family

    def matrix(self) -> sp.csc_matrix:
        """The constraint matrix in CSC form (duplicates summed)."""
        if self.triplets:
            rows = np.concatenate([t[0] for t in self.triplets])
            cols = np.concatenate([t[1] for t in self.triplets])
            vals = np.concatenate([t[2] for t in self.triplets])
        else:
            rows = cols = np.zeros(0, dtype=np.int64)
            vals = np.zeros(0)
        coo = sp.coo_matrix((vals, (rows, cols)), shape=(self.n_rows, self.n_cols))
        return coo.tocsc()


def gather(solution: F64, index: I64, absent: float = 0.0) -> F64:
    """``solution`` read at the columns of ``index`` (any shape); ``absent`` where it is -1."""
    out = np.full(index.shape, absent)
    present = index >= 0
    out[present] = solution[index[present]]
    return out


def entries(shape: tuple[int, ...]) -> I64:
    """Flat positions of a full-shape array: ``entries(s)[a, b, c]`` is the flat index."""
    return np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)


def shifted(index: I64, shift: I64 | int, axis: int = -1) -> I64:
    """``index`` read ``shift`` steps back along ``axis`` (``out[..t..] = index[..t-shift..]``).

    ``shift`` broadcasts against ``index`` (e.g. a per-depot transit time); positions that fall
    before the start of the axis are ``-1``.
    """
    n = index.shape[axis]
    t = np.arange(n).reshape([-1 if a == axis % index.ndim else 1 for a in range(index.ndim)])
    source = t - np.asarray(shift)
    valid = source >= 0
    source = np.clip(source, 0, n - 1)
    source = np.broadcast_to(source, np.broadcast_shapes(source.shape, index.shape))
    out: I64 = np.where(valid, np.take_along_axis(index, source, axis=axis), -1)
    return out


def arrival_terms(rows: I64, cols: I64, target: I64) -> tuple[I64, I64]:
    """Terms that put each column into the row of the step it arrives in.

    ``cols`` [..., t] are sent in step t and arrive in step ``target`` [..., t] (-1: after
    the horizon); ``rows`` [..., t] are a row family's entries. All three broadcast together.
    Returns (row entry, column) arrays of the broadcast shape; columns that never arrive are
    -1 (dropped). Several steps may arrive in one (a daily step into a weekly one).
    """
    shape = np.broadcast_shapes(rows.shape, cols.shape, target.shape)
    where = np.broadcast_to(target, shape)
    row: I64 = np.take_along_axis(np.broadcast_to(rows, shape), np.maximum(where, 0), axis=-1)
    col: I64 = np.where(where >= 0, np.broadcast_to(cols, shape), -1)
    return row, col


def arrived(values: F64, target: I64) -> F64:
    """[..., t] what arrives in each step, from ``values`` [..., t] sent in step t that arrive
    in step ``target`` (broadcastable; -1: after the horizon)."""
    where = np.broadcast_to(target, values.shape)
    out = np.zeros(values.shape)
    lead = np.indices(values.shape)[:-1]
    ok = where >= 0
    np.add.at(out, (*(a[ok] for a in lead), where[ok]), values[ok])
    return out


def entry_name(problem: Problem, family: str, axes: str, position: tuple[int, ...]) -> str:
    """Stable name of one entry, e.g. ``depot_balance[of540,near,2022-06-03]``."""
    parts = []
    for axis, n in zip(axes, position, strict=True):
        own = FAMILY_LABELS.get((family, axis))
        labels = getattr(problem, own or AXIS_LABELS[axis], None) if (
            own or axis in "difktnba") else None
        if axis == "t":
            parts.append(str(problem.dates[n]))
        elif labels is not None:
            parts.append(str(labels[n]))
        else:
            parts.append(str(n))
    return f"{family}[{','.join(parts)}]"
