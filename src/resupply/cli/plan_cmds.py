"""The `plan` command: the optimal tranche plan, written to a run directory, recorded and
summarised (the work is `resupply.workflow.runs.plan_run`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer
from rich.table import Table

from resupply.cli.app import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    DbOpt,
    ForceOpt,
    ScenarioArg,
    app,
    err,
    out,
    user_errors,
)
from resupply.workflow.certify import Certificate, CertifyOptions, parse_risk
from resupply.workflow.plans import failed, no_plan_line
from resupply.workflow.runs import certified_plan_run, plan_run

if TYPE_CHECKING:  # the planner (HiGHS, SciPy) is imported when a plan is made, not at startup
    from resupply.planning import PlanResult
    from resupply.planning.size import ModelSize


@app.command("plan")
@user_errors
def plan_cmd(  # noqa: PLR0917  (a Typer command: one parameter per option)
    scenario: ScenarioArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for plan.json, "
                                          "tranches.csv and stock.parquet (a plan directory is "
                                          "rewritten; anything else needs --force).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print plan.json to stdout.")] = False,
    integer: Annotated[bool, typer.Option(
        "--integer", help="MILP: minimum tranche sizes, whole units and fixed costs per "
        "tranche and per shipment (the LP leaves those costs out).")] = False,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", help="Wall-clock limit of building and solving the model [s].",
        min=0.1)] = 600.0,
    memory_budget: Annotated[str | None, typer.Option(
        "--memory-budget", help="Refuse a model whose estimated peak memory is larger (16GB, "
        "500MB, 2GiB); default 80% of the memory available.")] = None,
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
    risk: Annotated[str | None, typer.Option(
        "--risk", help="Certify the plan to this probability of an avoidable stockout over "
        "the horizon (5% or 0.05): buffers sized from the simulator, re-planned, then "
        "certified on fresh runs (one-sided 95% Clopper-Pearson bound). Exit 1 unless "
        "certified.")] = None,
    calibration_runs: Annotated[int, typer.Option(
        "--calibration-runs", min=10, help="Runs of each calibration simulation (--risk).")
    ] = 1000,
    certification_runs: Annotated[int, typer.Option(
        "--certification-runs", min=10, help="Fresh runs behind the certificate (--risk).")
    ] = 2000,
    seed: Annotated[int, typer.Option(
        "--seed", min=0, help="Calibration seed (--risk); the certificate uses seed + 1.")] = 0,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, help="Simulation processes (--risk); results do not depend on "
        "it.")] = 1,
    scope: Annotated[str, typer.Option(
        "--scope", help="Families the certified risk counts (--risk): ammunition (coverable "
        "ammunition, the default), coverable, all, or a comma-separated list.")
    ] = "ammunition",
    db: DbOpt = None,
    force: ForceOpt = False,
) -> None:
    """Plan which donor sends what, when and where, as tranches; write DIR; print a summary.

    Example: resupply plan ukraine-2022 --out plans/week-1

    With the open pledges of the ledger: resupply plan ukraine-2022 --ledger --out plans/now

    Rolling re-plan a week later, keeping three days of announced tranches:
    resupply plan ukraine-2022 --out plans/week-1 --from-day 7 --actuals actuals.yaml
    --freeze-days 3

    Certified to a 5 % chance of an avoidable stockout:
    resupply plan ukraine-2022 --risk 5% --out plans/certified
    """
    from resupply.planning import PlanOptions, Status
    from resupply.planning.size import parse_bytes

    if risk is not None:
        certified = CertifyOptions(risk=parse_risk(risk), calibration_runs=calibration_runs,
                                   certification_runs=certification_runs, seed=seed,
                                   time_limit=time_limit, workers=workers)
        run_certified = certified_plan_run(scenario, out_dir, certified, scope=scope, db=db,
                                           force=force)
        _print_certificate(run_certified.certificate, out_dir)
        out.print(f"recorded {run_certified.recorded}", markup=False, highlight=False)
        if run_certified.certificate.status != "certified":
            raise typer.Exit(EXIT_FAILED)
        return

    options = PlanOptions(integer=integer, time_limit=time_limit, fairness=not no_fairness,
                          method=method, daily_days=daily_days,  # type: ignore[arg-type]
                          step_days=step_days, memory_budget=None if memory_budget is None
                          else parse_bytes(memory_budget))
    try:
        run = plan_run(scenario, out_dir, options, actuals=actuals, from_day=from_day,
                       freeze_days=freeze_days, ledger=ledger, db=db, force=force,
                       on_solve=_say_solving)
    except KeyboardInterrupt:
        said = "" if out_dir.exists() else f"; nothing written to {out_dir}"
        err.print(f"interrupted: planning cancelled{said}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    for note in run.notes:
        err.print(note, markup=False, highlight=False)
    result = run.result
    if as_json:
        out.print_json(json.dumps(result.to_dict()))
    else:
        _print_summary(result, out_dir)
        out.print(f"recorded {run.recorded}", markup=False, highlight=False)
    if result.status in {Status.INFEASIBLE, Status.ERROR, Status.UNBOUNDED} or failed(result):
        raise typer.Exit(EXIT_FAILED)  # no plan written: a script must not carry on


def _say_solving(size: ModelSize) -> None:
    """The line a user sees while a long solve runs (also what tests wait for). Written
    directly: a Ctrl-C just after Rich's write, before it clears its buffer, would print the
    line a second time with the next message."""
    err.file.write(f"solving: {size.describe()} (Ctrl-C cancels)\n")
    err.file.flush()


def _print_certificate(cert: Certificate, out_dir: Path) -> None:
    """The certified plan's summary, then its certificate in figures."""
    _print_summary(cert.plan, out_dir)
    plan, sim = cert.strike_loss_plan, cert.strike_loss_simulated
    lines = [
        f"{cert.message}",
        f"families in scope: {', '.join(cert.scope) or 'none'}; avoidable stockouts in "
        f"{cert.failures:,} of {cert.runs:,} fresh runs ({cert.estimate:.1%}), seed "
        f"{cert.options.fresh_seed}",
        "counted from: " + ", ".join(f"{f} {day or 'never'}"
                                     for f, day in cert.certified_from().items())
        + " (before: the family's supply ramps up, not counted)",
        f"expected strike loss EUR {plan[0]:,.0f} planned / {sim[0]:,.0f} simulated; the "
        f"deterministic plan EUR {plan[1]:,.0f} / {sim[1]:,.0f}: cost of robustness EUR "
        f"{cert.cost_of_robustness:,.0f}",
        f"{cert.solves} LP solves, {cert.simulations} simulations "
        f"({len(cert.iterations)} calibration), {cert.seconds:.0f} s",
        *(f"calibration {n}: avoidable stockouts in {it.failure_rate:.1%} of runs, buffers "
          f"{it.buffer_units:,.0f} units" for n, it in enumerate(cert.iterations)),
        *(f"- {line}" for line in cert.binding),
    ]
    for line in lines:
        out.print(line, markup=False, highlight=False)


