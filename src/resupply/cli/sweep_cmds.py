"""`resupply sweep`: thousands of what-ifs on Dask.

Parses its options, loads the scenario and the sweep file (every error located, nothing
started), connects to Dask (`resupply.sweep`) and runs `resupply.workflow.sweep.run_sweep`;
prints what moves the risk most and which donor matters most.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from resupply.cli.app import EXIT_INTERRUPTED, ForceOpt, ScenarioArg, app, err, out, user_errors
from resupply.domain.load import load_scenario
from resupply.workflow.sweep import RESULTS, SweepRun, check_sweep_output, run_sweep
from resupply.workflow.sweep import Progress as ProgressCallback
from resupply.workflow.sweep_summary import DonorImpact, TornadoBar, write_summaries
from resupply.workflow.sweepfile import load_sweep

SHOWN = 8
"""Rows of the tornado and donor tables printed."""


@app.command("sweep")
@user_errors
def sweep_cmd(
    scenario: ScenarioArg,
    *,
    sweep_file: Annotated[Path, typer.Option(
        "--sweep", metavar="SWEEP.yaml", help="Sweep file: the fields varied and how "
        "(docs/sweep.md).")],
    out_dir: Annotated[Path, typer.Option(
        "--out", help="Directory for results.parquet, sweep.json, tornado.json, donors.json "
        "and sweep.html.")],
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", metavar="tcp://HOST:8786", help="An existing Dask scheduler (its "
        "workers need resupply installed; versions are checked); default: a local cluster.")
    ] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Processes of the local cluster [default: one per core].")
    ] = None,
    runs: Annotated[int | None, typer.Option(
        "--runs", min=1, help="Monte Carlo runs per variant (overrides the sweep file).")
    ] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Go on with the sweep in --out: variants already in results.parquet "
        "are not run again.")] = False,
    force: ForceOpt = False,
) -> None:
    """Run every variant of a sweep file (plan + simulate each) on Dask; results.parquet holds
    a row per variant and is kept up to date while the sweep runs.

    Writes tornado.json (what moves the avoidable stockout risk, the shortfall and strike
    losses most), donors.json (which donor matters most) and sweep.html. Ctrl-C keeps the
    variants that finished; --resume runs only the rest. See docs/sweep.md.

    Example: resupply sweep ukraine-2022 --sweep examples/sweep-ukraine-2022.yaml --out sweep/

    Example: resupply sweep tiny --sweep examples/sweep-ukraine-2022.yaml --scheduler
    tcp://10.0.0.5:8786 --runs 50 --out sweep-tiny/
    """
    from resupply.sweep import DaskExecutor, connect

    base = load_scenario(scenario)
    spec = load_sweep(sweep_file, base)
    if runs is not None:
        spec = dataclasses.replace(spec, runs=runs)
    check_sweep_output(out_dir, force=force)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with connect(scheduler, workers) as client, progress_bar() as progress:
            result = run_sweep(base, spec, out_dir, DaskExecutor(client), resume=resume,
                               progress=progress)
    except KeyboardInterrupt:
        err.print(f"interrupted: {out_dir / RESULTS} keeps the variants that finished; "
                  "--resume runs the rest", markup=False, highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    bars, donors = write_summaries(out_dir, base.name, spec, result.table)
    _show(result, bars, donors, out_dir)


@contextmanager
def progress_bar() -> Iterator[ProgressCallback]:
    """A Rich bar on stderr: variants done, variants/s and time left."""
    columns = (TextColumn("variants"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True,
                  disable=not err.is_terminal) as bar:
        task = bar.add_task("variants", total=None, rate="")

        def update(done: int, total: int) -> None:
            speed = bar.tasks[0].speed or 0.0
            bar.update(task, completed=done, total=total, rate=f"{speed:,.2f} variants/s")

        yield update


def _show(result: SweepRun, bars: list[TornadoBar], donors: list[DonorImpact],
          out_dir: Path) -> None:
    out.print(f"{len(result.ran)} variants run, {result.skipped} kept from before, "
              f"{result.total} in all -> {out_dir}", markup=False, highlight=False)
    if bars:
        table = Table("figure", "factor", "low", "high", "at low", "at high", "swing",
                      title="What moves the figures most (tornado)")
        for b in bars[:SHOWN * 2]:
            table.add_row(b.metric, escape(b.factor), f"{b.low:,.3g}", f"{b.high:,.3g}",
                          f"{b.metric_low:,.4g}", f"{b.metric_high:,.4g}", f"{b.swing:+,.4g}")
        out.print(table)
    if donors:
        table = Table("donor", "change", "plan shortfall", "Δ", "P(stockout)", "Δ",
                      "P(avoidable)", "Δ", title="Which donor matters most")
        for d in donors[:SHOWN]:
            f, delta = d.figures, d.delta
            table.add_row(escape(d.donor), d.change, f"{f['plan_shortfall']:,.0f}",
                          f"{delta['plan_shortfall']:+,.0f}", f"{f['stockout_prob']:.3f}",
                          f"{delta['stockout_prob']:+.3f}",
                          f"{f['avoidable_stockout_prob']:.3f}",
                          f"{delta['avoidable_stockout_prob']:+.3f}")
        out.print(table)
