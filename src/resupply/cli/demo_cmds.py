"""`resupply demo`: the main job end to end on a bundled scenario, with embedded defaults.

explain -> plan -> simulate the plan -> compare policies -> findings -> report and exports ->
record the run in the default database. Each step writes into one run directory (see
`resupply.report.run_dir`), so `resupply report DIR` can redraw it later.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from resupply.analysis import explain
from resupply.cli.app import ForceOpt, app, err, out, user_errors
from resupply.cli.plan_cmds import plan_files
from resupply.cli.sim_cmds import (
    DEFAULT_POLICIES,
    DEFAULT_SCOPE,
    compare_files,
    compare_policies,
    policy_for,
    risk_scope,
)
from resupply.compile import Problem, compile_problem
from resupply.domain.load import load_scenario
from resupply.domain.schema import Scenario
from resupply.errors import PlanningError
from resupply.files import OutputKind, check_output_dir, write_atomically, write_run_dir
from resupply.planning import plan
from resupply.report import load_run, render_report, write_csvs
from resupply.report.findings import headline_findings
from resupply.report.run_dir import COMPARE_DIR, EXPLAIN, PLAN_DIR, REPORT, SCENARIO, SIM_DIR
from resupply.simulation import SimOptions, simulate
from resupply.simulation.metrics import bands, summarize
from resupply.store import open_store, record_run

T = TypeVar("T")

DEMO_SCENARIO = "ukraine-2022"
DEMO_RUNS = 2000
COMPARE_RUNS = 1000
RISK_LIMIT = 0.05


@contextmanager
def step(label: str) -> Iterator[None]:
    """Print a step, run it, and say how long it took."""
    started = time.perf_counter()
    with err.status(label):
        yield
    err.print(f"[done] {label} ({time.perf_counter() - started:.1f} s)", markup=False,
              highlight=False)


def timed(label: str, work: Callable[[], T]) -> T:
    """Run `work` as one step."""
    with step(label):
        return work()


@app.command("demo")
@user_errors
def demo_cmd(  # noqa: PLR0917  (a Typer command: one parameter per option)
    out_dir: Annotated[Path, typer.Option("--out", help="Run directory to write.")] = Path(
        "demo-run"),
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario file or bundled name."
                                          )] = DEMO_SCENARIO,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Monte Carlo runs of the plan."
                                      )] = DEMO_RUNS,
    compare_runs: Annotated[int, typer.Option("--compare-runs", min=1,
                                              help="Runs per policy in the comparison.")
                            ] = COMPARE_RUNS,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
    risk_limit: Annotated[float, typer.Option("--risk-limit", min=0.0, max=1.0,
                                              help="Largest acceptable chance of running out."
                                              )] = RISK_LIMIT,
    force: ForceOpt = False,
) -> None:
    """Run the main job on a scenario: explain, plan, simulate, compare, report.

    Writes DIR/report.html (self-contained, works offline), DIR/exports/*.csv and every
    intermediate result, records the run in the default database, and prints the headline
    findings.

    Example: resupply demo --out demo-run && xdg-open demo-run/report.html
    """
    started = time.perf_counter()
    check_output_dir(out_dir, OutputKind.RUN, force=force)
    scenario_model, problem = timed("load and compile the scenario",
                                    lambda: _prepare(scenario, out_dir))
    result = timed("plan the tranches (LP, HiGHS)", lambda: plan(problem))
    if not result.ok:
        raise PlanningError(f"the planner found no optimal plan: {result.status}: "
                            f"{result.message}")
    timed("write the plan", lambda: write_run_dir(out_dir / PLAN_DIR, OutputKind.PLAN,
                                                  plan_files(result), force=force))
    options = SimOptions(runs=runs, seed=seed)
    with step(f"simulate the plan {runs:,} times"):
        sim = simulate(problem, policy_for(problem, "plan", out_dir / PLAN_DIR), options)
        write_run_dir(out_dir / SIM_DIR, OutputKind.SIMULATE, {
            "metrics.json": json.dumps(summarize(sim), indent=2) + "\n",
            "bands.parquet": bands(sim).to_parquet(index=False)}, force=force)
    with step(f"compare policies ({compare_runs:,} runs each)"):
        _compare(problem, out_dir, SimOptions(runs=compare_runs, seed=seed), risk_limit, force)
    findings = timed("report", lambda: _report(out_dir))
    recorded = timed("record the run", lambda: _record(out_dir, scenario_model, options))
    out.print("\nFindings", style="bold")
    for line in findings:
        out.print(f"- {line}", markup=False, highlight=False)
    out.print(f"\nreport: {out_dir / REPORT} (opens offline); exports: {out_dir / 'exports'}; "
              f"{recorded}; {time.perf_counter() - started:.0f} s in all", markup=False,
              highlight=False)


def _prepare(scenario: str, out_dir: Path) -> tuple[Scenario, Problem]:
    sc = load_scenario(scenario)
    problem = compile_problem(sc)
    write_atomically(out_dir / SCENARIO, sc.model_dump_json(indent=1))
    write_atomically(out_dir / EXPLAIN, json.dumps(explain(problem).to_dict(), indent=1))
    return sc, problem


def _compare(problem: Problem, out_dir: Path, options: SimOptions, risk_limit: float,
             force: bool) -> None:
    specs = DEFAULT_POLICIES.split(",")
    chosen = [policy_for(problem, s, out_dir / PLAN_DIR if s == "plan" else None)
              for s in specs]
    frontier, metrics = compare_policies(problem, chosen, options,
                                         risk_scope(problem, DEFAULT_SCOPE), risk_limit)
    write_run_dir(out_dir / COMPARE_DIR, OutputKind.COMPARE, compare_files(frontier, metrics),
                  force=force)


def _report(out_dir: Path) -> list[str]:
    run = load_run(out_dir)
    findings = headline_findings(run)
    write_atomically(out_dir / "findings.txt", "\n".join(findings) + "\n")
    write_atomically(out_dir / REPORT, render_report(run, findings))
    write_csvs(run, out_dir / "exports")
    return findings


def _record(out_dir: Path, scenario: Scenario, options: SimOptions) -> str:
    """Record the plan and the simulation in the default database; returns where."""
    store = open_store()
    plan_json = json.loads((out_dir / PLAN_DIR / "plan.json").read_text("utf-8"))
    metrics = json.loads((out_dir / SIM_DIR / "metrics.json").read_text("utf-8"))
    plan_id = record_run(store, "plan", scenario, options=plan_json["options"], seed=None,
                         summary={k: plan_json[k] for k in ("status", "objective", "terms")},
                         files={p.name: p for p in (out_dir / PLAN_DIR).iterdir()})
    sim_id = record_run(store, "simulation", scenario, options=metrics["options"],
                        seed=options.seed, summary=metrics["overall"],
                        files={p.name: p for p in (out_dir / SIM_DIR).iterdir()})
    where = store.engine.url.render_as_string(hide_password=True)
    store.close()
    return f"runs {plan_id} (plan) and {sim_id} (simulation) in {where}"
