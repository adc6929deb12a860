"""Open pledges of the ledger as scenario `Pledge`s: what ``resupply plan --ledger`` will read.

The planner takes pledges in the scenario's vocabulary (`resupply.domain.schema.Pledge`); this
is the one conversion from ledger state to that shape. A pledge becomes a scenario pledge of
its outstanding quantity, due at its promised date, when it is open (not cancelled, units
still owed), names a donor and an item of the scenario (import with a mapping for that), and
has a promised date. Every other pledge is reported with the reason, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from resupply.domain.schema import Pledge, Scenario
from resupply.store.events import PledgeState

SCENARIO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


def open_pledges(
    states: Iterable[PledgeState],
    scenario: Scenario,
    binding: Literal["fixed", "minimum"] = "minimum",
) -> tuple[list[Pledge], list[str]]:
    """Scenario pledges for the open ledger pledges, and one line per pledge left out."""
    items = {i.id for i in scenario.items}
    donors = {d.id for d in scenario.donors}
    kept: list[Pledge] = []
    left_out: list[str] = []
    for s in states:
        reason = _reason(s, items, donors) or _outside(s, scenario)
        if reason:
            if s.outstanding > 0:
                left_out.append(f"{s.pledge_id}: {reason}")
            continue
        assert s.due is not None  # checked by _reason
        status = s.status if s.status in ("announced", "committed", "dispatched") else "committed"
        kept.append(Pledge(id=s.pledge_id, donor=s.donor, item=s.item, quantity=s.outstanding,
                           date=s.due, binding=binding, status=status))
    return kept, left_out


def _outside(s: PledgeState, scenario: Scenario) -> str:
    if s.due is not None and not scenario.start <= s.due <= scenario.end:
        return (f"promised date {s.due} is outside the scenario's horizon "
                f"({scenario.start} to {scenario.end})")
    return ""


def _reason(s: PledgeState, items: set[str], donors: set[str]) -> str:
    if s.cancelled or s.outstanding <= 0:
        return "closed"
    if s.item not in items:
        return f"item {s.item!r} is not in the scenario (import with --mapping)"
    if s.donor not in donors:
        return f"donor {s.donor!r} is not in the scenario"
    if s.due is None:
        return "no promised date (record one with --due)"
    if not SCENARIO_ID.match(s.pledge_id):
        return "pledge id is not a valid scenario id"
    return ""
