"""Per-problem constants of the policies, computed once and reused every day.

A policy is asked twice a day for every chunk; what depends only on the problem (and the
policy's settings) is built here on first use and kept while the `Problem` lives (a weak
reference: a problem that is dropped takes its constants with it). Each constant is computed
by the same code as before, so the numbers are the same bit for bit.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np

from resupply.compile.problem import F64, I64, Problem

T = TypeVar("T")

_CACHE: weakref.WeakKeyDictionary[Problem, dict[Hashable, Any]] = weakref.WeakKeyDictionary()


def per_problem(problem: Problem, key: Hashable, build: Callable[[], T]) -> T:
    """``build()`` for ``problem`` and ``key``, computed once while the problem lives."""
    table = _CACHE.setdefault(problem, {})
    if key not in table:
        table[key] = build()
    value: T = table[key]
    return value


def family_matrix(problem: Problem) -> F64:
    """[i, f] one-hot matrix of each item's family (read-only)."""
    def build() -> F64:
        onehot: F64 = np.eye(len(problem.families))[problem.item_family]
        onehot.flags.writeable = False
        return onehot
    return per_problem(problem, "family_matrix", build)


def greedy_order(problem: Problem) -> tuple[I64, I64, I64, I64]:
    """(donor, item, family, start of the family's group) of every (donor, item) pair in the
    order `resupply.simulation.policies.greedy_dispatch` fills orders: by family, then
    shortest lead + mean delay, then donor and item in file order."""
    def build() -> tuple[I64, I64, I64, I64]:
        p = problem
        lead = (p.lead_days + p.delay_mean)[:, None] * np.ones(len(p.items))[None, :]
        d_idx, i_idx = np.indices(lead.shape)
        fam = p.item_family[i_idx]
        keys = np.lexsort((i_idx.ravel(), d_idx.ravel(), lead.ravel(), fam.ravel()))
        d_p, i_p, f_p = d_idx.ravel()[keys], i_idx.ravel()[keys], fam.ravel()[keys]
        first = np.searchsorted(f_p, f_p)  # position of each pair's family group start
        return d_p, i_p, f_p, first
    return per_problem(problem, "greedy_order", build)


def contract(x: F64, matrix: F64) -> F64:
    """``x @ matrix`` over the last axis of ``x``, each output element summed item by item in
    index order, whatever the number of runs in ``x``. A BLAS product rounds a row
    differently with the number of rows it takes, so a chunk of another size gave other last
    bits, a policy threshold then decided differently and the results depended on
    ``chunk_runs`` (ukraine-2022, ``sS:3d:12d``: every run, one run to a chunk against
    twelve). One pass per item (measured as fast as BLAS on ukraine's shapes: 18 items,
    11 families, 6,000 rows); a one-hot matrix (item to family) adds each item into its
    family's column without multiplying."""
    if matrix.ndim == 1:
        vector = np.zeros(x.shape[:-1])
        for i, weight in enumerate(matrix):
            if weight:
                vector += x[..., i] * weight
        return vector
    out = np.zeros((*x.shape[:-1], matrix.shape[1]))
    column = _one_hot_column(matrix)
    for i in range(matrix.shape[0]):
        if column is not None:
            out[..., column[i]] += x[..., i]
        elif matrix[i].any():
            out += x[..., i, None] * matrix[i]
    return out


def _one_hot_column(matrix: F64) -> I64 | None:
    """[i] the column of each row's single 1 in a 0/1 matrix; None for any other matrix."""
    if not (((matrix == 0) | (matrix == 1)).all() and (matrix.sum(axis=1) == 1).all()):
        return None
    column: I64 = np.argmax(matrix, axis=1)
    return column
