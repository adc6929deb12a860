"""The bundled `ukraine-2022` scenario: its shape, its sourcing and its run-dry story.

The scenario is an illustration: Soviet-standard artillery families run dry within the horizon
(first without resupply, then even with every donor's stock sent), while the NATO-standard
155 mm and 227 mm families are carried by donor supply.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from resupply.analysis import FamilyOutlook, explain
from resupply.compile import compile_problem
from resupply.domain import Scenario, bundled_names, load_scenario
from resupply.domain.load import bundled_text

NAME = "ukraine-2022"
SOVIET_ARTILLERY = ("art152", "art122", "rkt122")
NATO_FIRES = ("art155", "rkt227")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(NAME)


@pytest.fixture(scope="module")
def outlook(scenario: Scenario) -> dict[str, FamilyOutlook]:
    return {row.family: row for row in explain(compile_problem(scenario)).families}


def test_is_bundled() -> None:
    assert NAME in bundled_names()


def test_structure(scenario: Scenario) -> None:
    assert scenario.name == NAME
    assert scenario.start == dt.date(2022, 6, 1)
    assert scenario.horizon_days == 180
    assert scenario.end == dt.date(2022, 11, 27)
    assert {"soviet", "nato"} <= {s.id for s in scenario.standards}
    assert len(scenario.standards) >= 2
    assert len(scenario.families) >= 8
    assert len(scenario.platforms) == 12
    assert len(scenario.donors) == 15
    assert len(scenario.depots) == 6
    assert "illustration" in scenario.description.lower()
    assert "not an assessment" in scenario.description.lower()


def test_families_cover_both_standards(scenario: Scenario) -> None:
    by_id = {f.id: f for f in scenario.families}
    for fam in (*SOVIET_ARTILLERY, "sa762"):
        assert by_id[fam].standard == "soviet"
    for fam in (*NATO_FIRES, "mor120", "sa556"):
        assert by_id[fam].standard == "nato"
    spares = [f for f in scenario.families if f.kind == "spare_part"]
    assert spares, "at least one spare-barrel family"
    worn = {w.family for p in scenario.platforms for w in p.wear}
    assert {f.id for f in spares} <= worn
    every_item_family = {i.family for i in scenario.items}
    assert every_item_family == set(by_id)


def test_depot_shares_and_capacity(scenario: Scenario) -> None:
    assert sum(d.demand_share for d in scenario.depots) == pytest.approx(1.0, abs=1e-9)
    mass = {i.id: i.mass_kg / 1000.0 for i in scenario.items}
    for depot in scenario.depots:
        held = sum(line.quantity * mass[line.item] for line in depot.initial_stock)
        assert held <= depot.capacity_t, depot.id


def test_hubs_exceed_daily_need_in_tons(scenario: Scenario) -> None:
    problem = compile_problem(scenario)
    need = problem.family_need()
    fam_mass = [problem.item_mass_t[problem.item_family == f].mean()
                for f in range(len(problem.families))]
    tons = sum(need[f] * fam_mass[f] for f in range(len(problem.families)))
    assert tons.max() * 3 < problem.hub_limit_t.sum(axis=0).min()


def test_three_entry_hubs_reach_every_depot(scenario: Scenario) -> None:
    """Issue 11: at least three entry hubs with their routes; every donor reaches a hub and
    every depot is reached from a hub, each route at its own cost."""
    assert scenario.network is not None and scenario.hub is None
    problem = compile_problem(scenario)
    assert len(problem.hubs) >= 3
    assert set(problem.supply_donor) == set(range(len(problem.donors)))
    assert set(problem.route_depot[problem.route_from_hub >= 0]) == set(range(6))
    assert len(set(problem.route_cost)) > 1 and len(set(problem.supply_cost)) > 1
    for hub in range(len(problem.hubs)):
        assert (problem.supply_hub == hub).any() and (problem.route_from_hub == hub).any()


def test_june_artillery_calibration(scenario: Scenario) -> None:
    """Skibitsky (Guardian, 10 Jun 2022): 5,000-6,000 artillery rounds a day, mostly Soviet."""
    problem = compile_problem(scenario)
    need0 = dict(zip(problem.families, problem.family_need()[:, 0], strict=True))
    soviet = need0["art152"] + need0["art122"]
    total = soviet + need0["art155"]
    assert 5000 <= total <= 6000
    assert soviet > total / 2


def test_every_number_is_sourced_or_assumed() -> None:
    """Every `key: number` line carries a `# source:` or `# assumption:` comment (names aside)."""
    numeric_value = re.compile(r"\b[a-z_]+:\s*-?\d")
    unsourced = []
    for n, line in enumerate(bundled_text(NAME).splitlines(), start=1):
        code, _, comment = line.partition("#")
        if not numeric_value.search(code) or code.strip().startswith(("name:", "- id:")):
            continue
        if not re.search(r"\b(source|assumption)\b", comment) and "schema version" not in comment:
            unsourced.append(f"{n}: {line}")
    assert not unsourced, "\n".join(unsourced)


def test_soviet_artillery_runs_dry(outlook: dict[str, FamilyOutlook]) -> None:
    for fam in SOVIET_ARTILLERY:
        row = outlook[fam]
        assert row.runs_dry_without_resupply is not None, fam
        assert row.runs_dry_with_all_supply is not None, fam
        assert row.runs_dry_without_resupply <= row.runs_dry_with_all_supply


def test_soviet_runs_dry_before_nato(outlook: dict[str, FamilyOutlook]) -> None:
    end = dt.date.max
    last_soviet_without = max(outlook[f].runs_dry_without_resupply or end
                              for f in SOVIET_ARTILLERY)
    last_soviet_with = max(outlook[f].runs_dry_with_all_supply or end for f in SOVIET_ARTILLERY)
    for fam in NATO_FIRES:
        row = outlook[fam]
        assert (row.runs_dry_without_resupply or end) > last_soviet_without, fam
        assert (row.runs_dry_with_all_supply or end) > last_soviet_with, fam


def test_nato_fires_are_covered_by_donors(outlook: dict[str, FamilyOutlook]) -> None:
    for fam in NATO_FIRES:
        row = outlook[fam]
        assert row.runs_dry_with_all_supply is None, fam
        assert row.donors_can_give + row.stock >= row.need_over_horizon, fam
