"""`explain` on `tiny`, every figure checked by hand arithmetic (see tiny.yaml's header)."""

from __future__ import annotations

import datetime as dt

import pytest

from resupply.analysis import explain
from resupply.compile import Problem


def test_days_of_supply_by_hand(tiny_problem: Problem) -> None:
    art152 = explain(tiny_problem).families[0]
    # 2,000 rounds in the depots (1,200 + 800) / (10 guns x 20 rounds a day) = 10 days.
    assert art152.stock == pytest.approx(2000.0)
    assert art152.need_per_day_at_start == pytest.approx(200.0)
    assert art152.days_of_supply == pytest.approx(10.0)


def test_run_dry_dates_by_hand(tiny_problem: Problem) -> None:
    art152, art155 = explain(tiny_problem).families
    # No resupply: cumulative need 200 (t + 1) exceeds 2,000 first on day 10.
    assert art152.runs_dry_without_resupply == dt.date(2022, 6, 11)
    # All supply: east's 1,500 arrive on day 2 -> 3,500; 200 (t + 1) > 3,500 first at t = 17.
    assert art152.runs_dry_with_all_supply == dt.date(2022, 6, 18)
    # 155 mm: nothing in stock, first need on day 7 (first M777 in service).
    assert art155.runs_dry_without_resupply == dt.date(2022, 6, 8)
    # west sends 3,600 on day 2 (arrive day 5) plus 100/day; need over 30 days is 3,075.
    assert art155.runs_dry_with_all_supply is None
    assert art155.need_over_horizon == pytest.approx(525 + 150 * 17)
    assert art155.donors_can_give == pytest.approx(3600 + 21 * 100)


def test_json_form_uses_iso_dates(tiny_problem: Problem) -> None:
    data = explain(tiny_problem).to_dict()
    assert data["families"][0]["runs_dry_without_resupply"] == "2022-06-11"
    assert data["start"] == "2022-06-01"


def test_standards_summarise_their_families(tiny_problem: Problem) -> None:
    soviet, nato = explain(tiny_problem).standards
    assert (soviet.standard, soviet.families) == ("soviet", ("art152",))
    assert soviet.first_dry_with_all_supply == dt.date(2022, 6, 18)
    assert nato.first_dry_without_resupply == dt.date(2022, 6, 8)
    assert nato.first_dry_with_all_supply is None
