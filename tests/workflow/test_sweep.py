"""Sweeps in this process: the variants a file asks for, each row against the same plan +
simulate run by hand, the table kept through an interruption, the tornado and the donors."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resupply.compile import compile_problem
from resupply.domain import Scenario, load_scenario
from resupply.domain.load import bundled_text
from resupply.errors import ResupplyError, ScenarioError
from resupply.report.html import embedded_figures
from resupply.simulation import SimOptions
from resupply.workflow.policies import plan_input, policy_for, reference_for, risk_scope
from resupply.workflow.simulations import run_simulation
from resupply.workflow.sweep import (
    RESULTS,
    Group,
    Variant,
    VariantRow,
    run_sweep,
    run_variant,
    serial,
    variant_scenario,
    variants,
)
from resupply.workflow.sweep_summary import donor_impacts, tornado, write_summaries
from resupply.workflow.sweepfile import SweepSpec, load_sweep

GRID = """
seed: 5
runs: 40
factors:
  - {name: west, path: "donors[west].production.*", scale: [0.5, 2], levels: 2}
  - {name: strike, path: "depots[near].strike_prob_per_day", set: [0, 0.1], levels: 2}
donors: {drop: true, pause_days: 10}
"""


def _spec(tmp_path: Path, tiny: Scenario, text: str) -> SweepSpec:
    path = tmp_path / "sweep.yaml"
    path.write_text(text)
    return load_sweep(path, tiny)


def test_a_grid_is_the_base_every_combination_and_the_donor_study(
        tmp_path: Path, tiny: Scenario) -> None:
    found = variants(_spec(tmp_path, tiny, GRID))
    assert found[0] == Variant(0, Group.BASE, (None, None))
    assert [v.values for v in found[1:5]] == [(0.5, 0.0), (0.5, 0.1), (2.0, 0.0), (2.0, 0.1)]
    assert [(v.donor, v.change) for v in found[5:]] == [
        ("east", "drop"), ("east", "pause"), ("west", "drop"), ("west", "pause")]
    assert [v.index for v in found] == list(range(9))
    assert len({v.key for v in found}) == 9


def test_a_latin_hypercube_puts_one_draw_in_each_stratum(tmp_path: Path,
                                                         tiny: Scenario) -> None:
    text = """
seed: 11
design: lhs
samples: 8
factors:
  - {path: "donors[west].production.*", scale: [0.5, 2]}
  - {path: "deliveries.*.date", shift_days: [0, 7]}
