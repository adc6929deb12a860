"""Random draws for one chunk of runs, one generator per block of runs.

A chunk holds whole blocks; every draw is made block by block with that block's own
`numpy.random.Generator` (PCG64, seeded by a child of the root `SeedSequence`), and every
decision whether to draw depends only on the block's own runs. So a run's numbers depend on
its block and the seed, never on how blocks are grouped into chunks or spread over workers.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from resupply.compile.problem import F64, I64, Bool
from resupply.simulation.options import DemandModel

DELAY_CAP_MEANS = 10.0
"""Delays and slips are capped at this many times their mean (P(beyond) ~ e^-10). [1]"""


def lognormal(gen: np.random.Generator, mean: F64, cv: float) -> F64:
    """Lognormal draws with mean exactly ``mean`` and standard deviation ``cv x mean``. [units]

    ``X = mean exp(sigma Z - sigma^2 / 2)``, Z standard normal, ``sigma^2 = ln(1 + cv^2)``:
    then ``E[X] = mean`` and ``Var[X] = mean^2 (exp(sigma^2) - 1) = (cv mean)^2`` (the
    lognormal moments, e.g. Johnson, Kotz and Balakrishnan, *Continuous Univariate
    Distributions* vol. 1, ch. 14). A zero mean gives zero, with no logarithm of 0.
    """
    sigma2 = math.log1p(cv * cv)
    drawn: F64 = mean * np.exp(math.sqrt(sigma2) * gen.standard_normal(mean.shape) - sigma2 / 2)
    return drawn


def block_generators(seed: int, n_blocks: int, first: int = 0) -> list[np.random.Generator]:
    """Generators of blocks ``first .. first + n_blocks - 1`` under root ``seed``."""
    children = np.random.SeedSequence(seed).spawn(first + n_blocks)[first:]
    return [np.random.Generator(np.random.PCG64(child)) for child in children]


class ChunkDraws:
    """Draws for the runs of one chunk, ``sizes[b]`` runs for block ``b`` in order."""

    def __init__(self, generators: list[np.random.Generator], sizes: list[int],
                 demand: DemandModel, dispersion: float, scenario_cv: float = math.nan) -> None:
        self.gens = generators
        bounds = np.cumsum([0, *sizes])
        self.slices = [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
        self.runs = int(bounds[-1])
        self.demand = demand
        self.dispersion = dispersion
        self.lognormal_cv = demand.cv if demand.kind == "lognormal" else (
            scenario_cv if demand.kind == "scenario" else math.nan)
        """cv of lognormal consumption (NaN: another model): the ``lognormal`` model's, or the
        scenario's under ``scenario`` (`Problem.demand_cv`). [1]"""

    def consumption(self, mean: F64) -> F64:
        """Units consumed, drawn around ``mean`` (leading axis: runs). [units]"""
        kind = self.demand.kind
        if kind == "fixed":
            return mean.copy()
        out = np.empty_like(mean)
        for gen, sl in zip(self.gens, self.slices, strict=True):
            out[sl] = self._consumption_block(gen, mean[sl])
        return out

    def _consumption_block(self, gen: np.random.Generator, mean: F64) -> F64:
        kind = self.demand.kind
        if kind == "normal":
            drawn: F64 = mean * (1.0 + self.demand.cv * gen.standard_normal(mean.shape))
            return np.maximum(drawn, 0.0)
        if math.isfinite(self.lognormal_cv):
            return lognormal(gen, mean, self.lognormal_cv)
        if kind == "scenario" and np.isfinite(self.dispersion):
            shape = self.dispersion
            mean = gen.standard_gamma(shape, mean.shape) * (mean / shape)
        return gen.poisson(mean).astype(np.float64)

    def uniform(self, shape: tuple[int, ...]) -> F64:
        """Uniform [0, 1) numbers of shape ``(runs, *shape)``."""
        out = np.empty((self.runs, *shape))
        for gen, sl in zip(self.gens, self.slices, strict=True):
            out[sl] = gen.random((sl.stop - sl.start, *shape))
        return out

    def strike_fraction(self, hit: Bool, mean: F64, concentration: float) -> F64:
        """[r, k] fraction of depot stock destroyed: Beta(m c, (1 - m) c) where hit, else 0."""
        out = np.zeros(hit.shape)
        a, b = mean * concentration, (1.0 - mean) * concentration
        degenerate = (mean <= 0.0) | (mean >= 1.0)
        for gen, sl in zip(self.gens, self.slices, strict=True):
            runs, depots = np.nonzero(hit[sl])
            if len(runs) == 0:
                continue
            safe_a = np.where(degenerate[depots], 1.0, a[depots])
            safe_b = np.where(degenerate[depots], 1.0, b[depots])
            drawn = gen.beta(safe_a, safe_b)
            out[sl][runs, depots] = np.where(degenerate[depots], mean[depots], drawn)
        return out

    def lag_days(self, mean: F64, active: Bool) -> I64:
        """[r, n] geometric whole days with mean ``mean[n]`` (0 where the mean is 0), capped.

        Drawn, for each block, only for the columns ``active[r, n]`` holds somewhere in the block.
        """
        out = np.zeros(active.shape, dtype=np.int64)
        cap = np.ceil(DELAY_CAP_MEANS * mean).astype(np.int64)
        for gen, sl in zip(self.gens, self.slices, strict=True):
            cols = np.nonzero(active[sl].any(axis=0) & (mean > 0))[0]
            if len(cols) == 0:
                continue
            p = 1.0 / (1.0 + mean[cols])
            drawn = gen.geometric(p, (sl.stop - sl.start, len(cols))) - 1
            out[sl, cols] = np.minimum(drawn, cap[cols])
        return out
