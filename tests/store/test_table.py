"""The ledger status of every back end against the definition (`events.derive`, `reconcile`)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resupply.store import Event, EventKind, Store, derive
from resupply.store.ledger import pledge_states, status
from resupply.store.reconcile import reconcile

from .factories import DAY, ev

EVENTS = st.lists(
    st.builds(lambda pid, kind, q, day, due, donor: Event(
        pid, kind, donor, f"item-{pid}", q, DAY + dt.timedelta(day), "t",
        due=None if due is None else DAY + dt.timedelta(due)),
        st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(list(EventKind)),
        st.integers(-50, 200).map(float), st.integers(0, 30),
        st.none() | st.integers(0, 40), st.sampled_from(["east", "west"])),
    max_size=40)


def test_an_empty_ledger_has_no_status(store: Store) -> None:
    assert status(store, DAY) == []


def test_status_on_every_store_equals_the_definition(store: Store) -> None:
    store.append([ev("p2", "committed", 10, due=5), ev("p1", "announced", 3, donor="east"),
                  ev("p2", "delivered", 4, day=2), ev("p3", "committed", 7, item="x"),
                  ev("p3", "cancelled", 0, day=3, item="x"),
                  ev("p1", "amended", -1, donor="east")])
    as_of = DAY + dt.timedelta(10)
    assert status(store, as_of) == reconcile(pledge_states(store), as_of)
    assert status(store, as_of, donor="east") == reconcile(pledge_states(store, "east"), as_of)


@settings(max_examples=20, deadline=None)
@given(EVENTS, st.integers(0, 45))
def test_the_sql_status_equals_the_definition(events: list[Event], day: int) -> None:
    from resupply.store import open_store

    consistent = _one_owner_per_pledge(events)
    as_of = DAY + dt.timedelta(day)
    store = open_store("sqlite://")  # in memory: one connection, the same SQL
    store.append(consistent)
    fast = store.status_rows(as_of)
    store.engine.dispose()
    slow = reconcile(derive(consistent).values(), as_of)
    assert [(r.donor, r.group, r.pledges) for r in fast] == \
        [(r.donor, r.group, r.pledges) for r in slow]
    for f, s in zip(fast, slow, strict=True):
        for name in ("pledged", "delivered", "outstanding", "late", "cancelled"):
            assert getattr(f, name) == pytest.approx(getattr(s, name)), name


def _one_owner_per_pledge(events: list[Event]) -> list[Event]:
    """The events a store accepts: each pledge keeps the donor of its first event."""
    import dataclasses

    first: dict[str, str] = {}
    return [dataclasses.replace(e, donor=first.setdefault(e.pledge_id, e.donor))
            for e in events]