"""
    design = variants(_spec(tmp_path, tiny, text))[1:]
    scale = np.array([v.values[0] for v in design])
    assert sorted(np.floor((scale - 0.5) / 1.5 * 8).astype(int)) == list(range(8))
    assert sorted(v.values[1] for v in design) == [float(d) for d in range(8)]
    again = variants(_spec(tmp_path, tiny, text))[1:]
    other = variants(_spec(tmp_path, tiny, text.replace("seed: 11", "seed: 12")))[1:]
    assert again == design and other != design


def test_a_row_is_the_plan_and_simulation_of_the_scenario_edited_by_hand(
        tmp_path: Path, tiny: Scenario) -> None:
    spec = _spec(tmp_path, tiny, GRID)
    row = run_variant(tiny, spec, variants(spec)[3])  # west production x2, no strikes at near
    text = bundled_text("tiny").replace("per_day: 100}", "per_day: 200}").replace(
        "strike_prob_per_day: 0.02", "strike_prob_per_day: 0.0")
    (tmp_path / "edited.yaml").write_text(text)
    problem = compile_problem(load_scenario(tmp_path / "edited.yaml"))
    options = SimOptions(runs=40, seed=5)
    optimum, reference = reference_for(problem, options)
    sim = run_simulation(problem, policy_for(problem, None, None, plan_input(optimum)),
                         options, reference=reference)
    o = sim.metrics.overall
    assert (row.factors, row.status) == ((2.0, 0.0), "optimal")
    assert row.plan_objective == optimum.objective
    assert row.avoidable_stockout_prob == o.avoidable.stockout_prob
    assert (row.fill_rate, row.short, row.strike_loss_eur) == (
        o.fill_rate.mean, o.short.mean, o.lost_value.mean)
    assert row.strike_loss_eur < run_variant(tiny, spec, variants(spec)[4]).strike_loss_eur


class Interrupt:
    """A progress callback that presses Ctrl-C after ``after`` rows."""

    def __init__(self, after: int) -> None:
        self.after = after

    def __call__(self, done: int, total: int) -> None:
        if done >= self.after:
            raise KeyboardInterrupt


class Recording:
    """An executor that runs serially and remembers what it was given."""

    def __init__(self) -> None:
        self.given: list[int] = []

    def __call__(self, base: Scenario, spec: SweepSpec,
                 todo: Sequence[Variant]) -> Iterator[VariantRow]:
        self.given += [v.index for v in todo]
        return serial(base, spec, todo)


def test_an_interrupted_sweep_keeps_its_rows_and_resume_runs_only_the_rest(
        tmp_path: Path, tiny: Scenario) -> None:
    spec = _spec(tmp_path, tiny, GRID)
    whole = run_sweep(tiny, spec, tmp_path / "whole", serial).table
    with pytest.raises(KeyboardInterrupt):
        run_sweep(tiny, spec, tmp_path / "cut", serial, progress=Interrupt(4))
    kept = pd.read_parquet(tmp_path / "cut" / RESULTS)
    assert list(kept["variant"]) == [0, 1, 2, 3]
    again = Recording()
    resumed = run_sweep(tiny, spec, tmp_path / "cut", again, resume=True)
    assert again.given == [4, 5, 6, 7, 8]
    assert resumed.skipped == 4 and resumed.complete
    pd.testing.assert_frame_equal(resumed.table, whole)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "cut" / RESULTS), whole)


def test_a_sweep_does_not_overwrite_or_resume_another(tmp_path: Path, tiny: Scenario) -> None:
    spec = _spec(tmp_path, tiny, GRID)
    run_sweep(tiny, spec, tmp_path / "out", serial)
    with pytest.raises(ResupplyError, match="give --resume"):
        run_sweep(tiny, spec, tmp_path / "out", serial)
    other = _spec(tmp_path, tiny, GRID.replace("seed: 5", "seed: 6"))
    with pytest.raises(ResupplyError, match="another scenario or sweep file"):
        run_sweep(tiny, other, tmp_path / "out", serial, resume=True)


def test_the_tornado_and_the_donors_are_the_means_computed_by_hand(
        tmp_path: Path, tiny: Scenario) -> None:
    spec = _spec(tmp_path, tiny, GRID)
    table = run_sweep(tiny, spec, tmp_path / "out", serial).table
    design = table[table["group"] == "design"]
    bars = {(b.metric, b.factor): b for b in tornado(spec, table)}
    for factor in ("west", "strike"):
        low, high = design[factor].min(), design[factor].max()
        for metric in ("avoidable_short", "strike_loss_eur"):
            bar = bars[(metric, factor)]
            at_low = design.loc[design[factor] == low, metric].mean()
            at_high = design.loc[design[factor] == high, metric].mean()
            assert (bar.low, bar.high, bar.n_low, bar.n_high) == (low, high, 2, 2)
            assert bar.swing == pytest.approx(at_high - at_low, rel=1e-12, abs=1e-12)
    strike = [b for b in tornado(spec, table) if b.metric == "strike_loss_eur"]
    assert strike[0].factor == "strike" and strike[0].swing > 0  # more strikes, more loss
    base = table.iloc[0]
    donors = donor_impacts(table)
    assert {(d.donor, d.change) for d in donors} == {
        ("east", "drop"), ("east", "pause"), ("west", "drop"), ("west", "pause")}
    shortfall = [d.delta["plan_shortfall"] for d in donors]
    assert shortfall == sorted(shortfall, reverse=True)
    east = next(d for d in donors if (d.donor, d.change) == ("east", "drop"))
    row = table[(table["donor"] == "east") & (table["change"] == "drop")].iloc[0]
    assert east.delta["plan_shortfall"] == row["plan_shortfall"] - base["plan_shortfall"]
    # east's 1,500 rounds of 152 mm are all the 152 mm supply: the plan is short of them all
    assert east.delta["plan_shortfall"] == pytest.approx(1500.0, abs=1e-3)
    write_summaries(tmp_path / "out", "tiny", spec, table)
    figures = embedded_figures((tmp_path / "out" / "sweep.html").read_text())
    assert sorted(figures) == ["donors", "tornado-avoidable-short",
                               "tornado-avoidable-stockout-prob", "tornado-plan-shortfall",
                               "tornado-strike-loss-eur"]
    drawn = figures["tornado-strike-loss-eur"]["data"][0]
    assert drawn["y"][::-1] == [b.factor for b in strike]  # the largest swing on top
    assert drawn["x"][::-1] == pytest.approx([b.swing for b in strike], rel=1e-12)
    assert not math.isnan(east.figures["avoidable_stockout_prob"])


def test_a_combination_the_schema_refuses_is_a_row_that_says_so(tmp_path: Path,
                                                                 tiny: Scenario) -> None:
    spec = _spec(tmp_path, tiny, """
factors:
  - {path: "depots[near].strike_prob_per_day", set: [0, 0.5], levels: 2}
  - {path: "depots[near].strike_prob_per_day", scale: [1, 2.5], levels: 2, name: again}
""")
    row = run_variant(tiny, spec, variants(spec)[4])  # 0.5 x 2.5 = 1.25 > 1
    assert row.status.startswith("invalid: depots.0.strike_prob_per_day: must be less than")
    assert math.isnan(row.avoidable_stockout_prob) and math.isnan(row.plan_objective)


def test_every_variant_counts_the_families_in_scope_in_the_base_scenario(
        tmp_path: Path, tiny: Scenario) -> None:
    spec = _spec(tmp_path, tiny, """
runs: 20
factors:
  - {path: "platforms[m777].uses.*.rounds_per_day", scale: [1, 20], levels: 2}
""")
    assert spec.scope_families == ("art155",)  # art152 runs dry whatever is sent
    hungry = variants(spec)[2]  # M777s fire 20x: art155 runs dry even with all supply sent
    problem = compile_problem(variant_scenario(tiny, spec, hungry))
    assert not risk_scope(problem).any()  # its own scope would count no family at all
    row = run_variant(tiny, spec, hungry)
    assert (row.status, row.stockout_prob) == ("optimal", 1.0)


def test_an_unknown_scope_is_a_located_error(tmp_path: Path, tiny: Scenario) -> None:
    with pytest.raises(ScenarioError, match=r"sweep.yaml:1:8: scope: unknown families art999"):
        _spec(tmp_path, tiny, "scope: art999\nfactors: []\n")
