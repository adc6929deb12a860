"""The (s,S) policy: order only when the inventory position falls to s, then up to S.

Spec ``sS:LOW:HIGH`` (units per family and depot) or ``sS:Nd:Md`` (days of need beyond the lead
time, as ``order-up-to:Nd``); see `resupply.simulation.policy_spec.MinMaxSpec`.
"""

from __future__ import annotations

import numpy as np

from resupply.compile.problem import F64
from resupply.simulation.policies import (
    TINY,
    allocate_to_targets,
    greedy_dispatch,
    supply_lead,
    window_table,
)
from resupply.simulation.policy_spec import MinMaxSpec
from resupply.simulation.view import DayView


class MinMaxPolicy:
    """(s,S): each day, a family whose inventory position (depots + in transit + hub + in
    flight - backorders, `DayView.family_position`) is at or below s orders up to S; above s
    it orders nothing. s and S are per family and depot (summed over depots for the order),
    in units or, with ``days``, the expected need of the lead time plus that many days (as
    `OrderUpToPolicy`). Stock leaves the hub only up to S at each depot.

    With a fixed cost per order K (`Problem.tranche_fixed_cost`, counted per donor tranche
    in the metrics), holding cost h and shortage cost p, this is the periodic-review (s,S)
    policy of inventory theory (Scarf 1960; Zipkin, *Foundations of Inventory Management*,
    2000, ch. 6 and 9; Axsaeter, *Inventory Control*, 3rd ed., ch. 6), whose long-run cost
    per period is that of the Markov chain of the inventory position on {s+1, .., S}:
    tests/simulation/test_min_max.py solves that chain and checks the engine against it.
    """

    def __init__(self, low: float, high: float, days: bool = False) -> None:
        self.spec = MinMaxSpec(low, high, days)

    @property
    def name(self) -> str:
        return str(self.spec)

    def _levels(self, view: DayView) -> tuple[F64, F64]:
        """[k, f] reorder points s and levels S. [units]"""
        p = view.problem
        if self.spec.days:
            lead = supply_lead(p)
            return (window_table(p, lead + self.spec.low)[view.t],
                    window_table(p, lead + self.spec.high)[view.t])
        shape = (len(p.depots), len(p.families))
        return np.full(shape, self.spec.low), np.full(shape, self.spec.high)

    def dispatch(self, view: DayView) -> F64:
        low, high = self._levels(view)
        position = view.family_position()  # [r, f]
        reorder = low.sum(axis=0)[None]
        due = position <= reorder + TINY * (1.0 + np.abs(reorder))
        order = np.where(due, np.maximum(high.sum(axis=0)[None] - position, 0.0), 0.0)
        return greedy_dispatch(view, order)

    def allocate(self, view: DayView) -> F64:
        return allocate_to_targets(view, self._levels(view)[1], False)
