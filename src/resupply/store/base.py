"""The one storage interface, `Store`, and the batch rules every back end applies the same way.

Back ends: `SqlStore` (SQLite or PostgreSQL through SQLAlchemy) and `MemoryStore` (a fake for
tests and notebooks). One conformance suite (tests/store/test_conformance.py) runs over all.

Rules of `Store.append` (all or nothing, in one transaction):

- an event whose `source_key` is already stored, or repeated earlier in the batch, is
  skipped (that is what makes imports idempotent) and counted in `AppendResult.skipped`;
- an event on an existing pledge must name the pledge's donor and item, else `LedgerError`
  and nothing of the batch is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from resupply.errors import LedgerError
from resupply.store.events import Event, LedgerRow, text_refusal
from resupply.store.reconcile import StatusRow
from resupply.store.runs import RunRecord


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What `Store.append` did: events written and events skipped as already recorded."""

    written: int
    skipped: int


class Store(Protocol):
    """Where the ledger and the runs live."""

    def append(self, events: Sequence[Event]) -> AppendResult:
        """Record `events` in one transaction (rules in the module docstring)."""
        ...

    def events(self, *, pledge_id: str | None = None, donor: str | None = None) -> list[Event]:
        """Stored events, optionally of one pledge or donor, in recording order (`seq`)."""
        ...

    def ledger_rows(self, *, donor: str | None = None,
                    pledge_ids: Collection[str] | None = None) -> list[LedgerRow]:
        """What pledge states depend on, per event, in `seq` order within each pledge.

        The bulk read path; optionally only one donor's or the given pledges' events.
        """
        ...

    def status_rows(self, as_of: dt.date, *, donor: str | None = None) -> list[StatusRow]:
        """Reconciliation per (donor, item), sorted: `reconcile.reconcile` of every pledge.

        The bulk path behind ``resupply ledger status`` (SQL back ends compute it in the
        database); `as_of` is the day pledges are judged late against.
        """
        ...

    def count(self) -> int:
        """Number of stored ledger events."""
        ...

    def add_run(self, run: RunRecord) -> int:
        """Store a run with its files; return its new id."""
        ...

    def runs(self) -> list[RunRecord]:
        """Every stored run, newest first, without file contents."""
        ...

    def run(self, run_id: int) -> RunRecord:
        """One run with its files; `StoreError` when there is no such run."""
        ...


Owner = tuple[str, str]
"""(donor, item) of a pledge: fixed by its first event."""


def plan_batch(
    events: Sequence[Event],
    owners: Mapping[str, Owner],
    stored_keys: Iterable[str],
) -> tuple[list[Event], int]:
    """The events of a batch to write, and how many to skip as already recorded.

    `owners` gives donor and item of the pledges already stored (those the batch names);
    `stored_keys` the batch's source keys that are already stored. Raises `LedgerError`
    when an event contradicts its pledge's donor or item, or has a text longer than its
    column (`events.TEXT_LIMITS`: every back end refuses it, not only PostgreSQL); nothing of
    the batch is written then.
    """
    for event in events:
        too_long = text_refusal(event)
        if too_long is not None:
            raise LedgerError(f"pledge {event.pledge_id[:40]!r}: {too_long}")
    seen_keys = set(stored_keys)
    known = dict(owners)
    keep: list[Event] = []
    for event in events:
        if event.source_key is not None:
            if event.source_key in seen_keys:
                continue
            seen_keys.add(event.source_key)
        owner = known.setdefault(event.pledge_id, (event.donor, event.item))
        if owner != (event.donor, event.item):
            raise LedgerError(
                f"pledge {event.pledge_id!r} is donor {owner[0]!r}, item {owner[1]!r}; an event "
                f"for donor {event.donor!r}, item {event.item!r} cannot be added to it")
        keep.append(event)
    return keep, len(events) - len(keep)
