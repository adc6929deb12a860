"""The pledge ledger as pure data: events, and the state of a pledge derived from them.

No database here, so that the derivation can be property-tested on its own. A pledge's state
is a left fold of its events in recording order (`seq`); nothing is ever updated in place:
a correction is one more event.

Event semantics (quantities in the item's units):

==========  =========================================================================
kind        effect on the pledge
==========  =========================================================================
announced   pledged quantity := `quantity` (a restatement replaces the last one);
            `due` (promised date), when given, replaces the due date
committed   as announced, and the pledge is now committed
amended     pledged quantity += `quantity` (signed: a negative amendment is a correction)
dispatched  dispatched += `quantity` (signed; negative corrects an earlier dispatch)
delivered   delivered += `quantity` (signed; negative corrects an earlier delivery)
cancelled   the rest of the pledge is cancelled; a later announced/committed reinstates it
==========  =========================================================================

What may be recorded (`refusal`, applied by `ledger.record` and by imports to every event
they write, except the totals a source states itself): text no longer than the ledger's
columns (`TEXT_LIMITS`, every event, checked again by every store's ``append``); a finite
quantity of at most
`MAX_QUANTITY`; no correction that takes back more than was delivered or dispatched, or
amends a pledge with a positive quantity below zero; no cancellation of more than is
outstanding. Imports also accept a stand-alone correction (a negative delivery on a pledge
with none recorded), as the Kiel tracker publishes them and as an export holds them. The
ledger is append-only, so a wrong entry would be permanent.

Derived figures: ``outstanding = 0`` when cancelled, else ``max(pledged - delivered,
min(pledged, 0))``: never negative unless a negative correction made the pledged quantity
itself negative (a stand-alone correction row, as the Kiel tracker publishes them), so that
sums over a donor stay right. Over-delivery shows as ``delivered > pledged``, not as negative
outstanding.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    """What happened to a pledge."""

    ANNOUNCED = "announced"
    COMMITTED = "committed"
    AMENDED = "amended"
    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


KINDS: tuple[str, ...] = tuple(k.value for k in EventKind)
"""Every event kind, in life-cycle order (used in messages and CLI choices)."""

SIGNED_KINDS = frozenset({EventKind.AMENDED, EventKind.DISPATCHED, EventKind.DELIVERED})
"""Kinds whose quantity is a signed increment: negative values are corrections."""


MAX_QUANTITY = 1e12
"""Largest quantity one event may carry [units]: far above any real pledge (a trillion
rounds), far below where float sums lose whole units."""

TEXT_LIMITS: Mapping[str, int] = {"pledge_id": 128, "donor": 200, "item": 200,
                                   "source": 1000, "source_key": 200, "recorded_by": 100}
"""Longest text each event field holds [characters]: the ledger table's column widths
(`models.LedgerEventRow` takes them from here). PostgreSQL refuses longer text and SQLite
keeps it, so the store checks them itself (`text_refusal`) and both back ends accept the
same events."""

TOLERANCE = 1e-9
"""Slack of the below-zero checks [units], for quantities that went through float sums."""


@dataclass(frozen=True, slots=True)
class Event:
    """One ledger event, as written (``seq`` 0) or as read back (``seq`` from the store).

    `date` is the day the event happened (announcement, dispatch, delivery) and `due` the
    promised date for announced/committed/amended events. `source` is a URL or
    ``file:row``; `source_key` a stable key of the source row that makes imports idempotent.
    """

    pledge_id: str
    kind: EventKind
    donor: str
    item: str
    quantity: float
    date: dt.date
    recorded_by: str
    source: str = ""
    due: dt.date | None = None
    note: str = ""
    source_key: str | None = None
    seq: int = 0
    recorded_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class PledgeState:
    """The current state of one pledge, derived from its events.

    Quantities are in the item's units; `status` uses the scenario's pledge vocabulary.
    """

    pledge_id: str
    donor: str
    item: str
    status: str
    pledged: float
    dispatched: float
    delivered: float
    cancelled: bool
    due: dt.date | None
    first_date: dt.date
    last_date: dt.date
    events: int

    @property
    def outstanding(self) -> float:
        """Units still owed (see the module docstring for the sign rule). [units]"""
        if self.cancelled:
            return 0.0
        return max(self.pledged - self.delivered, min(self.pledged, 0.0))

    @property
    def in_transit(self) -> float:
        """Units dispatched but not yet delivered (never negative). [units]"""
        return max(self.dispatched - self.delivered, 0.0)

    def late(self, as_of: dt.date) -> bool:
        """True when units are still owed after the promised date (`as_of` is today)."""
        return self.due is not None and self.due < as_of and self.outstanding > 0


LedgerRow = tuple[str, EventKind, str, str, float, dt.date, "dt.date | None"]
"""The part of an event that state depends on: (pledge_id, kind, donor, item, quantity, date,
due). Stores return these for bulk reads; building full `Event` objects costs more than the fold.
"""


@dataclass(slots=True)
class _Fold:
    """Mutable accumulator of one pledge while folding (frozen into `PledgeState` at the end)."""

    pledge_id: str
    donor: str
    item: str
    first_date: dt.date
    pledged: float = 0.0
    dispatched: float = 0.0
    delivered: float = 0.0
    committed: bool = False
    cancelled: bool = False
    due: dt.date | None = None
    last_date: dt.date = dt.date.min
    events: int = 0

    def apply(self, kind: EventKind, quantity: float, date: dt.date,
              due: dt.date | None) -> None:
        self.events += 1
        self.last_date = max(self.last_date, date)
        if due is not None and kind in _PROMISES:
            self.due = due
        if kind is EventKind.ANNOUNCED or kind is EventKind.COMMITTED:
            self.pledged = quantity
            self.cancelled = False
            self.committed = self.committed or kind is EventKind.COMMITTED
        elif kind is EventKind.AMENDED:
            self.pledged += quantity
        elif kind is EventKind.DISPATCHED:
            self.dispatched += quantity
        elif kind is EventKind.DELIVERED:
            self.delivered += quantity
        else:
            self.cancelled = True

    def freeze(self) -> PledgeState:
        return PledgeState(
            pledge_id=self.pledge_id, donor=self.donor, item=self.item, status=self._status(),
            pledged=self.pledged, dispatched=self.dispatched, delivered=self.delivered,
            cancelled=self.cancelled, due=self.due, first_date=self.first_date,
            last_date=self.last_date, events=self.events)

    def _status(self) -> str:
        if self.cancelled:
            return "cancelled"
        if self.pledged > 0 and self.delivered >= self.pledged:
            return "delivered"
        if self.dispatched > 0 or self.delivered > 0:
            return "dispatched"
        return "committed" if self.committed else "announced"


_PROMISES = frozenset({EventKind.ANNOUNCED, EventKind.COMMITTED, EventKind.AMENDED})


def derive(events: Iterable[Event]) -> dict[str, PledgeState]:
    """State of every pledge named in `events`, folding them in the order given.

    Give events in recording order (ascending `seq`); the result is keyed by pledge id, in
    order of first appearance. Donor and item of a pledge are those of its first event.
    """
    return derive_rows(as_row(e) for e in events)


def as_row(event: Event) -> LedgerRow:
    """The `LedgerRow` of an event."""
    return (event.pledge_id, event.kind, event.donor, event.item, event.quantity, event.date,
            event.due)


def derive_rows(rows: Iterable[LedgerRow]) -> dict[str, PledgeState]:
    """`derive` over `LedgerRow` tuples (the bulk path: same fold, no `Event` objects)."""
    folds: dict[str, _Fold] = {}
    for pledge_id, kind, donor, item, quantity, date, due in rows:
        fold = folds.get(pledge_id)
        if fold is None:
            fold = folds[pledge_id] = _Fold(pledge_id, donor, item, date)
        fold.apply(kind, quantity, date, due)
    return {pid: fold.freeze() for pid, fold in folds.items()}


def derive_one(events: Iterable[Event]) -> PledgeState | None:
    """State of the single pledge whose events are given, or None when there are none."""
    states = derive(events)
    if len(states) > 1:
        raise ValueError(f"events of {len(states)} pledges given; expected one")
    return next(iter(states.values()), None)


def refusal(state: PledgeState | None, kind: EventKind, quantity: float, *,
            standalone: bool = False) -> str | None:
    """Why an event of `kind` and `quantity` must not be added to the pledge in `state`
    (None: a new pledge), or None when it may be. The message names the pledge's figures.

    With `standalone`, a correction on a pledge with nothing delivered (dispatched) yet is
    accepted: it corrects a delivery the source recorded elsewhere.
    """
    if not math.isfinite(quantity):
        return f"quantity must be a finite number, got {quantity}"
    if abs(quantity) > MAX_QUANTITY:
        return f"quantity {quantity:g} is beyond {MAX_QUANTITY:g} units, the most one event holds"
    if state is None or (quantity >= 0 and kind is not EventKind.CANCELLED):
        return None
    figures = (f"pledge {state.pledge_id!r} has pledged {state.pledged:,g}, delivered "
               f"{state.delivered:,g}, dispatched {state.dispatched:,g}, outstanding "
               f"{state.outstanding:,g}")
    if kind is EventKind.DELIVERED and state.delivered + quantity < -TOLERANCE and not (
            standalone and state.delivered <= 0):
        return (f"a delivery of {quantity:,g} would leave delivered at "
                f"{state.delivered + quantity:,g}: {figures}; a correction can take back at "
                f"most {max(state.delivered, 0):,g}")
    if kind is EventKind.DISPATCHED and state.dispatched + quantity < -TOLERANCE and not (
            standalone and state.dispatched <= 0):
        return (f"a dispatch of {quantity:,g} would leave dispatched at "
                f"{state.dispatched + quantity:,g}: {figures}; a correction can take back at "
                f"most {max(state.dispatched, 0):,g}")
    if kind is EventKind.AMENDED and state.pledged > 0 and state.pledged + quantity < -TOLERANCE:
        return (f"an amendment of {quantity:,g} would leave pledged at "
                f"{state.pledged + quantity:,g}: {figures}; record a cancellation instead")
    if kind is EventKind.CANCELLED and not -TOLERANCE <= quantity <= max(
            state.outstanding, 0) + TOLERANCE:
        return (f"a cancellation of {quantity:,g} units: {figures}; cancel between 0 and the "
                "outstanding units")
    return None


def too_long(event: Event) -> str | None:
    """The first field of ``event`` longer than `TEXT_LIMITS` allows, or None."""
    return next((name for name, limit in TEXT_LIMITS.items()
                 if len(getattr(event, name) or "") > limit), None)


def text_refusal(event: Event) -> str | None:
    """Why ``event`` does not fit the ledger's columns (a field longer than `TEXT_LIMITS`
    allows), naming the field, its length and the limit; None when it fits."""
    name = too_long(event)
    if name is None:
        return None
    value = str(getattr(event, name))
    return (f"{name} is {len(value):,} characters long ({value[:30]!r}...); the ledger keeps "
            f"at most {TEXT_LIMITS[name]:,}")


def refusals(states: Mapping[str, PledgeState], events: Iterable[Event],
             exempt: Collection[str] = (), *, standalone: bool = False,
             ) -> list[tuple[Event, str]]:
    """Every event of `events` that `refusal` refuses, folding them in order onto `states`
    (the stored pledges they name): later events see the earlier ones of the batch. Events
    whose source key is in `exempt` (totals a source states itself) are applied unchecked."""
    folds = {pid: _Fold(pid, s.donor, s.item, s.first_date, s.pledged, s.dispatched,
                        s.delivered, s.status != "announced", s.cancelled, s.due, s.last_date,
                        s.events) for pid, s in states.items()}
    refused: list[tuple[Event, str]] = []
    for event in events:
        fold = folds.get(event.pledge_id)
        why = text_refusal(event) or (None if event.source_key in exempt else refusal(
            None if fold is None else fold.freeze(), event.kind, event.quantity,
            standalone=standalone))
        if why is not None:
            refused.append((event, why))
            continue
        if fold is None:
            fold = folds[event.pledge_id] = _Fold(event.pledge_id, event.donor, event.item,
                                                  event.date)
        fold.apply(event.kind, event.quantity, event.date, event.due)
    return refused
