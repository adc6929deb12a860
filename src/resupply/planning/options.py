"""Settings of one planning run, and the actual state a rolling re-plan starts from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from resupply.compile.problem import F64, Bool
from resupply.errors import PlanningError

Method = Literal["race", "simplex", "ipm", "choose"]


@dataclass(frozen=True)
class PlanOptions:
    """How to plan. Every field has a default that gives the LP of DESIGN.md."""

    integer: bool = False
    """Add minimum tranche sizes (binary on/off) and whole units: a MILP."""
    time_limit: float = 600.0
    """Wall-clock limit of building and solving the model, enforced from outside HiGHS as
    well. [s]"""
    fairness: bool = True
    """Include the burden-sharing bands (when any donor has a fair share)."""
    cost_of_fairness: bool = True
    """Re-solve without bands to report the cost of fairness (a warm-started second solve)."""
    mip_gap: float = 1e-4
    """Relative MIP gap at which the MILP stops. [1]"""
    method: Method = "race"
    """HiGHS LP method: ``race`` runs dual simplex and interior point side by side and keeps
    the first to finish; see docs/performance.md for the measurements behind the default."""
    threads: int = 0
    """HiGHS threads (0: HiGHS decides)."""
    daily_days: int | None = None
    """Multi-resolution time: plan the first ``daily_days`` days day by day and the rest in
    steps of ``step_days`` (`resupply.compile.coarsen`); None plans every day. [days]"""
    step_days: int = 7
    """Length of the later steps of a multi-resolution plan. [days]"""
    explain: bool = True
    """Explain shortfalls, and run an elastic re-solve when the model is infeasible."""
    memory_budget: float | None = None
    """Peak memory the model may take, estimated before it is built
    (`resupply.planning.size`); None: 80 % of the memory available at the start. A resource
    limit, not a planning choice: not written to plan.json. [bytes]"""

    def __post_init__(self) -> None:
        if self.method not in {"race", "simplex", "ipm", "choose"}:
            raise PlanningError(
                f"method must be race, simplex, ipm or choose, not {self.method!r}")
        if not self.time_limit > 0:
            raise PlanningError(f"time_limit must be > 0 seconds, not {self.time_limit}")
        if self.daily_days is not None and not (self.daily_days >= 1 and self.step_days >= 1):
            raise PlanningError("daily_days and step_days must be at least 1 day, not "
                                f"{self.daily_days} and {self.step_days}")
        if self.memory_budget is not None and not 0 < self.memory_budget < float("inf"):
            raise PlanningError(
                f"memory_budget must be a positive number of bytes, not {self.memory_budget}")
        if not 0 <= self.mip_gap < 1:
            raise PlanningError(f"mip_gap must be in [0, 1), not {self.mip_gap}")

    def as_dict(self) -> dict[str, object]:
        """Plain values for plan.json."""
        return {"integer": self.integer, "time_limit": self.time_limit,
                "fairness": self.fairness, "cost_of_fairness": self.cost_of_fairness,
                "mip_gap": self.mip_gap, "method": self.method, "threads": self.threads,
                "daily_days": self.daily_days, "step_days": self.step_days}


@dataclass(frozen=True, eq=False)
class Buffers:
    """Soft minimum stock per family, depot and day, held without taking supply from need.

    ``sum_{i in f} s[i,k,t] + w[f,k,t] >= level[f,k,t]`` on the cells of ``mask`` (and the same
    at the hub, ``sum_{i in f} h[i,t] + wh[f,t] >= hub_level[f,t]``); a deficit costs
    ``penalty[f]`` per unit and day. With ``shortfall_cap`` (a plan's own shortfall
    u*, the default in `resupply.workflow`) every shortfall is bounded by it,
    ``u[f,k,t] <= u*[f,k,t]``, so that the buffers are filled only from supply the need does
    not take: a buffered plan is never shorter than the plan without buffers, anywhere.
    The mask stays fixed while levels change, so re-plans keep the same model and start from
    the previous basis.
    """

    mask: Bool
    """[f, k, t] cells that have a buffer row."""
    level: F64
    """[f, k, t] minimum stock at the end of the day (0 where none). [units]"""
    penalty: F64
    """[f] cost of a unit of buffer missing for a day. [EUR/(unit day)]"""
    shortfall_cap: F64 | None = None
    """[f, k, t] upper bound of each shortfall; None leaves shortfall free. [units]"""
    hub_mask: Bool | None = None
    """[f, t] days with a reserve row at the hub (None: no hub reserve)."""
    hub_level: F64 | None = None
    """[f, t] minimum hub stock of each family at the end of the day: the reserve that
    refills depots after a strike or a late tranche. [units]"""

    def __post_init__(self) -> None:
        for level, mask in ((self.level, self.mask), (self.hub_level, self.hub_mask)):
            if (level is None) != (mask is None) or (
                    level is not None and mask is not None and level.shape != mask.shape):
                raise PlanningError("each buffer level needs a mask of its shape")
            if level is not None and not (np.all(np.isfinite(level)) and np.all(level >= 0)):
                raise PlanningError("buffer levels must be finite and non-negative")


@dataclass(frozen=True)
class Actuals:
    """What already happened before ``from_day``, for a rolling re-plan.

    Arrays follow the `Problem` index contract. Days before ``from_day`` are fixed to these
    actuals; ``depot_stock`` is the stock on hand at the end of day ``from_day - 1``; ``announced``
    holds tranches promised for the coming days (kept unchanged for ``freeze_days``).
    """

    from_day: int
    """First day that is re-planned (>= 1)."""
    depot_stock: F64
    """[i, k] stock on hand at the start of ``from_day``. [units]"""
    dispatched: F64
    """[d, i, t] units dispatched on each day before ``from_day``. [units]"""
    moves: F64
    """[i, k, t] units sent from the hub to each depot before ``from_day``. [units]"""
    announced: F64 | None = None
    """[d, i, t] tranches announced from ``from_day`` on (None: the previous plan's). [units]"""
