"""One contract for every `Store` back end: memory, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from resupply.errors import LedgerError, StoreError
from resupply.store import RunRecord, Store, derive
from resupply.store.events import derive_rows

from .factories import ev


def test_an_empty_store_has_nothing(store: Store) -> None:
    assert store.count() == 0
    assert store.events() == []
    assert store.runs() == []


def test_events_come_back_in_recording_order_with_every_field(store: Store) -> None:
    written = [ev("p1", "committed", 1000, due=30, key="k1"), ev("p1", "delivered", 400, day=3),
               ev("p2", "announced", 50, donor="east", item="of540")]
    assert store.append(written).written == 3
    back = store.events()
    assert [e.seq for e in back] == sorted(e.seq for e in back)
    assert [(e.pledge_id, e.kind, e.quantity, e.date, e.due, e.source_key) for e in back] == \
        [(e.pledge_id, e.kind, e.quantity, e.date, e.due, e.source_key) for e in written]
    assert all(e.recorded_at is not None and e.recorded_at.tzinfo for e in back)
    assert back[0].recorded_by == "tester" and back[0].source == "test"


def test_events_filter_by_pledge_and_donor(store: Store) -> None:
    store.append([ev("p1", "committed", 10), ev("p2", "committed", 5, donor="east"),
                  ev("p1", "delivered", 3)])
    assert [e.quantity for e in store.events(pledge_id="p1")] == [10, 3]
    assert [e.pledge_id for e in store.events(donor="east")] == ["p2"]


def test_a_known_source_key_is_skipped_so_imports_are_idempotent(store: Store) -> None:
    batch = [ev("p1", "committed", 10, key="row-2"), ev("p1", "delivered", 4, key="row-3")]
    assert store.append(batch).written == 2
    again = store.append(batch)
    assert (again.written, again.skipped) == (0, 2)
    twice_in_one_batch = store.append([ev("p9", "committed", 1, key="x"),
                                       ev("p9", "committed", 1, key="x")])
    assert (twice_in_one_batch.written, twice_in_one_batch.skipped) == (1, 1)
    assert store.count() == 3


def test_an_event_that_contradicts_its_pledge_writes_nothing_of_the_batch(store: Store) -> None:
    store.append([ev("p1", "committed", 10)])
    with pytest.raises(LedgerError, match="pledge 'p1' is donor 'west'"):
        store.append([ev("p2", "committed", 1), ev("p1", "delivered", 4, donor="east")])
    assert store.count() == 1


def test_derived_state_from_stored_events(store: Store) -> None:
    store.append([ev("p1", "committed", 1000, due=10), ev("p1", "amended", -100),
                  ev("p1", "delivered", 400, day=5), ev("p2", "committed", 5),
                  ev("p2", "cancelled", 0)])
    states = derive(store.events())
    assert states["p1"].pledged == pytest.approx(900)
    assert states["p1"].outstanding == pytest.approx(500)
    assert states["p2"].status == "cancelled" and states["p2"].outstanding == 0


def _run(n: int) -> RunRecord:
    return RunRecord(kind="plan", scenario_name="tiny", scenario_hash="ab" * 32,
                     options={"integer": False, "n": n}, seed=n, version="0.1.0",
                     summary={"shortfall": {"art155": 1.5 * n}},
                     created_at=dt.datetime(2026, 1, n, tzinfo=dt.UTC),
                     files={"plan.csv": b"a,b\n1,2\n"})


def test_runs_round_trip_newest_first(store: Store) -> None:
    first, second = store.add_run(_run(1)), store.add_run(_run(2))
    assert [r.id for r in store.runs()] == [second, first]
    assert store.runs()[0].files == {}
    back = store.run(first)
    assert back.options == {"integer": False, "n": 1}
    assert back.summary == {"shortfall": {"art155": 1.5}}
    assert back.files == {"plan.csv": b"a,b\n1,2\n"}
    assert back.created_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_an_unknown_run_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="no run 42"):
        store.run(42)


def test_ledger_rows_give_the_same_states_as_events(store: Store) -> None:
    store.append([ev("p1", "committed", 10, due=5), ev("p2", "announced", 3, donor="east"),
                  ev("p1", "delivered", 4, day=2), ev("p1", "cancelled", 0, day=3)])
    assert derive_rows(store.ledger_rows()) == derive(store.events())
    assert list(derive_rows(store.ledger_rows(donor="east"))) == ["p2"]
