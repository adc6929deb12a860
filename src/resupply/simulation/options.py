"""Settings of one simulation: runs, seed, chunking, demand model and engine modes.

Everything that is not in the scenario but changes what the simulator draws or how it counts is
here, so a `SimOptions` plus a `Problem` plus a policy fully determine a result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, cast, get_args

from resupply.errors import SimulationError

DemandKind = Literal["scenario", "poisson", "normal", "lognormal", "fixed"]

DEMAND_KINDS = "scenario, poisson, normal, lognormal or fixed"
"""The demand model names, for messages."""
MAX_CV = 10.0
"""Largest coefficient of variation of the normal demand model [1]: beyond it the truncated
normal is all mass at zero and a few huge draws, and at 1e308 its variance overflows."""


def surge_factors(surge_prob: float, multiplier: float) -> tuple[float, float]:
    """(normal day, surge day) consumption multipliers whose mean is 1. [1]

    A surge day consumes ``multiplier`` times a normal day; both are scaled by
    ``1 / (1 + p (m - 1))`` so that the mean over days is the need: the need is the expected
    consumption, surges only spread it (the planner and the simulator agree on the mean).
    """
    uplift = 1.0 + surge_prob * (multiplier - 1.0)
    return 1.0 / uplift, multiplier / uplift


@dataclass(frozen=True)
class DemandModel:
    """How daily consumption is drawn around its mean (the need, times any surge).

    kind
        ``scenario``: the scenario's model: negative binomial with shape k
        (`Problem.demand_dispersion`, drawn as gamma-Poisson), Poisson when k is infinite, or
        lognormal with the scenario's cv (`Problem.demand_cv`). ``poisson``: Poisson.
        ``normal``: normal with standard deviation ``cv`` x mean, truncated at 0 (for
        inventory-theory calibration). ``lognormal``: lognormal with mean exactly the mean and
        standard deviation ``cv`` x mean (`resupply.simulation.draws.lognormal`). ``fixed``:
        exactly the mean (deterministic demand).
    cv
        Coefficient of variation of the ``normal`` and ``lognormal`` models: standard
        deviation / mean. [1]
    """

    kind: DemandKind = "scenario"
    cv: float = 0.0

    @classmethod
    def parse(cls, kind: str, cv: float = 0.0) -> DemandModel:
        """The model a name gives (``--demand``), refused with the valid names otherwise."""
        if kind not in get_args(DemandKind):
            raise SimulationError(f"unknown demand model {kind!r}; use {DEMAND_KINDS}")
        return cls(cast(DemandKind, kind), cv)

    def __post_init__(self) -> None:
        if self.kind not in get_args(DemandKind):
            raise SimulationError(f"unknown demand model {self.kind!r}; use {DEMAND_KINDS}")
        if not 0 <= self.cv <= MAX_CV:  # NaN fails here too
            raise SimulationError(f"cv must be a number in 0..{MAX_CV:g} (sd / mean), got "
                                  f"{self.cv}")
        if self.kind in ("normal", "lognormal") and self.cv == 0:
            raise SimulationError(f"the {self.kind} demand model needs cv > 0 (sd / mean)")


@dataclass(frozen=True)
class SimOptions:
    """Settings of a simulation.

    runs
        Monte Carlo runs. [runs]
    seed
        Root of the `numpy.random.SeedSequence`; one child per block of ``block_runs`` runs.
    block_runs
        Seeding unit: runs that share one generator. Results depend on it, never on
        ``chunk_runs`` or ``workers``. [runs]
    chunk_runs
        Runs simulated together (memory grows linearly with it); rounded up to a multiple of
        ``block_runs``. [runs]
    workers
        Processes; 1 runs in this process. Results do not depend on it.
    demand
        How consumption is drawn (`DemandModel`).
    strikes
        False switches depot strikes off (whatever the scenario says).
    expected_strikes
        Strikes at their expectation: every depot loses ``strike_prob x loss_fraction`` of the
        stock carried in, every day, with no draw (the planner's linear expectation; with
        fixed demand and no delays or surges a plan is then replayed exactly).
    delays
        False switches random tranche delays and release slips off.
    surges
        False switches intensity surges off.
    pauses
        False switches random donor pauses off (dated pauses are in the plan and always
        hold).
    backorders
        Inventory-theory mode: unmet demand is backordered and served first from later
        arrivals, instead of lost. Platforms do not idle in this mode.
    warmup_days
        Days excluded from the per-run totals (demand, fill rate, on-hand, backorders, cost),
        to measure a steady state. [days]
    record_stock
        Keep every run's depot stock of every day (`SimResult.stock`); small runs only.
    record_deficits
        Buffer sizing (`resupply.workflow.certify`): record each run's largest avoidable
        episode per family and depot (`Totals.deficit_peak`); off by default, as nothing else
        reads them and they cost a pass over the state every day.
    """

    runs: int = 1000
    seed: int = 0
    block_runs: int = 250
    chunk_runs: int = 1000
    workers: int = 1
    demand: DemandModel = field(default_factory=DemandModel)
    strikes: bool = True
    expected_strikes: bool = False
    delays: bool = True
    surges: bool = True
    pauses: bool = True
    backorders: bool = False
    warmup_days: int = 0
    record_stock: bool = False
    record_deficits: bool = False

    def __post_init__(self) -> None:
        for name in ("runs", "block_runs", "chunk_runs", "workers"):
            if getattr(self, name) < 1:
                raise SimulationError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.seed < 0:
            raise SimulationError(f"seed must be non-negative, got {self.seed}")
        if self.warmup_days < 0:
            raise SimulationError(f"warmup_days must be non-negative, got {self.warmup_days}")

    def check_horizon(self, n_days: int) -> None:
        """`SimulationError` unless the options fit a horizon of `n_days` days: the warm-up
        must leave at least one day to measure."""
        if self.warmup_days >= n_days:
            raise SimulationError(f"warmup_days must be in 0..{n_days - 1} (the horizon is "
                                  f"{n_days} days), got {self.warmup_days}")

    @classmethod
    def replay(cls, **kwargs: object) -> SimOptions:
        """Options of a deterministic replay: demand fixed at the need, strikes at their
        expectation, no delays, surges or random pauses (a plan's stock, consumption and
        shortfall are reproduced); ``kwargs`` set the other fields (those six are fixed)."""
        fixed = {"demand": DemandModel("fixed"), "strikes": True, "expected_strikes": True,
                 "delays": False, "surges": False, "pauses": False}
        return cls(**{**kwargs, **fixed})  # type: ignore[arg-type]

    @property
    def runs_per_chunk(self) -> int:
        """``chunk_runs`` rounded up to a whole number of blocks. [runs]"""
        blocks = -(-self.chunk_runs // self.block_runs)
        return blocks * self.block_runs
