"""routes.parquet and hubs.parquet of a plan directory: the plan's route, supply and hub-stock
arrays day by day (rows only where nonzero, sorted), in every plan directory, read back by
`load_run`; in a multi-resolution plan ``day`` is the step's first day."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from resupply.compile import Problem, compile_problem
from resupply.domain import Scenario
from resupply.planning import PlanOptions, PlanResult, Status, plan
from resupply.workflow.plans import plan_files
from resupply.workflow.rundir import HUBS, ROUTES, RunKind, load_run, owned_files

Cli = Callable[..., tuple[int, str, str]]
TOL = 1e-9


@pytest.fixture(scope="module")
def network_plan(tiny_network: dict[str, Any]) -> PlanResult:
    result = plan(compile_problem(Scenario.model_validate(tiny_network)))
    assert result.status is Status.OPTIMAL
    return result


def _tables(result: PlanResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    files = plan_files(result)
    routes, hubs = (pd.read_parquet(io.BytesIO(bytes(files[name]))) for name in (ROUTES, HUBS))
    return routes, hubs


def _dense(table: pd.DataFrame, key: str, keys: tuple[str, ...], p: Problem,
           column: str) -> np.ndarray:
    """The table back as [key, item, step] (zeros where it has no row)."""
    out = np.zeros((len(keys), len(p.items), len(p.step_days)))
    step = {int(d): t for t, d in enumerate(p.step_start)}
    for row in table.itertuples(index=False):
        out[keys.index(getattr(row, key)), p.items.index(row.item), step[row.day]] += getattr(
            row, column)
    return out


def _check(result: PlanResult) -> None:
    """Both tables equal the plan's arrays, only nonzero rows, sorted, with their types."""
    p = result.problem
    routes, hubs = _tables(result)
    assert list(routes.columns) == ["route", "item", "day", "units"]
    assert list(hubs.columns) == ["hub", "item", "day", "stock"]
    assert routes["day"].dtype == np.int64 and routes["units"].dtype == np.float64
    assert hubs["day"].dtype == np.int64 and hubs["stock"].dtype == np.float64
    assert (routes["units"] > TOL).all() and (hubs["stock"] > TOL).all()
    for table, key in ((routes, "route"), (hubs, "hub")):
        order = table.sort_values([key, "item", "day"], kind="stable").index
        assert list(order) == list(table.index)
    assert result.supply_flows is not None and result.route_flows is not None
    assert result.hub_stocks is not None
    ids = (*p.supply_ids, *p.route_ids)
    dense = _dense(routes, "route", ids, p, "units")
    supply = np.where(result.supply_flows > TOL, result.supply_flows, 0.0)
    route = np.where(result.route_flows > TOL, result.route_flows, 0.0).transpose(1, 0, 2)
    np.testing.assert_array_equal(dense[:len(p.supply_ids)], supply)
    np.testing.assert_array_equal(dense[len(p.supply_ids):], route)
    held = np.where(result.hub_stocks > TOL, result.hub_stocks, 0.0).transpose(1, 0, 2)
    np.testing.assert_array_equal(_dense(hubs, "hub", p.hubs, p, "stock"), held)


def test_the_tables_are_the_plans_arrays_on_a_network(network_plan: PlanResult) -> None:
    _check(network_plan)
    routes, hubs = _tables(network_plan)
    assert set(hubs["hub"]) == {"main", "south"}
    assert {"west-south", "far-near"} <= set(routes["route"])


def test_a_one_hub_plan_has_the_tables_too(tiny_problem: Problem) -> None:
    result = plan(tiny_problem)
    _check(result)
    routes, hubs = _tables(result)
    assert set(hubs["hub"]) <= {"hub"} and len(routes) > 0


def test_a_multiresolution_plan_puts_each_step_on_its_first_day(
        tiny_network: dict[str, Any]) -> None:
    """Daily for 10 days, then weeks: every day of the tables is a step's first day, and the
    step's total is on it."""
    result = plan(compile_problem(Scenario.model_validate(tiny_network)),
                  PlanOptions(daily_days=10, step_days=7))
    assert result.status is Status.OPTIMAL
    assert list(result.problem.step_start) == [*range(10), 10, 17, 24]
    routes, hubs = _tables(result)
    assert set(routes["day"]) | set(hubs["day"]) <= {*range(10), 10, 17, 24}
    _check(result)


def test_without_route_flows_there_are_no_rows(network_plan: PlanResult) -> None:
    from dataclasses import replace

    bare = replace(network_plan, supply_flows=None, route_flows=None, hub_stocks=None)
    routes, hubs = _tables(bare)
    assert routes.empty and list(routes.columns) == ["route", "item", "day", "units"]
    held = network_plan.hub_stock
    assert hubs["stock"].sum() == pytest.approx(held[held > TOL].sum(), rel=1e-12)
    assert set(hubs["hub"]) == {"main"}


def test_a_plan_directory_holds_them_and_load_run_reads_them(
        cli: Cli, tiny_network_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    code, stdout, _ = cli("plan", str(tiny_network_file), "--out", str(out))
    assert code == 0, stdout
    assert (out / ROUTES).is_file() and (out / HUBS).is_file()
    assert ROUTES in owned_files(RunKind.PLAN) and HUBS in owned_files(RunKind.PLAN)
    run = load_run(out)
    assert run.routes is not None and run.hubs is not None and run.flows is not None
    pd.testing.assert_frame_equal(run.routes, pd.read_parquet(out / ROUTES))
    assert not list(out.glob("*.tmp*")) and not list(out.glob(".*"))


def test_a_damaged_routes_table_is_named(cli: Cli, tiny_network_file: Path,
                                         tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert cli("plan", str(tiny_network_file), "--out", str(out))[0] == 0
    pd.DataFrame({"route": ["x"]}).to_parquet(out / ROUTES)
    code, _, err = cli("report", str(out))
    assert code == 1 and "routes.parquet: missing columns item, day, units" in err
