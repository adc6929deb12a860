"""The compiled `tiny`: index contract, hand-checked arrays, immutability, stable hash."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from resupply.compile import Problem, compile_problem, scenario_hash
from resupply.domain import Scenario


def test_labels_follow_the_file(tiny_problem: Problem) -> None:
    p = tiny_problem
    assert p.items == ("of540", "m795", "dm121")
    assert p.families == ("art152", "art155")
    assert p.depots == ("near", "far")
    assert p.shape == {"d": 2, "p": 2, "i": 3, "f": 2, "s": 2, "k": 2, "t": 30,
                       "n": 1, "b": 2, "a": 2}
    assert str(p.dates[0]) == "2022-06-01" and str(p.dates[-1]) == "2022-06-30"
    assert p.item_family.tolist() == [0, 1, 1]


def test_need_by_hand(tiny_problem: Problem) -> None:
    p = tiny_problem
    # 10 D-20 x 20 rounds, split 0.6 / 0.4 between the depots.
    assert_allclose(p.need[0, :, 0], [120.0, 80.0])
    # M777s enter service one a day on days 7..12, 25 rounds each.
    assert_allclose(p.family_need()[1, 6:14], [0, 25, 50, 75, 100, 125, 150, 150])


def test_donors_releases_and_cadence(tiny_problem: Problem) -> None:
    p = tiny_problem
    assert p.release_day.tolist() == [[0, 0, 0], [0, 2, 2]]
    assert p.lead_days.tolist() == [2, 3]
    assert np.flatnonzero(p.tranche_day[0]).tolist() == [0, 7, 14, 21, 28]
    assert_allclose(p.donor_stock[1], [0, 3000, 600])
    assert_allclose(p.donor_production[1, 1, 8:11], [0, 100, 100])
    assert_allclose(p.donor_cumulative_available()[1, 1, -1], 3000 + 21 * 100)
    assert p.pledge_ids == ("west-1",)
    assert p.pledge_day.tolist() == [14]


def test_units_and_penalties(tiny_problem: Problem) -> None:
    p = tiny_problem
    assert_allclose(p.item_mass_t, [0.05, 0.05, 0.05])
    # default penalty: 10 x mean item value of the family x priority
    assert_allclose(p.shortfall_penalty, [10_000, 27_500])
    assert p.demand_dispersion == np.inf


def test_arrays_are_read_only(tiny_problem: Problem) -> None:
    with pytest.raises(ValueError, match="read-only"):
        tiny_problem.need[0, 0, 0] = 1.0


def test_hash_is_stable_and_sensitive(tiny: Scenario) -> None:
    assert scenario_hash(tiny) == scenario_hash(tiny.model_copy())
    changed = tiny.model_copy(update={"horizon_days": 29})
    assert scenario_hash(changed) != scenario_hash(tiny)
    assert compile_problem(changed).n_days == 29


def test_item_release_overrides_family_release(tiny: Scenario) -> None:
    west = tiny.donors[1]
    rule = west.releases[0].model_copy(update={"family": None, "item": "dm121",
                                               "date": tiny.start.replace(day=20)})
    west2 = west.model_copy(update={"releases": [*west.releases, rule]})
    p = compile_problem(tiny.model_copy(update={"donors": [tiny.donors[0], west2]}))
    assert p.release_day[1].tolist() == [0, 2, 19]
