"""Ledger operations the faces call: record one event, read pledges, export the ledger.

Recording checks what the pure model cannot: that a new pledge names its donor, item and
quantity, that a quantity has the sign its kind allows, that the event makes sense for the
pledge as it stands (`events.refusal`: finite, no correction below zero), and that an event
on an existing pledge agrees with it (`base.plan_batch`). Exports are in recording order
(`seq`), which is stable: the ledger only grows.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import getpass
import io
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from resupply.errors import LedgerError
from resupply.files import write_output_file
from resupply.store.base import Store
from resupply.store.events import (
    SIGNED_KINDS,
    Event,
    EventKind,
    PledgeState,
    derive,
    derive_one,
    derive_rows,
    refusal,
    text_refusal,
)
from resupply.store.reconcile import StatusRow, regroup
from resupply.untrusted import guard_cell, xlsx_row

ExportFormat = Literal["csv", "xlsx", "json"]
EXPORT_COLUMNS = ("seq", "pledge_id", "kind", "donor", "item", "quantity", "date", "due",
                  "source", "key", "recorded_by", "recorded_at", "note")
"""Columns of an export, in order; a CSV export is also valid input for ``--format csv``."""

NEW_PLEDGE_KINDS = frozenset({EventKind.ANNOUNCED, EventKind.COMMITTED})


def current_user() -> str:
    """Who records events by default: the login name, or ``unknown``."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def new_pledge_id(donor: str, item: str, date: dt.date) -> str:
    """A readable unique id: ``donor-item-YYYYMMDD-xxxxxx``."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{donor}-{item}".lower()).strip("-")[:60]
    return f"{slug}-{date:%Y%m%d}-{uuid.uuid4().hex[:6]}"


def record(
    store: Store,
    kind: EventKind,
    *,
    date: dt.date,
    pledge_id: str | None = None,
    donor: str | None = None,
    item: str | None = None,
    quantity: float | None = None,
    due: dt.date | None = None,
    source: str = "",
    note: str = "",
    recorded_by: str | None = None,
) -> Event:
    """Record one event and return it as written.

    Without `pledge_id`, starts a new pledge (kind announced or committed; donor, item and
    quantity required). With it, donor and item default to the pledge's own.
    """
    if pledge_id is None:
        if kind not in NEW_PLEDGE_KINDS:
            raise LedgerError(f"a {kind} event needs --pledge ID (the pledge it belongs to)")
        if not donor or not item:
            raise LedgerError("a new pledge needs --donor and --item")
        pledge_id = new_pledge_id(donor, item, date)
    else:
        donor, item = _owner(store, pledge_id, donor, item)
    event = Event(pledge_id, kind, donor, item, _quantity(kind, quantity), date,
                  recorded_by or current_user(), source=source, due=due, note=note)
    why = text_refusal(event) or refusal(derive_one(store.events(pledge_id=pledge_id)), kind,
                                         event.quantity)
    if why is not None:
        raise LedgerError(f"{kind} refused: {why}")
    store.append([event])
    return event


def _owner(store: Store, pledge_id: str, donor: str | None, item: str | None) -> tuple[str, str]:
    first = next(iter(store.events(pledge_id=pledge_id)), None)
    if first is not None:
        return donor or first.donor, item or first.item
    if not donor or not item:
        raise LedgerError(f"no pledge {pledge_id!r}; give --donor and --item to start it")
    return donor, item


def _quantity(kind: EventKind, quantity: float | None) -> float:
    if kind is EventKind.CANCELLED:
        return 0.0 if quantity is None else quantity
    if quantity is None:
        raise LedgerError(f"a {kind} event needs --quantity")
    if quantity < 0 and kind not in SIGNED_KINDS:
        raise LedgerError(f"quantity of a {kind} event must be >= 0, got {quantity:g}; record a "
                          "correction as an `amended` event with a negative quantity")
    return quantity


def pledge_states(store: Store, donor: str | None = None) -> list[PledgeState]:
    """Every pledge's current state, in order of its first event."""
    with _collector_paused():
        return list(derive_rows(store.ledger_rows(donor=donor)).values())


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects.

    Reading 100,000 events allocates hundreds of thousands of tuples and triggers repeated
    full collections that cost as much as the work itself; none of them is a cycle.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def status(
    store: Store,
    as_of: dt.date,
    family_of: Mapping[str, str] | None = None,
    donor: str | None = None,
) -> list[StatusRow]:
    """Reconciliation per donor and family (or item, without `family_of`), sorted.

    Equal to ``reconcile(pledge_states(store), as_of, family_of)`` (a test checks it on every
    back end) but computed by the store in bulk (`Store.status_rows`).
    """
    with _collector_paused():
        return regroup(store.status_rows(as_of, donor=donor), family_of)


def pledge(store: Store, pledge_id: str) -> tuple[PledgeState, list[Event]]:
    """One pledge's state and its events; `LedgerError` when there is no such pledge."""
    events = store.events(pledge_id=pledge_id)
    if not events:
        raise LedgerError(f"no pledge {pledge_id!r}; `resupply ledger list` shows pledge ids")
    states = derive(events)
    return states[pledge_id], events


def export_rows(events: Iterable[Event]) -> list[dict[str, Any]]:
    """Events as plain rows with `EXPORT_COLUMNS` (dates ISO, key = source key or seq)."""
    return [{"seq": e.seq, "pledge_id": e.pledge_id, "kind": e.kind.value, "donor": e.donor,
             "item": e.item, "quantity": e.quantity, "date": e.date.isoformat(),
             "due": e.due.isoformat() if e.due else "", "source": e.source,
             "key": e.source_key or f"seq:{e.seq}", "recorded_by": e.recorded_by,
             "recorded_at": e.recorded_at.isoformat() if e.recorded_at else "", "note": e.note}
            for e in events]


def export(events: Sequence[Event], fmt: ExportFormat, path: Path | None, *,
           force: bool = False, raw: bool = False) -> bytes:
    """The ledger in `fmt`; written atomically to `path` when given (an existing file only
    with `force`, see `resupply.files`). Returns the bytes.

    CSV cells that a spreadsheet would run as a formula are guarded with ``'`` unless `raw`
    (the generic CSV import removes the guard, so both import back); XLSX cells hold text as
    text (`untrusted.xlsx_row`).
    """
    rows = export_rows(events)
    if fmt == "json":
        data = json.dumps(rows, indent=1, ensure_ascii=False).encode() + b"\n"
    elif fmt == "csv":
        data = _csv_bytes(rows if raw else [{k: guard_cell(v) for k, v in r.items()}
                                            for r in rows])
    elif fmt == "xlsx":
        data = _xlsx_bytes(rows)
    else:
        raise LedgerError(f"unknown export format {fmt!r}; use csv, xlsx or json")
    if path is not None:
        write_output_file(path, data, force=force)
    return data


def _csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode()


def _xlsx_bytes(rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    sheet = book.create_sheet("ledger")
    sheet.append(xlsx_row(sheet, EXPORT_COLUMNS))
    for row in rows:
        sheet.append(xlsx_row(sheet, (row[c] for c in EXPORT_COLUMNS)))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
