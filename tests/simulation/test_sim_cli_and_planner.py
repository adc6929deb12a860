"""The `simulate` and `compare` commands, partial results on Ctrl-C, and the real planner's
plans (``resupply.planning``) followed by the simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from resupply.cli.app import build_app
from resupply.compile import Problem, compile_problem
from resupply.simulation import (
    DemandModel,
    LumpPolicy,
    PlanInput,
    PlanPolicy,
    SimOptions,
    plan_input_from_tranches,
    simulate,
)
from resupply.simulation.rolling import RollingPolicy

planning = pytest.importorskip("resupply.planning")
runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(build_app(), list(args), catch_exceptions=False)


def test_a_multi_resolution_plan_is_refused_with_a_message(tmp_path: Path) -> None:
    assert invoke("plan", "tiny", "--out", str(tmp_path / "plan"),
                  "--daily-days", "7").exit_code == 0
    result = invoke("simulate", "tiny", "--plan", str(tmp_path / "plan"), "--runs", "10",
                    "--out", str(tmp_path / "sim"))
    assert result.exit_code == 1
    assert "multi-resolution" in result.output and "--daily-days" in result.output
    assert not (tmp_path / "sim").exists()


def test_simulate_writes_metrics_and_bands(tmp_path: Path) -> None:
    result = invoke("simulate", "tiny", "--policy", "cadence:7", "--runs", "40", "--seed", "3",
                    "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["runs"] == 40 and metrics["partial"] is False
    assert set(metrics["families"]) == {"art152", "art155"}
    assert set(metrics["depots"]) == {"near", "far"}
    assert 0.0 <= metrics["overall"]["fill_rate"]["mean"] <= 1.0
    bands = pd.read_parquet(tmp_path / "bands.parquet")
    assert len(bands) == 30 * 2
    assert (bands["dos_p5"] <= bands["dos_p95"]).all()


def test_simulate_json_and_errors(tmp_path: Path) -> None:
    result = invoke("simulate", "tiny", "--policy", "lump", "--runs", "10", "--json", "--out",
                    str(tmp_path))
    assert json.loads(result.output)["policy"] == "lump"
    bad = invoke("simulate", "tiny", "--policy", "weekly", "--out", str(tmp_path / "x"))
    assert bad.exit_code == 1 and "unknown policy 'weekly'" in bad.output
    assert not (tmp_path / "x").exists()


def test_simulate_follows_a_plan_directory(tmp_path: Path) -> None:
    planned = invoke("plan", "tiny", "--out", str(tmp_path / "plan"))
    assert planned.exit_code == 0, planned.output
    result = invoke("simulate", "tiny", "--plan", str(tmp_path / "plan"), "--runs", "20",
                    "--out", str(tmp_path / "sim"))
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "sim" / "metrics.json").read_text())["policy"] == "plan"


def test_compare_prints_the_frontier() -> None:
    result = invoke("compare", "tiny", "--policies", "lump,cadence:30,cadence:1,plan",
                    "--runs", "60")
    assert result.exit_code == 0, result.output
    for name in ("lump", "cadence:30", "cadence:1", "plan", "frontier", "best with"):
        assert name in result.output
    assert "left out of the stockout figures (--scope ammunition): art152" in result.output


def test_compare_scope_choices() -> None:
    result = invoke("compare", "tiny", "--policies", "lump", "--runs", "20", "--scope", "art155",
                    "--json")
    assert json.loads(result.output)["out_of_scope"] == ["art152"]
    bad = invoke("compare", "tiny", "--policies", "lump", "--scope", "art999")
    assert bad.exit_code == 1 and "unknown families art999" in bad.output


def test_ctrl_c_keeps_the_finished_chunks(tiny: Problem) -> None:
    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    result = simulate(tiny, LumpPolicy(), SimOptions(runs=30, block_runs=10, chunk_runs=10),
                      progress=interrupt)
    assert result.partial and result.runs == 10


def test_plan_tables_convert_to_the_planners_arrays(make_tiny_variant: Any) -> None:
    p = compile_problem(make_tiny_variant(strikes=False, east_stock=6000.0))
    res = planning.plan(p)
    stock = res.stock
    converted = plan_input_from_tranches(p, res.tranches, stock)
    np.testing.assert_allclose(converted.dispatch, res.dispatch, atol=1e-6)
    inside = np.ones_like(res.moves, dtype=bool)
    for k, transit in enumerate(p.transit_days):
        inside[:, k, p.n_days - transit:] = False  # arrivals after the horizon are not in it
    np.testing.assert_allclose(converted.moves[inside], res.moves[inside], atol=1e-6)


def test_simulating_the_planners_plan_reproduces_its_stock(make_tiny_variant: Any) -> None:
    """Strikes off, demand fixed, a plan with no shortfall: the stock is the planner's."""
    p = compile_problem(make_tiny_variant(strikes=False, east_stock=6000.0))
    res = planning.plan(p)
    assert res.ok and res.shortfall.sum() < 1e-6
    plan = PlanInput(dispatch=np.array(res.dispatch), moves=np.array(res.moves))
    options = SimOptions(runs=2, strikes=False, delays=False, surges=False,
                         demand=DemandModel("fixed"), record_stock=True)
    result = simulate(p, PlanPolicy(plan), options)
    np.testing.assert_allclose(result.stock[0], res.depot_stock, rtol=1e-9, atol=1e-6)


def test_simulating_a_plan_with_shortfall_reproduces_its_stock(make_tiny_variant: Any) -> None:
    """Strikes off, demand fixed, a plan that runs 152 mm rounds out: the planner meets need as
    early as it can (its shortfall costs a little more on early days), which is what the
    simulator does with the stock it is given, so stock and shortfall per family match."""
    p = compile_problem(make_tiny_variant(strikes=False))
    res = planning.plan(p)
    assert res.ok and res.shortfall.sum() > 2000
    plan = PlanInput(dispatch=np.array(res.dispatch), moves=np.array(res.moves))
    options = SimOptions(runs=2, strikes=False, delays=False, surges=False,
                         demand=DemandModel("fixed"), record_stock=True)
    result = simulate(p, PlanPolicy(plan), options)
    onehot = np.eye(len(p.families))[p.item_family]
    simulated = np.einsum("ikt,if->fkt", result.stock[0], onehot)
    planned = np.einsum("ikt,if->fkt", res.depot_stock, onehot)
    np.testing.assert_allclose(simulated, planned, rtol=1e-9, atol=1e-6)
    short = (p.need - np.einsum("ikt,if->fkt", res.consumption, onehot)).sum()
    np.testing.assert_allclose(result.totals.met.sum(axis=(1, 2)), p.need.sum() - short, rtol=1e-9)


def test_rolling_replans_with_the_real_planner(tiny: Problem) -> None:
    """Re-planning every 10 days on each run's history does at least about as well as the
    plan made once, and every re-plan succeeds."""
    from resupply.workflow import planner

    solve = planner()
    assert solve is not None
    options = SimOptions(runs=4, seed=2)
    rolling = RollingPolicy(10, solve)
    rolled = simulate(tiny, rolling, options).totals
    once = simulate(tiny, PlanPolicy(solve(tiny, None)), options).totals
    assert rolling.failed_replans == 0
    assert rolled.met.sum() >= 0.95 * once.met.sum()
