"""`resupply demo`: the main job end to end on a bundled scenario, with embedded defaults.

explain -> plan -> simulate the plan -> compare policies -> findings -> report and exports ->
record the run in the default database; the work is `resupply.workflow.demo.run_demo`, which
passes results in memory and writes one run directory (`resupply.workflow.rundir`), so
`resupply report DIR` can redraw it later. This module parses, times the steps and prints.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from resupply.cli.app import DbOpt, ForceOpt, app, out, user_errors
from resupply.cli.progress import progress_hook, step
from resupply.workflow.comparisons import RISK_LIMIT
from resupply.workflow.demo import (
    CALIBRATION_RUNS,
    DEMO_RUNS,
    DEMO_SCENARIO,
    DemoSettings,
    run_demo,
)
from resupply.workflow.rundir import EXPORTS, REPORT


@app.command("demo")
@user_errors
def demo_cmd(  # noqa: PLR0917  (a Typer command: one parameter per option)
    out_dir: Annotated[Path, typer.Option("--out", help="Run directory to write.")] = Path(
        "demo-run"),
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario file or bundled name."
                                          )] = DEMO_SCENARIO,
    runs: Annotated[int, typer.Option(
        "--runs", min=1, help="Fresh Monte Carlo runs behind the certificate; the comparison "
        "runs every policy on the same runs, so the plan's row is its certificate.")
                    ] = DEMO_RUNS,
    calibration_runs: Annotated[int, typer.Option(
        "--calibration-runs", min=10, help="Runs of each calibration simulation (buffer "
        "sizing).")] = CALIBRATION_RUNS,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
    risk_limit: Annotated[float, typer.Option("--risk-limit", min=0.0, max=1.0,
                                              help="Largest acceptable chance of running out."
                                              )] = RISK_LIMIT,
    db: DbOpt = None,
    force: ForceOpt = False,
) -> None:
    """Run the main job on a scenario: explain, plan, simulate, compare, report.

    Writes DIR/report.html (self-contained, works offline), DIR/exports/*.csv and every
    intermediate result, records the run in the default database, and prints the headline
    findings.

    Example: resupply demo --out demo-run && xdg-open demo-run/report.html
    """
    started = time.perf_counter()
    settings = DemoSettings(scenario=scenario, runs=runs, calibration_runs=calibration_runs,
                            seed=seed,
                            risk_limit=risk_limit)
    demo = run_demo(settings, out_dir, db=db, step=step, progress=progress_hook, force=force)
    out.print("\nFindings", style="bold")
    for line in demo.findings:
        out.print(f"- {line}", markup=False, highlight=False)
    out.print(f"\nreport: {out_dir / REPORT} (opens offline); exports: {out_dir / EXPORTS}; "
              f"{demo.recorded}; {time.perf_counter() - started:.0f} s in all", markup=False,
              highlight=False)
