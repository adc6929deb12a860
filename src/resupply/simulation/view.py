"""What a policy sees each day: a read-only snapshot of one chunk's state.

Layouts (leading axis r = the chunk's runs; letters as in `resupply.compile.problem`):
depot arrays are ``[r, k, i]``, family arrays at depots ``[r, k, f]``, donor arrays
``[r, d, i]``, hub arrays ``[r, i]``. All quantities are in units of the item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from resupply.compile.problem import F64, I64, Problem
from resupply.simulation.constants import contract, family_matrix


def frozen(array: F64) -> F64:
    """A read-only view of ``array`` (policies must not write into the state)."""
    view = array.view()
    view.flags.writeable = False
    return view


@dataclass(frozen=True)
class DayView:
    """The state a policy decides on, on day ``t``.

    `dispatch` is asked at the start of the day (before arrivals); `allocate` after the day's
    arrivals at the hub, before anything moves on.
    """

    problem: Problem
    t: int
    """Day of the horizon (0 = start). [day]"""
    run_ids: I64
    """[r] global index of each run (stable across chunking)."""
    stock: F64
    """[r, k, i] on hand at depots. [units]"""
    backorder: F64
    """[r, k, f] demand owed (backorder mode only; else zeros). [units]"""
    hub: F64
    """[r, i] on hand at the hub. [units]"""
    to_hub: F64
    """[r, i] dispatched by donors, not yet at the hub. [units]"""
    to_depot: F64
    """[r, k, i] moved from the hub, not yet at the depot. [units]"""
    dispatched: F64
    """[r, d, i] cumulative dispatch so far. [units]"""
    moved: F64
    """[r, k, i] cumulative moves from the hub so far. [units]"""
    available_source: Callable[[], F64] = field(repr=False, compare=False)
    """Computes `available` (only when a policy reads it: it is costly)."""

    @cached_property
    def available(self) -> F64:
        """[r, d, i] what each donor may dispatch today (released, stock and production so
        far, less what it has dispatched). [units]"""
        return frozen(self.available_source())

    @property
    def runs(self) -> int:
        """Runs in the chunk."""
        return len(self.run_ids)

    def family_sum(self, per_item: F64) -> F64:
        """Sum a ``[..., i]`` array by family: ``[..., f]``."""
        return contract(per_item, family_matrix(self.problem))

    def family_position(self) -> F64:
        """[r, f] inventory position of each family: depots + in transit + hub + in flight to
        the hub - backorders. [units]"""
        at_depots = self.family_sum(self.stock + self.to_depot).sum(axis=1)
        upstream = self.family_sum(self.hub + self.to_hub)
        position: F64 = at_depots + upstream - self.backorder.sum(axis=1)
        return position

    def depot_position(self) -> F64:
        """[r, k, f] position of each family at each depot: on hand + in transit to it -
        backorders. [units]"""
        position: F64 = self.family_sum(self.stock + self.to_depot) - self.backorder
        return position
