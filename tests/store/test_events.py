"""The pure ledger: hand cases, then Hypothesis against a plain second implementation."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resupply.store.events import Event, EventKind, derive, derive_one
from resupply.store.reconcile import reconcile, total

from .factories import DAY, ev


def test_committed_then_part_delivered() -> None:
    state = derive_one([ev("p", "committed", 1000, due=10), ev("p", "delivered", 400, day=4)])
    assert state is not None
    assert (state.pledged, state.delivered, state.outstanding) == (1000, 400, 600)
    assert state.status == "dispatched"
    assert not state.late(DAY + dt.timedelta(10))
    assert state.late(DAY + dt.timedelta(11))


def test_a_restatement_replaces_the_pledged_quantity_and_amendments_add() -> None:
    state = derive_one([ev("p", "announced", 100), ev("p", "amended", 20),
                        ev("p", "committed", 120), ev("p", "amended", -30)])
    assert state is not None and state.pledged == 90 and state.status == "committed"


def test_full_delivery_and_over_delivery() -> None:
    done = derive_one([ev("p", "committed", 10), ev("p", "delivered", 10)])
    over = derive_one([ev("p", "committed", 10), ev("p", "delivered", 12)])
    assert done is not None and done.status == "delivered" and done.outstanding == 0
    assert over is not None and over.outstanding == 0 and over.delivered == 12


def test_cancel_and_reinstate() -> None:
    events = [ev("p", "committed", 10), ev("p", "delivered", 4), ev("p", "cancelled", 0)]
    cancelled = derive_one(events)
    assert cancelled is not None and cancelled.status == "cancelled"
    assert cancelled.outstanding == 0
    back = derive_one([*events, ev("p", "committed", 10)])
    assert back is not None and back.outstanding == 6 and back.status == "dispatched"


def test_a_standalone_correction_is_negative_outstanding() -> None:
    state = derive_one([ev("c", "amended", -50)])
    assert state is not None and state.outstanding == -50


def test_dispatched_not_delivered_is_in_transit() -> None:
    state = derive_one([ev("p", "committed", 10), ev("p", "dispatched", 6),
                        ev("p", "delivered", 2)])
    assert state is not None and state.in_transit == 4


def test_derive_one_refuses_two_pledges() -> None:
    with pytest.raises(ValueError, match="2 pledges"):
        derive_one([ev("a", "committed", 1), ev("b", "committed", 1)])


def test_reconcile_by_family_and_late() -> None:
    states = derive([
        ev("a", "committed", 100, due=5), ev("a", "delivered", 40),
        ev("b", "committed", 50, item="dm121", due=50),
        ev("c", "committed", 30, item="of540", donor="east", due=1),
        ev("c", "delivered", 10), ev("c", "cancelled", 0)]).values()
    family = {"m795": "art155", "dm121": "art155", "of540": "art152"}
    rows = reconcile(states, DAY + dt.timedelta(10), family)
    assert [(r.donor, r.group) for r in rows] == [("east", "art152"), ("west", "art155")]
    east, west = rows
    assert (east.pledged, east.delivered, east.outstanding, east.cancelled) == (10, 10, 0, 20)
    assert east.rate == pytest.approx(1.0)
    assert (west.pledged, west.delivered, west.outstanding, west.late) == (150, 40, 110, 60)
    assert west.rate == pytest.approx(40 / 150)
    assert total(rows).pledged == 160


def test_reconcile_without_a_scenario_groups_by_item() -> None:
    rows = reconcile(derive([ev("a", "committed", 1), ev("b", "committed", 2, item="x")])
                     .values(), DAY)
    assert [r.group for r in rows] == ["m795", "x"]


KIND = st.sampled_from(list(EventKind))
EVENTS = st.lists(
    st.builds(lambda pid, kind, q, day: Event(pid, kind, "d", "i", q, DAY + dt.timedelta(day),
                                              "t"),
              st.sampled_from(["a", "b", "c"]), KIND,
              st.integers(-50, 200).map(float), st.integers(0, 30)),
    max_size=40)


def _plain(events: list[Event], pid: str) -> tuple[float, float, float, bool]:
    """pledged, dispatched, delivered, cancelled of one pledge, by looking back, not folding."""
    mine = [e for e in events if e.pledge_id == pid]
    restate = [n for n, e in enumerate(mine)
               if e.kind in (EventKind.ANNOUNCED, EventKind.COMMITTED)]
    base = mine[restate[-1]].quantity if restate else 0.0
    after = restate[-1] + 1 if restate else 0
    pledged = base + sum(e.quantity for e in mine[after:] if e.kind is EventKind.AMENDED)
    status_events = [e.kind for e in mine if e.kind in
                     (EventKind.ANNOUNCED, EventKind.COMMITTED, EventKind.CANCELLED)]
    cancelled = bool(status_events) and status_events[-1] is EventKind.CANCELLED
    return (pledged, sum(e.quantity for e in mine if e.kind is EventKind.DISPATCHED),
            sum(e.quantity for e in mine if e.kind is EventKind.DELIVERED), cancelled)


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(EVENTS)
def test_derive_equals_a_plain_second_implementation(events: list[Event]) -> None:
    for pid, state in derive(events).items():
        pledged, dispatched, delivered, cancelled = _plain(events, pid)
        assert state.pledged == pytest.approx(pledged)
        assert state.dispatched == pytest.approx(dispatched)
        assert state.delivered == pytest.approx(delivered)
        assert state.cancelled == cancelled


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(EVENTS)
def test_interleaving_of_pledges_does_not_matter(events: list[Event]) -> None:
    by_pledge = sorted(events, key=lambda e: e.pledge_id)  # stable: keeps each pledge's order
    assert derive(events) == derive(by_pledge)


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(EVENTS)
def test_outstanding_is_negative_only_after_a_negative_correction(events: list[Event]) -> None:
    for pid, state in derive(events).items():
        if state.outstanding < 0:
            assert any(e.pledge_id == pid and e.quantity < 0 for e in events)


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(EVENTS, st.integers(0, 40))
def test_reconcile_conserves_totals(events: list[Event], day: int) -> None:
    states = list(derive(events).values())
    rows = reconcile(states, DAY + dt.timedelta(day))
    assert total(rows).outstanding == pytest.approx(sum(s.outstanding for s in states))
    assert total(rows).delivered == pytest.approx(sum(s.delivered for s in states))
    owed = sum(max(s.outstanding, 0.0) for s in states)
    assert 0 <= total(rows).late <= owed + 1e-9
