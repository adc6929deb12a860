"""Donors dropped and paused, by copy with update: what goes with them, what the engines see."""

from __future__ import annotations

import datetime as dt

from resupply.compile import compile_problem
from resupply.domain import Scenario
from resupply.workflow.scenario_paths import drop_donor, pause_donor


def test_dropping_a_donor_takes_its_pledges_and_deliveries(tiny: Scenario) -> None:
    dropped = drop_donor(tiny, "west")
    assert [d.id for d in dropped.donors] == ["east"]
    assert dropped.pledges == [] and dropped.deliveries == []
    assert [d.id for d in tiny.donors] == ["east", "west"]


def test_pausing_a_donor_moves_its_releases_and_its_pledges(tiny: Scenario) -> None:
    paused = pause_donor(tiny, "west", 20)
    west = paused.donors[1]
    assert [(r.family, r.date) for r in west.releases] == [("art155", dt.date(2022, 6, 21))]
    assert paused.pledges[0].date == dt.date(2022, 6, 21)  # due 06-15, inside the pause
    assert pause_donor(tiny, "west", 5).pledges[0].date == dt.date(2022, 6, 15)
    assert pause_donor(tiny, "west", 1).donors[1].releases == tiny.donors[1].releases
    east = pause_donor(tiny, "east", 10).donors[0]  # no rule: one for what it holds
    assert [(r.family, r.date) for r in east.releases] == [("art152", dt.date(2022, 6, 11))]
    assert paused.donors[0] == tiny.donors[0] and tiny.donors[1].releases[0].date.day == 3
    # the day the planner and the simulator let each donor first dispatch each item
    release = compile_problem(paused).release_day
    assert release[1].tolist() == [0, 20, 20] and release[0].tolist() == [0, 0, 0]  # m795, dm121
    assert compile_problem(pause_donor(tiny, "east", 10)).release_day[0].tolist() == [10, 0, 0]


def test_a_pledge_that_cannot_fall_due_in_the_horizon_is_dropped(tiny: Scenario) -> None:
    weekly = tiny.model_copy(update={"donors": [
        tiny.donors[0], tiny.donors[1].model_copy(update={"tranche_every_days": 7})]})
    assert pause_donor(weekly, "west", 16).pledges[0].date == dt.date(2022, 6, 22)  # day 21
    assert pause_donor(weekly, "west", 29).pledges == []  # next tranche: day 35
    assert pause_donor(weekly, "west", 90).donors[1].releases[0].date == dt.date(2022, 6, 30)
