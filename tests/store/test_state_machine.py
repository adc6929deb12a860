"""A Hypothesis state machine over the ledger on SQLite: derived balances always equal a replay.

The model is deliberately naive (running totals per pledge, updated by the rules themselves);
the store derives state from its stored events. After every step both must agree, and a
replay of the stored events into a fresh `MemoryStore` must give the same states.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from resupply.errors import LedgerError
from resupply.store import MemoryStore, derive, open_store
from resupply.store.events import EventKind
from resupply.store.imports import import_file
from resupply.store.ledger import pledge_states, record

from .factories import DAY

QUANTITY = st.integers(1, 500).map(float)


@dataclass
class Expected:
    """What the model believes about one pledge."""

    pledged: float
    delivered: float = 0.0
    cancelled: bool = False

    @property
    def outstanding(self) -> float:
        if self.cancelled:
            return 0.0
        return max(self.pledged - self.delivered, min(self.pledged, 0.0))


class LedgerMachine(RuleBasedStateMachine):
    """Add, amend, deliver, cancel, import and replay against a naive model."""

    pledges = Bundle("pledges")

    @initialize()
    def open(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.store = open_store(f"sqlite:///{self.dir.name}/l.db")
        self.model: dict[str, Expected] = {}
        self.imports = 0

    def teardown(self) -> None:
        self.store.engine.dispose()
        self.dir.cleanup()

    @rule(target=pledges, quantity=QUANTITY, donor=st.sampled_from(["east", "west"]))
    def add(self, quantity: float, donor: str) -> str:
        event = record(self.store, EventKind.COMMITTED, donor=donor, item="m795",
                       quantity=quantity, date=DAY, recorded_by="machine")
        self.model[event.pledge_id] = Expected(quantity)
        return event.pledge_id

    @rule(pledge=pledges, delta=st.integers(-300, 300).map(float))
    def amend(self, pledge: str, delta: float) -> None:
        model = self.model[pledge]
        if model.pledged > 0 and model.pledged + delta < 0:  # the ledger refuses it, unchanged
            with pytest.raises(LedgerError, match="would leave pledged at"):
                record(self.store, EventKind.AMENDED, pledge_id=pledge, quantity=delta,
                       date=DAY)
            return
        record(self.store, EventKind.AMENDED, pledge_id=pledge, quantity=delta, date=DAY)
        model.pledged += delta

    @rule(pledge=pledges, quantity=QUANTITY)
    def deliver(self, pledge: str, quantity: float) -> None:
        record(self.store, EventKind.DELIVERED, pledge_id=pledge, quantity=quantity, date=DAY)
        self.model[pledge].delivered += quantity

    @rule(pledge=pledges)
    def cancel(self, pledge: str) -> None:
        record(self.store, EventKind.CANCELLED, pledge_id=pledge, date=DAY)
        self.model[pledge].cancelled = True

    @rule(quantity=QUANTITY, delivered=QUANTITY, again=st.booleans())
    def import_csv(self, quantity: float, delivered: float, again: bool) -> None:
        self.imports += 1
        pid = f"imp{self.imports}"
        path = Path(self.dir.name) / f"{pid}.csv"
        path.write_text("pledge_id,kind,donor,item,quantity,date\n"
                        f"{pid},committed,west,m795,{quantity},2022-06-01\n"
                        f"{pid},delivered,west,m795,{delivered},2022-06-02\n")
        for _ in range(2 if again else 1):  # a second import changes nothing
            import_file(self.store, path, "csv", recorded_by="machine")
        self.model[pid] = Expected(quantity, delivered)

    @rule()
    def replay(self) -> None:
        copy = MemoryStore()
        copy.append(self.store.events())
        assert derive(copy.events()) == derive(self.store.events())

    @invariant()
    def balances_match_the_model(self) -> None:
        if not hasattr(self, "store"):
            return
        states = {s.pledge_id: s for s in pledge_states(self.store)}
        assert set(states) == set(self.model)
        for pid, expected in self.model.items():
            state = states[pid]
            assert state.pledged == pytest.approx(expected.pledged)
            assert state.delivered == pytest.approx(expected.delivered)
            assert state.outstanding == pytest.approx(expected.outstanding)
            if state.outstanding < 0:  # only a correction can make a pledge owe less than 0
                assert expected.pledged < 0


LedgerMachine.TestCase.settings = settings(max_examples=20, stateful_step_count=12,
                                           deadline=None)
TestLedgerMachine = LedgerMachine.TestCase
