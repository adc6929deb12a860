"""Ledger sense (`events.refusal`): what the append-only ledger refuses to record, on every
face (`ledger.record`, imports), with the pledge's figures in the message."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from resupply.errors import ImportRowsError, LedgerError
from resupply.store import MemoryStore, derive
from resupply.store.events import MAX_QUANTITY, EventKind, refusal
from resupply.store.imports import import_file
from resupply.store.ledger import record

from .factories import DAY, write_csv


def _pledge(store: MemoryStore, pledged: float = 30, delivered: float = 12) -> str:
    record(store, EventKind.COMMITTED, pledge_id="p", donor="west", item="m795",
           quantity=pledged, date=DAY, recorded_by="t")
    if delivered:
        record(store, EventKind.DELIVERED, pledge_id="p", quantity=delivered, date=DAY,
               recorded_by="t")
    return "p"


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, MAX_QUANTITY * 10])
@pytest.mark.parametrize("kind", list(EventKind))
def test_non_finite_and_absurd_quantities_are_refused(kind: EventKind, bad: float) -> None:
    assert refusal(None, kind, bad) is not None


def test_a_correction_below_zero_is_refused_with_the_pledges_figures() -> None:
    store = MemoryStore()
    _pledge(store)
    with pytest.raises(LedgerError) as caught:
        record(store, EventKind.DELIVERED, pledge_id="p", quantity=-50, date=DAY)
    message = str(caught.value)
    for figure in ("pledged 30", "delivered 12", "outstanding 18", "at most 12", "at -38"):
        assert figure in message
    assert derive(store.events())["p"].delivered == 12  # nothing recorded
    record(store, EventKind.DELIVERED, pledge_id="p", quantity=-12, date=DAY)  # exactly back
    assert derive(store.events())["p"].delivered == 0


@pytest.mark.parametrize(("kind", "quantity", "says"), [
    (EventKind.DISPATCHED, -1, "would leave dispatched at -1"),
    (EventKind.AMENDED, -31, "would leave pledged at -1"),
    (EventKind.CANCELLED, 19, "cancel between 0 and the outstanding"),
    (EventKind.CANCELLED, -1, "cancel between 0 and the outstanding"),
])
def test_other_events_that_would_go_below_zero(kind: EventKind, quantity: float,
                                               says: str) -> None:
    store = MemoryStore()
    _pledge(store)
    with pytest.raises(LedgerError, match=says):
        record(store, kind, pledge_id="p", quantity=quantity, date=DAY)
    assert len(store.events()) == 2


def test_an_import_refuses_a_correction_below_zero_by_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", "pledge_id,kind,donor,item,quantity,date\n"
                     "x,committed,west,m795,30,2022-06-01\nx,delivered,west,m795,12,2022-06-02\n"
                     "x,delivered,west,m795,-50,2022-06-03\n")
    store = MemoryStore()
    with pytest.raises(ImportRowsError, match=r"l\.csv:4: quantity: a delivery of -50"):
        import_file(store, path, "csv", recorded_by="t")
    assert store.events() == []  # nothing written
    report = import_file(store, path, "csv", recorded_by="t", partial=True)
    assert report.written == 2 and [i.line for i in report.errors] == [4]


def test_an_import_keeps_a_stand_alone_correction(tmp_path: Path) -> None:
    """A negative delivery on a pledge with none recorded corrects one recorded elsewhere
    (the Kiel tracker publishes such rows; an export of them must import back)."""
    path = write_csv(tmp_path / "l.csv", "pledge_id,kind,donor,item,quantity,date\n"
                     "x,committed,west,m795,3,2022-06-01\nx,delivered,west,m795,-1,2022-06-02\n")
    store = MemoryStore()
    assert import_file(store, path, "csv", recorded_by="t").written == 2
