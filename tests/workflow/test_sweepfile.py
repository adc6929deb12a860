"""Sweep files: paths into the scenario, ranges and designs, and every error located."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from resupply.domain import Scenario
from resupply.errors import ScenarioError
from resupply.workflow.scenario_paths import parse_path
from resupply.workflow.sweepfile import Op, SweepSpec, apply_factor, load_sweep, variant_count


def _spec(tmp_path: Path, tiny: Scenario, text: str) -> SweepSpec:
    path = tmp_path / "sweep.yaml"
    path.write_text(text)
    return load_sweep(path, tiny)


def _errors(tmp_path: Path, tiny: Scenario, text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        _spec(tmp_path, tiny, text)
    return [str(i) for i in info.value.issues]


def test_paths_name_the_fields_they_reach(tmp_path: Path, tiny: Scenario) -> None:
    spec = _spec(tmp_path, tiny, """
factors:
  - {path: "donors[west].production.*", scale: [0.5, 2], levels: 4}
  - {path: "depots[near].strike_prob_per_day", set: [0, 0.1]}
  - {path: "deliveries.*.date", shift_days: [-3, 3]}
  - {path: "donors[east].lead_days", values: [1, 4]}
""")
    production, strike, delivery, lead = spec.factors
    # a path above the numbers stands for every real number below it: the one rate of m795
    assert production.targets == (("donors", 1, "production", 0, "rates", 0, "per_day"),)
    assert production.choices == (0.5, 1.0, 1.5, 2.0)
    assert strike.targets == (("depots", 0, "strike_prob_per_day"),)
    assert strike.choices == (0.0, 0.05, 0.1)
    assert delivery.targets == (("deliveries", 0, "date"),) and delivery.choices == (-3, 0, 3)
    assert lead.op is Op.VALUES and lead.choices == (1.0, 4.0)
    assert variant_count(spec) == 1 + 4 * 3 * 3 * 2
    assert parse_path("donors[west].production.*") == ["donors", "[west]", "production", None]
    assert parse_path("depots[fwd.2].capacity_t") == ["depots", "[fwd.2]", "capacity_t"]
    assert parse_path("intensity[2].date") == ["intensity", 2, "date"]
    assert parse_path("donors..x") == "`` is not a field, `field[ID]` or `*`"


def test_a_factor_changes_a_copy_and_leaves_the_scenario_as_it_was(
        tmp_path: Path, tiny: Scenario) -> None:
    spec = _spec(tmp_path, tiny, """
factors:
  - {path: "donors[west].production.*.rates.*.per_day", scale: [0.5, 2]}
  - {path: "deliveries.*.date", shift_days: [-3, 3]}
  - {path: "donors[east].lead_days", values: [1, 4]}
""")
    before = tiny.model_dump()
    production, delivery, lead = spec.factors
    scaled = apply_factor(tiny, production, 2.0)
    assert scaled.donors[1].production[0].rates[0].per_day == 200.0
    moved = apply_factor(tiny, delivery, -3.0)
    assert moved.deliveries[0].date == dt.date(2022, 6, 2)
    assert apply_factor(tiny, lead, 4.0).donors[0].lead_days == 4
    assert isinstance(apply_factor(tiny, lead, 4.0).donors[0].lead_days, int)
    assert apply_factor(tiny, production, None) is tiny
    assert tiny.model_dump() == before


@pytest.mark.parametrize(("text", "expected"), [
    ("factors:\n  - {path: \"donors[west].prodution\", scale: [0.5, 2]}\n",
     "sweep.yaml:2:12: factors.0.path: path `donors[west].prodution`: unknown field "
     "`prodution` at donors.1; valid fields: delay_days_mean, dispatch_t_per_day, fair_share, "
     "id, lead_days, min_tranche_t, name, pause_prob_per_day, pauses, production,"),
    ("factors:\n  - {path: \"donors[north]\", remove: true}\n",
     "sweep.yaml:2:12: factors.0.path: path `donors[north]`: at donors: no element `north`; "
     "known: east, west"),
    ("factors:\n  - {path: \"depots[near].strike_prob_per_day\", scale: [2, 0.5]}\n",
     "sweep.yaml:2:55: factors.0.scale: must be a range [low, high] with low <= high; "
     "got [2, 0.5]"),
    ("factors:\n  - {path: \"depots[near].strike_prob_per_day\", values: []}\n",
     "sweep.yaml:2:56: factors.0.values: the list of values is empty; give at least one"),
    ("factors:\n  - {path: \"depots[near].strike_prob_per_day\", set: low}\n",
     "sweep.yaml:2:53: factors.0.set: must be a list of numbers [low, high]; got 'low'"),
    ("factors:\n  - {path: \"donors[east].lead_days\", scale: [1, 2]}\n",
     "sweep.yaml:2:12: factors.0.path: path `donors[east].lead_days` names no real number; "
     "scale needs real numbers"),
    ("factors:\n  - {path: \"depots[near].strike_prob_per_day\", scale: [1, 80]}\n",
     "sweep.yaml:2:55: factors.0.scale: at 80 the scenario is invalid: "
     "depots.0.strike_prob_per_day: must be less than or equal to 1; got 1.6"),
    ("seed: -1\nfactors: []\n", "sweep.yaml:1:7: seed: must be a whole number >= 0; got -1"),
    ("design: sobol\nfactors: []\n",
     "sweep.yaml:1:9: design: must be one of grid, random, lhs; got 'sobol'"),
    ("runs: 10\nfactor: []\n", "sweep.yaml:2:1: factor: unknown field `factor`; valid "
     "fields here: seed, runs, policy, scope, design, samples, factors, donors"),
])
def test_a_bad_sweep_file_is_a_located_error(tmp_path: Path, tiny: Scenario, text: str,
                                             expected: str) -> None:
    errors = _errors(tmp_path, tiny, text)
    assert any(e.startswith(str(tmp_path / expected.split(":", 1)[0]) + ":"
                            + expected.split(":", 1)[1]) for e in errors), errors


def test_every_issue_is_reported_at_once(tmp_path: Path, tiny: Scenario) -> None:
    errors = _errors(tmp_path, tiny, """
runs: 0
factors:
  - {path: \"depots[nowhere].capacity_t\", scale: [1, 2]}
  - {path: intensity.*.level, set: []}
""")
    assert [e.split(": ")[1] for e in errors] == ["runs", "factors.0.path", "factors.1.path",
                                              "factors.1.set"]
