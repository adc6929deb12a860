"""The plan step: options in, a `PlanResult` out; the files of a plan directory; the warm
start a later re-plan in the same directory reads back."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from resupply.compile import Problem
from resupply.workflow.rundir import (
    FLOWS,
    HUBS,
    PLAN_JSON,
    ROUTES,
    SHORTFALLS,
    STOCK,
    TRANCHES,
    WARM,
    RunKind,
    is_run,
)

if TYPE_CHECKING:  # the planner (HiGHS, SciPy) is imported when a plan is made, not at startup
    from resupply.planning import Actuals, PlanOptions, PlanResult
    from resupply.planning.size import ModelSize
    from resupply.planning.solve import WarmStart

SolveHook = Callable[["ModelSize"], None]
"""Told the model's size (rows, columns, non-zeros, memory) when its solve starts."""

FAILED = frozenset({"infeasible", "error", "unbounded"})
"""Statuses of a plan that has no solution to write."""


def make_plan(problem: Problem, options: PlanOptions | None = None, *,
              actuals: Actuals | None = None, freeze_days: int = 0,
              warm_start: PlanResult | WarmStart | None = None,
              on_solve: SolveHook | None = None) -> PlanResult:
    """The optimal plan of ``problem`` under ``options`` (default `PlanOptions()`); a
    rolling re-plan from ``actuals.from_day`` when given (see `resupply.planning.plan`;
    ``on_solve`` hears the model's size when the solve starts)."""
    from resupply.planning import plan

    return plan(problem, options, actuals=actuals, freeze_days=freeze_days,
                warm_start=warm_start, on_solve=on_solve)


def failed(result: PlanResult) -> bool:
    """True when the plan has no solution (infeasible, error, unbounded, no objective)."""
    return str(result.status) in FAILED or not np.isfinite(result.objective)


def no_plan_line(result: PlanResult, out_dir: Path) -> str:
    """The summary of a solve that ended without a plan (`failed`): why, and what to do."""
    p, limit, status = result.problem, result.options.time_limit, str(result.status)
    why = {"infeasible": "no plan meets the hard constraints (the reasons follow); "
                         "`resupply validate` checks the causes it can see without solving",
           "time_limit": f"the time limit of {limit:g} s ended before any plan was found; "
                         "give a longer --time-limit, or --daily-days for a faster model",
           }.get(status, f"the solver failed: {result.message}")
    return (f"{p.name}: {status} — no plan: {why}; {result.stats['n_vars']:,} variables, "
            f"{result.stats['n_cons']:,} constraints; wrote {out_dir / PLAN_JSON} and no "
            "tranches")


def plan_files(result: PlanResult) -> dict[str, str | bytes]:
    """What a plan part holds: plan.json, and for a plan with a solution tranches.csv,
    flows.csv (tons per route and hub), routes.parquet and hubs.parquet (units per route and
    held per hub, by item and day), stock.parquet, shortfall.parquet and the warm-start data
    (file name -> contents)."""
    from resupply.planning.flows import flow_table, hub_table, route_table

    files: dict[str, str | bytes] = {PLAN_JSON: json.dumps(result.to_dict(), indent=2)}
    if failed(result):
        return files
    files[TRANCHES] = result.tranches.to_csv(index=False)
    files[FLOWS] = flow_table(result).to_csv(index=False)
    files[ROUTES] = parquet_bytes(route_table(result))
    files[HUBS] = parquet_bytes(hub_table(result))
    files[STOCK] = parquet_bytes(result.stock)
    files[SHORTFALLS] = parquet_bytes(result.shortfalls)
    if result.warm is not None and result.warm.dispatch is not None:
        warm = io.BytesIO()
        np.savez_compressed(warm, col_status=result.warm.col_status,
                            row_status=result.warm.row_status, dispatch=result.warm.dispatch,
                            scenario_hash=np.array(result.problem.scenario_hash))
        files[WARM] = warm.getvalue()
    return files


def parquet_bytes(table: pd.DataFrame) -> bytes:
    """A table as Parquet file contents."""
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()


def previous_warm_start(out_dir: Path, scenario_hash: str) -> WarmStart | None:
    """The basis and dispatch of the plan already in ``out_dir``, if it is a plan directory
    of this scenario (a damaged warm start is ignored)."""
    from resupply.planning.solve import WarmStart

    path = out_dir / WARM
    if not is_run(out_dir, RunKind.PLAN) or not path.is_file():
        return None  # only a plan directory's own warm start is read
    try:
        with np.load(path) as data:
            if str(data["scenario_hash"]) != scenario_hash:
                return None
            return WarmStart(data["col_status"], data["row_status"], data["dispatch"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # a damaged warm start only costs speed: plan cold


def plan_summary(result: PlanResult) -> dict[str, object]:
    """What the store keeps of a plan: status, objective and its terms."""
    data = result.to_dict()
    return {k: data[k] for k in ("status", "objective", "terms")}
