"""The `plan` command: the optimal tranche plan, written to a directory and summarised."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer
from rich.table import Table

from resupply.cli.app import (
    EXIT_FAILED,
    DbOpt,
    ForceOpt,
    ScenarioArg,
    app,
    err,
    out,
    user_errors,
)
from resupply.compile import compile_problem
from resupply.domain.load import load_scenario
from resupply.domain.schema import Scenario
from resupply.errors import PlanningError
from resupply.files import OutputKind, check_output_dir, is_run_dir, write_run_dir

if TYPE_CHECKING:  # the planner (HiGHS, SciPy) is imported when a plan is made, not at startup
    from resupply.planning import PlanResult
    from resupply.planning.solve import WarmStart

WARM_FILE = "warm.npz"
"""Basis and dispatch of the plan, read back by a later `--from-day` re-plan in the same DIR."""


@app.command("plan")
@user_errors
def plan_cmd(  # noqa: PLR0917  (a Typer command: one parameter per option)
    scenario: ScenarioArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for plan.json, "
                                          "tranches.csv and stock.parquet (a plan directory is "
                                          "rewritten; anything else is refused without "
                                          "--force).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print plan.json to stdout.")] = False,
    integer: Annotated[bool, typer.Option(
        "--integer", help="MILP: minimum tranche sizes and whole units.")] = False,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", help="Wall-clock limit of the solve [s].", min=0.1)] = 600.0,
    method: Annotated[str, typer.Option(
        "--method", help="LP method: race (dual simplex and interior point side by side, the "
        "first to finish wins), simplex, ipm or choose (HiGHS decides).")] = "race",
    daily_days: Annotated[int | None, typer.Option(
        "--daily-days", help="Multi-resolution: plan the first N days day by day and the rest "
        "in steps of --step-days (faster, approximate; rows of a step are dated at its first "
        "day and hold its totals).", min=1)] = None,
    step_days: Annotated[int, typer.Option(
        "--step-days", help="Length of the later steps with --daily-days [days].", min=1)] = 7,
    from_day: Annotated[int | None, typer.Option(
        "--from-day", help="Re-plan from this day (counted from the start); needs --actuals.",
        min=1)] = None,
    actuals: Annotated[Path | None, typer.Option(
        "--actuals", help="YAML with lists depot_stock, dispatched, moves, announced (format: "
        "resupply.planning.actuals).")] = None,
    freeze_days: Annotated[int, typer.Option(
        "--freeze-days", help="Keep the announced tranches of the next N days.", min=0)] = 0,
    no_fairness: Annotated[bool, typer.Option(
        "--no-fairness", help="Ignore the donors' fair-share bands.")] = False,
    ledger: Annotated[bool, typer.Option(
        "--ledger", help="Plan with the ledger's open pledges as minimum tranches (they "
        "replace scenario pledges of the same id).")] = False,
    db: DbOpt = None,
    force: ForceOpt = False,
) -> None:
    """Plan which donor sends what, when and where, as tranches; write DIR; print a summary.

    Example: resupply plan ukraine-2022 --out plans/week-1

    With the open pledges of the ledger: resupply plan ukraine-2022 --ledger --out plans/now

    Rolling re-plan a week later, keeping three days of announced tranches:
    resupply plan ukraine-2022 --out plans/week-1 --from-day 7 --actuals actuals.yaml
    --freeze-days 3
    """
    from resupply.planning import Status, load_actuals, plan

    if (from_day is None) != (actuals is None):
        raise PlanningError("give --from-day and --actuals together")
    check_output_dir(out_dir, OutputKind.PLAN, force=force)
    problem = compile_problem(with_ledger(load_scenario(scenario), db) if ledger
                              else load_scenario(scenario))
    state = None
    if from_day is not None and actuals is not None:
        state = load_actuals(actuals, problem, from_day)
    result = plan(problem, actuals=state, freeze_days=freeze_days,
                  warm_start=_previous(out_dir, problem.scenario_hash), integer=integer,
                  time_limit=time_limit, fairness=not no_fairness, method=method,
                  daily_days=daily_days, step_days=step_days)
    write_run_dir(out_dir, OutputKind.PLAN, plan_files(result), force=force)
    if as_json:
        out.print_json(json.dumps(result.to_dict()))
    else:
        _print_summary(result, out_dir)
    if result.status in {Status.INFEASIBLE, Status.ERROR, Status.UNBOUNDED} or not has_plan(
            result):
        raise typer.Exit(EXIT_FAILED)  # no plan written: a script must not carry on


def _previous(out_dir: Path, scenario_hash: str) -> WarmStart | None:
    """The basis and dispatch of the plan already in ``out_dir``, if it is of this scenario."""
    from resupply.planning.solve import WarmStart

    path = out_dir / WARM_FILE
    if not is_run_dir(out_dir, OutputKind.PLAN) or not path.is_file():
        return None
    try:
        with np.load(path) as data:
            if str(data["scenario_hash"]) != scenario_hash:
                return None
            return WarmStart(data["col_status"], data["row_status"], data["dispatch"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # a damaged warm start only costs speed: plan cold


def plan_files(result: PlanResult) -> dict[str, str | bytes]:
    """What a plan directory holds: plan.json, and for a plan with a solution tranches.csv,
    stock.parquet and the warm-start data (file name -> contents)."""

    files: dict[str, str | bytes] = {"plan.json": json.dumps(result.to_dict(), indent=2)}
    if not has_plan(result):
        return files
    files["tranches.csv"] = result.tranches.to_csv(index=False)
    buffer = io.BytesIO()
    result.stock.to_parquet(buffer, index=False)
    files["stock.parquet"] = buffer.getvalue()
    if result.warm is not None and result.warm.dispatch is not None:
        warm = io.BytesIO()
        np.savez_compressed(warm, col_status=result.warm.col_status,
                            row_status=result.warm.row_status, dispatch=result.warm.dispatch,
                            scenario_hash=np.array(result.problem.scenario_hash))
        files[WARM_FILE] = warm.getvalue()
    return files


def has_plan(result: PlanResult) -> bool:
    """True when the solve produced a plan to write (optimal, or the best found in time)."""
    from resupply.planning import Status

    return result.status not in {Status.INFEASIBLE, Status.ERROR, Status.UNBOUNDED} and bool(
        np.isfinite(result.objective))


def _no_plan_line(result: PlanResult, out_dir: Path) -> str:
    """The summary of a solve that ended without a plan: why, and what to do."""
    from resupply.planning import Status

    p, limit = result.problem, result.options.time_limit
    why = {Status.INFEASIBLE: "no plan meets the hard constraints (the reasons follow); "
                              "`resupply validate` checks the causes it can see without solving",
           Status.TIME_LIMIT: f"the time limit of {limit:g} s ended before any plan was found; "
                              "give a longer --time-limit, or --daily-days for a faster model",
           }.get(result.status, f"the solver failed: {result.message}")
    return (f"{p.name}: {result.status} — no plan: {why}; {result.stats['n_vars']:,} variables, "
            f"{result.stats['n_cons']:,} constraints; wrote {out_dir / 'plan.json'} only")


def _print_summary(result: PlanResult, out_dir: Path) -> None:
    from resupply.planning import Status

    if not has_plan(result):
        err.print(_no_plan_line(result, out_dir), markup=False, highlight=False)
        for line in result.explanation:
            err.print(f"- {line}", markup=False, highlight=False)
        return
    p = result.problem
    terms = ", ".join(f"{k} {v:,.0f}" for k, v in result.terms.items() if np.isfinite(v))
    out.print(f"{p.name}: {result.status} — objective {result.objective:,.0f} EUR ({terms}); "
              f"{result.stats['n_vars']:,} variables, {result.stats['n_cons']:,} constraints, "
              f"solved in {result.stats['solve_s']:.2f} s; wrote {out_dir}",
              markup=False, highlight=False)
    if result.cost_of_fairness is not None:
        out.print(f"cost of fairness: {result.cost_of_fairness:,.0f} EUR", markup=False)
    if np.isfinite(result.objective):
        out.print(_family_table(result))
        out.print(_donor_table(result))
    for line in result.explanation:
        (err if result.status is Status.INFEASIBLE else out).print(
            f"- {line}", markup=False, highlight=False)


def _family_table(result: PlanResult) -> Table:
    from resupply.planning.summary import family_summary

    table = Table(title="supply by family")
    cols = ("standard", "family", "need", "delivered", "shortfall", "short days", "first short",
            "peak exposed stock", "expected strike loss EUR")
    for col in cols:
        table.add_column(col, justify="left" if col in {"standard", "family"} else "right")
    frame = family_summary(result).sort_values(["standard", "family"])
    for row in frame.to_dict("records"):
        table.add_row(str(row["standard"]), f"{row['family']} ({row['unit']})",
                      *(_fmt(row[c]) for c in ("need", "delivered", "shortfall")),
                      str(row["short_days"]), str(row["first_short"] or "—"),
                      _fmt(row["peak_exposed_stock"]), _fmt(row["expected_loss_eur"]))
    return table


def _donor_table(result: PlanResult) -> Table:
    from resupply.planning.summary import donor_summary

    table = Table(title="effort by donor")
    for col in ("donor", "units", "tons", "value EUR", "share", "fair share"):
        table.add_column(col, justify="left" if col == "donor" else "right")
    for row in donor_summary(result).to_dict("records"):
        fair = row["fair_share"]
        table.add_row(str(row["donor"]), _fmt(row["units"]), _fmt(row["tons"]),
                      _fmt(row["value_eur"]), f"{row['share']:.1%}",
                      "—" if not np.isfinite(fair) else f"{fair:.1%}")
    return table


def _fmt(value: Any) -> str:
    return f"{float(value):,.0f}"


def with_ledger(scenario: Scenario, db: str | None) -> Scenario:
    """The scenario with the ledger's open pledges (minimum quantities by their due dates);
    pledges the ledger cannot place in the scenario are listed on stderr."""
    from resupply.store import derive, open_pledges, open_store

    with open_store(db) as store:
        states = derive(store.events()).values()
    pledges, left_out = open_pledges(states, scenario)
    for line in left_out:
        err.print(f"ledger pledge left out: {line}", markup=False, highlight=False)
    ids = {p.id for p in pledges}
    kept = [p for p in scenario.pledges if p.id not in ids]
    err.print(f"ledger: {len(pledges)} open pledges used, {len(left_out)} left out",
              markup=False, highlight=False)
    return scenario.model_copy(update={"pledges": [*kept, *pledges]})
