"""Reconciliation: pledged against delivered, per donor and family (or item), from pledge states.

Pure functions over `PledgeState` (no database). Quantities are in the item's units, so a
family total adds only units of one family; per-item grouping is used when no scenario says
which family an item belongs to.

Figures of a group, summed over its pledges:

- ``pledged``: the pledged quantity, less the cancelled remainder of cancelled pledges
  (a cancelled pledge counts for what it delivered);
- ``delivered``; ``outstanding`` (see `PledgeState.outstanding`);
- ``late``: outstanding units of pledges whose promised date is before `as_of`;
- ``cancelled``: units cancelled (pledged minus delivered at cancellation, when positive);
- ``rate``: delivered / pledged, None when nothing positive was pledged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from resupply.store.events import PledgeState

UNMAPPED = "(no family)"
"""Family shown for ledger items that the scenario does not list."""


@dataclass(frozen=True, slots=True)
class StatusRow:
    """Reconciliation figures of one donor and family (or item). [units of the family]"""

    donor: str
    group: str
    pledges: int
    pledged: float
    delivered: float
    outstanding: float
    late: float
    cancelled: float

    @property
    def rate(self) -> float | None:
        """Share of the pledged quantity delivered. [1]"""
        return self.delivered / self.pledged if self.pledged > 0 else None

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON output."""
        return {"donor": self.donor, "group": self.group, "pledges": self.pledges,
                "pledged": self.pledged, "delivered": self.delivered,
                "outstanding": self.outstanding, "late": self.late,
                "cancelled": self.cancelled, "rate": self.rate}


def group_of(item: str, family_of: Mapping[str, str] | None) -> str:
    """The family of `item` under `family_of`, or the item itself when no mapping is given."""
    if family_of is None:
        return item
    return family_of.get(item, f"{UNMAPPED} {item}")


def reconcile(
    states: Iterable[PledgeState],
    as_of: dt.date,
    family_of: Mapping[str, str] | None = None,
) -> list[StatusRow]:
    """Status per (donor, family) — or per (donor, item) without `family_of` — sorted by both."""
    sums: dict[tuple[str, str], list[float]] = {}
    for state in states:
        key = (state.donor, group_of(state.item, family_of))
        acc = sums.setdefault(key, [0.0] * 6)
        cancelled = max(state.pledged - state.delivered, 0.0) if state.cancelled else 0.0
        outstanding = state.outstanding
        acc[0] += 1
        acc[1] += state.pledged - cancelled
        acc[2] += state.delivered
        acc[3] += outstanding
        acc[4] += outstanding if state.late(as_of) else 0.0
        acc[5] += cancelled
    return [StatusRow(donor, group, int(a[0]), a[1], a[2], a[3], a[4], a[5])
            for (donor, group), a in sorted(sums.items())]


def regroup(rows: Iterable[StatusRow], family_of: Mapping[str, str] | None) -> list[StatusRow]:
    """Per-(donor, item) rows summed per (donor, family); unchanged without `family_of`."""
    rows = list(rows)
    if family_of is None:
        return rows
    groups: dict[tuple[str, str], list[StatusRow]] = {}
    for row in rows:
        groups.setdefault((row.donor, group_of(row.group, family_of)), []).append(row)
    return [_named(total(members), donor, group)
            for (donor, group), members in sorted(groups.items())]


def _named(row: StatusRow, donor: str, group: str) -> StatusRow:
    return StatusRow(donor, group, row.pledges, row.pledged, row.delivered, row.outstanding,
                     row.late, row.cancelled)


def total(rows: Iterable[StatusRow], label: str = "total") -> StatusRow:
    """The sum of `rows` (meaningful only when they share a unit, e.g. one family)."""
    acc = [0.0] * 6
    for row in rows:
        for n, value in enumerate((row.pledges, row.pledged, row.delivered, row.outstanding,
                                   row.late, row.cancelled)):
            acc[n] += value
    return StatusRow(label, "", int(acc[0]), acc[1], acc[2], acc[3], acc[4], acc[5])
