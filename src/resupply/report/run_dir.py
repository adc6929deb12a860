"""The run directory: what `resupply demo` writes and `resupply report` reads.

::

    RUN_DIR/
      scenario.json                 the scenario as run (so a report never depends on a file
                                    that may have changed since)
      explain.json                  `resupply explain --json`
      plan/plan.json, tranches.csv, stock.parquet          `resupply plan --out`
      simulate/metrics.json, bands.parquet                 `resupply simulate --out`
      compare/frontier.json, metrics-POLICY.json           `resupply compare --out`
      report.html                   written by `resupply report`
      exports/                      one CSV per table, or report.xlsx

Every part but scenario.json is optional: a report shows the sections it has data for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from resupply.compile import Problem, compile_problem
from resupply.domain.load import load_scenario
from resupply.domain.schema import Scenario
from resupply.domain.source import read_bounded
from resupply.errors import ResupplyError, ScenarioError
from resupply.files import MARKERS, OutputKind, is_run_dir
from resupply.report.run_schema import json_problem, table_problem

SCENARIO = MARKERS[OutputKind.RUN]
EXPLAIN = "explain.json"
PLAN_DIR = "plan"
SIM_DIR = "simulate"
COMPARE_DIR = "compare"
REPORT = "report.html"
EXPORTS = "exports"


MAX_RUN_FILE_BYTES = 200 * 1024 * 1024
"""Largest JSON file of a run directory read [bytes] (checked before reading)."""


class RunDirError(ResupplyError):
    """A run directory is missing or holds an unreadable file."""


@dataclass(frozen=True)
class RunData:
    """Everything a report shows, read from one run directory."""

    path: Path
    scenario: Scenario
    problem: Problem
    explain: dict[str, Any] | None
    plan: dict[str, Any] | None
    tranches: pd.DataFrame | None
    stock: pd.DataFrame | None
    metrics: dict[str, Any] | None
    bands: pd.DataFrame | None
    frontier: dict[str, Any] | None


def load_run(path: Path) -> RunData:
    """Read a run directory; raises `RunDirError` naming the file that is missing or broken."""
    if not is_run_dir(path, OutputKind.RUN):
        raise RunDirError(f"{path}: not a run directory (no {SCENARIO}); create one with "
                          "`resupply demo --out DIR`")
    scenario = load_scenario(path / SCENARIO)
    return RunData(
        path=path, scenario=scenario, problem=compile_problem(scenario),
        explain=_json(path / EXPLAIN), plan=_json(path / PLAN_DIR / "plan.json"),
        tranches=_table(path / PLAN_DIR / "tranches.csv"),
        stock=_table(path / PLAN_DIR / "stock.parquet"),
        metrics=_json(path / SIM_DIR / "metrics.json"),
        bands=_table(path / SIM_DIR / "bands.parquet"),
        frontier=_json(path / COMPARE_DIR / "frontier.json"))


def _json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(read_bounded(path, limit=MAX_RUN_FILE_BYTES))
    except (OSError, ValueError, RecursionError, ScenarioError) as exc:
        raise RunDirError(f"{path}: unreadable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise RunDirError(f"{path}: expected a JSON object")
    problem = json_problem(path.name, data)
    if problem is not None:
        raise RunDirError(f"{path}: {problem}; write it again with the command that made it")
    return data


def _table(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        if path.suffix == ".parquet":
            table = pd.read_parquet(path)
        else:
            table = pd.read_csv(path)
            problem = table_problem(path.name, table)
            if problem is None:
                table["date"] = pd.to_datetime(table["date"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RunDirError(f"{path}: unreadable table ({exc})") from None
    problem = table_problem(path.name, table)
    if problem is not None:
        raise RunDirError(f"{path}: {problem}; write it again with the command that made it")
    return table
