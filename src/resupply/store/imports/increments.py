"""Stated totals -> ledger events: how a re-published source updates the ledger without doubling.

The Kiel tracker republishes every sub-activity in each release with its totals to date
(pledged units, delivered units). Recording those as increments would count a delivery
again in every release. Drafts marked `target` carry such a total; `settle` compares it with
what the ledger already holds for the pledge (its stored events, then earlier rows of the
same file) and emits the event that moves the pledge there:

- announced/committed: the stated quantity itself (these kinds restate the pledge), unless
  the pledge already says so (and is not being promoted from announced to committed);
- amended (a negative total: a correction): ``target - pledged`` as a signed amendment;
- delivered: ``target - delivered`` (negative when a release revises deliveries down).

Nothing is emitted when the ledger already agrees. The key of an emitted event names the
transition (``...:delivered:7->9``), so a second import of the same release finds every key
(or nothing to do), and a later release that returns to an earlier figure is still recorded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from resupply.store.base import Store
from resupply.store.events import Event, EventKind, derive_rows

TOLERANCE = 1e-9
"""Differences smaller than this are no change. [units]"""


@dataclasses.dataclass(slots=True)
class _Now:
    pledged: float = 0.0
    delivered: float = 0.0
    committed: bool = False


def settle(events: list[Event], targets: Collection[str], store: Store) -> tuple[list[Event], int]:
    """`events` with the target ones (source key in `targets`) turned into increments.

    Returns the events to append and how many target events were dropped as already true.
    """
    ids = {e.pledge_id for e in events if e.source_key in targets}
    if not ids:
        return events, 0
    states = derive_rows(store.ledger_rows(pledge_ids=ids))
    now = {pid: _Now(s.pledged, s.delivered, s.status != "announced")
           for pid, s in states.items()}
    kept: list[Event] = []
    for event in events:
        if event.source_key not in targets:
            kept.append(event)
            continue
        settled = _settle(event, now.setdefault(event.pledge_id, _Now()))
        if settled is not None:
            kept.append(settled)
    return kept, len(events) - len(kept)


def _settle(event: Event, now: _Now) -> Event | None:
    target = event.quantity
    if event.kind is EventKind.DELIVERED:
        before, now.delivered = now.delivered, target
        quantity = target - before
    elif event.kind is EventKind.AMENDED:
        before, now.pledged = now.pledged, target
        quantity = target - before
    else:
        promoted = event.kind is EventKind.COMMITTED and not now.committed
        before, now.pledged = now.pledged, target
        now.committed = now.committed or event.kind is EventKind.COMMITTED
        if abs(target - before) < TOLERANCE and not promoted:
            return None
        return _moved(event, target, before)
    if abs(quantity) < TOLERANCE:
        return None
    return _moved(event, quantity, before)


def _moved(event: Event, quantity: float, before: float) -> Event:
    """`event` with `quantity` and a key naming the move (explicit: `replace` is slow)."""
    return Event(event.pledge_id, event.kind, event.donor, event.item, quantity, event.date,
                 event.recorded_by, event.source, event.due, event.note,
                 f"{event.source_key}:{before:g}->{event.quantity:g}")