def _print_summary(result: PlanResult, out_dir: Path) -> None:
    from resupply.planning import Status

    if failed(result):
        err.print(no_plan_line(result, out_dir), markup=False, highlight=False)
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
        if not p.simple_network:
            out.print(_flow_table(result))
    for line in result.explanation:
        (err if result.status is Status.INFEASIBLE else out).print(
            f"- {line}", markup=False, highlight=False)


def _flow_table(result: PlanResult) -> Table:
    """Tons per route and hub of a network plan (flows.csv holds every route)."""
    from resupply.planning.flows import flow_table

    table = Table(title="flows by route and hub (flows.csv)")
    for col in ("kind", "route", "from", "to", "mode", "transit days", "tons", "transport EUR",
                "peak use"):
        table.add_column(col, justify="right" if col in {"transit days", "tons",
                                                          "transport EUR", "peak use"} else "left")
    frame = flow_table(result)
    for row in frame[(frame["tons"] > 0.5) | (frame["kind"] == "hub")].itertuples():
        peak = float(row.peak_use)  # type: ignore[arg-type]
        use = "" if not np.isfinite(peak) else f"{peak:.0%}"
        table.add_row(str(row.kind), str(row.route), str(row.origin), str(row.destination),
                      str(row.mode) if isinstance(row.mode, str) else "",
                      "" if row.kind == "hub" else str(row.transit_days), f"{row.tons:,.0f}",
                      f"{row.transport_eur:,.0f}", use)
    return table


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
