"""`MemoryStore`: the `Store` in a Python list, for tests, notebooks and the conformance suite.

It obeys the same batch rules as `SqlStore` (`base.plan_batch`), so the same contract test
passes on it; nothing is persisted. Its status is the ledger rule's definition itself
(`events.derive`, `reconcile.reconcile`): the one other implementation is the SQL of
`status_sql`, checked against it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence

from resupply.errors import StoreError
from resupply.store.base import AppendResult, Owner, plan_batch
from resupply.store.events import Event, LedgerRow, as_row, derive
from resupply.store.reconcile import StatusRow, reconcile
from resupply.store.runs import RunRecord


class MemoryStore:
    """The `Store` held in memory; `seq` and run ids count from 1 like a database's."""

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._runs: list[RunRecord] = []

    def append(self, events: Sequence[Event]) -> AppendResult:
        """Record `events` all or nothing (see `base.plan_batch`)."""
        pledges = {e.pledge_id for e in events}
        owners: dict[str, Owner] = {}
        for event in self._events:
            if event.pledge_id in pledges:
                owners.setdefault(event.pledge_id, (event.donor, event.item))
        keys = {e.source_key for e in self._events if e.source_key is not None}
        keep, skipped = plan_batch(events, owners, keys)
        now = dt.datetime.now(dt.UTC)
        start = len(self._events) + 1
        self._events.extend(
            dataclasses.replace(e, seq=start + n, recorded_at=e.recorded_at or now)
            for n, e in enumerate(keep))
        return AppendResult(written=len(keep), skipped=skipped)

    def events(self, *, pledge_id: str | None = None, donor: str | None = None) -> list[Event]:
        """Stored events in `seq` order, optionally of one pledge or one donor."""
        return [e for e in self._events
                if (pledge_id is None or e.pledge_id == pledge_id)
                and (donor is None or e.donor == donor)]

    def ledger_rows(self, *, donor: str | None = None,
                    pledge_ids: Collection[str] | None = None) -> list[LedgerRow]:
        """`LedgerRow` of every event (of one donor, of some pledges), in `seq` order."""
        wanted = None if pledge_ids is None else set(pledge_ids)
        return [as_row(e) for e in self.events(donor=donor)
                if wanted is None or e.pledge_id in wanted]

    def status_rows(self, as_of: dt.date, *, donor: str | None = None) -> list[StatusRow]:
        """Reconciliation per (donor, item) by the definition: `events.derive` folds the
        events into pledge states, `reconcile.reconcile` sums them."""
        return reconcile(derive(self.events(donor=donor)).values(), as_of)

    def count(self) -> int:
        """Number of stored ledger events."""
        return len(self._events)

    def add_run(self, run: RunRecord) -> int:
        """Store a run; return its new id."""
        run_id = len(self._runs) + 1
        self._runs.append(dataclasses.replace(run, id=run_id, files=dict(run.files)))
        return run_id

    def runs(self) -> list[RunRecord]:
        """Every run, newest first, without file contents."""
        return [dataclasses.replace(r, files={}) for r in reversed(self._runs)]

    def run(self, run_id: int) -> RunRecord:
        """One run with its files; `StoreError` when there is none with this id."""
        if not 1 <= run_id <= len(self._runs):
            raise StoreError(f"no run {run_id}; `resupply runs list` shows the stored runs")
        return self._runs[run_id - 1]
