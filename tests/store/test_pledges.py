"""Open ledger pledges as scenario pledges (the planner's input)."""

from __future__ import annotations

import datetime as dt

from resupply.domain import load_scenario
from resupply.store import derive
from resupply.store.pledges import open_pledges

from .factories import DAY, ev


def test_open_pledges_become_scenario_pledges_and_the_rest_is_explained() -> None:
    states = derive([
        ev("p1", "committed", 1000, due=20), ev("p1", "delivered", 400),
        ev("p2", "committed", 50, due=5), ev("p2", "cancelled", 0),
        ev("p3", "committed", 10, item="M777 howitzer", due=5),
        ev("p4", "announced", 10, item="dm121"),
        ev("p5", "committed", 10, donor="nobody", due=5)]).values()
    pledges, left_out = open_pledges(states, load_scenario("tiny"))
    assert [(p.id, p.donor, p.item, p.quantity, p.date, p.status) for p in pledges] == [
        ("p1", "west", "m795", 600.0, DAY + dt.timedelta(20), "dispatched")]
    assert left_out == [
        "p3: item 'M777 howitzer' is not in the scenario (import with --mapping)",
        "p4: no promised date (record one with --due)",
        "p5: donor 'nobody' is not in the scenario"]
