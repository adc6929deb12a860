"""Commands of the simulator: simulate, compare.

They load, call `resupply.simulation` and print or write; the numbers come from the simulation
layer. The planner, when installed (`resupply.planning`), is used for the ``plan`` and
``rolling:N`` policies; the simulation layer itself never imports it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from resupply.analysis import explain
from resupply.cli.app import ForceOpt, JsonOpt, ScenarioArg, app, err, out, user_errors
from resupply.compile import Problem, compile_problem
from resupply.domain.load import load_scenario
from resupply.errors import SimulationError
from resupply.files import OutputKind, check_output_dir, write_run_dir
from resupply.simulation import (
    DemandModel,
    PlanInput,
    SimOptions,
    simulate,
)
from resupply.simulation.frontier import Frontier, PolicyPoint, frontier
from resupply.simulation.metrics import bands, summarize
from resupply.simulation.plan_input import read_plan_dir
from resupply.simulation.rolling import Planner, RunHistory
from resupply.simulation.run import Progress as ProgressCallback
from resupply.simulation.specs import SPECS, parse_policy, split_specs

RunsOpt = Annotated[int, typer.Option("--runs", min=1, help="Monte Carlo runs.")]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="Random seed (same seed, same "
                                      "numbers, whatever --chunk-runs or --workers).")]
ChunkOpt = Annotated[int, typer.Option("--chunk-runs", min=1,
                                       help="Runs simulated together (memory).")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")]
DemandOpt = Annotated[str, typer.Option(
    "--demand", help="Consumption model: scenario (negative binomial), poisson, normal, fixed.")]
CvOpt = Annotated[float, typer.Option("--cv", min=0.0,
                                      help="sd / mean of the normal demand model.")]
StrikesOpt = Annotated[bool, typer.Option("--strikes/--no-strikes", help="Depot strikes.")]
DelaysOpt = Annotated[bool, typer.Option("--delays/--no-delays",
                                         help="Random tranche delays and release slips.")]
BackOpt = Annotated[bool, typer.Option(
    "--backorders", help="Inventory-theory mode: unmet demand is backordered, not lost.")]
WarmupOpt = Annotated[int, typer.Option("--warmup-days", min=0,
                                        help="Days left out of the per-run totals.")]
PROGRESS_MIN_RUNS = 2000
"""Show a progress bar from this many runs on (when stderr is a terminal)."""


def planner() -> Planner | None:
    """``(Problem, RunHistory | None) -> PlanInput`` through `resupply.planning` (a rolling
    re-plan with the history as actuals), or None when the planner is not installed."""
    try:
        from resupply import planning  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None

    first: dict[str, Any] = {}  # scenario hash -> the plan from day 0, whose basis starts re-plans

    def solve(problem: Problem, history: RunHistory | None = None) -> PlanInput:
        actuals = None if history is None else planning.Actuals(
            from_day=history.from_day, depot_stock=history.depot_stock,
            dispatched=history.dispatched, moves=history.moves)
        result = planning.plan(problem, actuals=actuals, cost_of_fairness=False, explain=False,
                               warm_start=first.get(problem.scenario_hash))
        if history is None and result.ok:
            first[problem.scenario_hash] = result
        if not result.ok:
            raise SimulationError(f"the planner found no plan for {problem.name}: "
                                  f"{result.status} {result.message}")
        return PlanInput(dispatch=np.array(result.dispatch), moves=np.array(result.moves))

    return solve


def read_plan(problem: Problem, plan_dir: Path) -> PlanInput:
    """The plan arrays of a plan directory (`simulation.plan_input.read_plan_dir`)."""
    return read_plan_dir(problem, plan_dir)


def make_options(**kwargs: Any) -> SimOptions:
    """`SimOptions` from the CLI's flags (``demand`` and ``cv`` become a `DemandModel`)."""
    demand = DemandModel(kwargs.pop("demand"), kwargs.pop("cv"))
    return SimOptions(demand=demand, **kwargs)


@contextmanager
def progress_bar(runs: int, label: str) -> Iterator[ProgressCallback | None]:
    """A Rich bar with runs/s and time left on stderr, for long runs on a terminal."""
    if runs < PROGRESS_MIN_RUNS or not err.is_terminal:
        yield None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"),
               TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=runs, rate="")

        def update(done: int, total: int) -> None:
            speed = bar.tasks[0].speed or 0.0
            bar.update(task, completed=done, rate=f"{speed:,.0f} runs/s")

        yield update


def policy_for(problem: Problem, policy: str | None, plan_dir: Path | None) -> Any:
    """The policy of ``--policy`` / ``--plan`` (``plan`` without a directory asks the
    planner; ``rolling:N`` gets the planner)."""
    if plan_dir is not None and policy not in (None, "plan"):
        raise SimulationError("give --plan DIR or --policy P, not both")
    plan = read_plan(problem, plan_dir) if plan_dir is not None else None
    spec = "plan" if plan_dir is not None else (policy or "cadence:7")
    if spec == "plan" and plan is None:
        plan = _plan_from_planner(problem)
    return parse_policy(spec, plan=plan, planner=planner() if spec.startswith("rolling")
                        else None)


def _plan_from_planner(problem: Problem) -> PlanInput:
    solve = planner()
    if solve is None:
        raise SimulationError("policy 'plan' needs --plan DIR (resupply.planning is not "
                              "installed to make one)")
    return solve(problem, None)


@app.command("simulate")
@user_errors
def simulate_cmd(
    scenario: ScenarioArg,
    *,
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for metrics.json and "
                                          "bands.parquet.")],
    plan_dir: Annotated[Path | None, typer.Option(
        "--plan", help="Follow the plan in DIR (its tranches.csv).")] = None,
    policy: Annotated[str | None, typer.Option(
        "--policy", help=f"Policy instead of a plan: {SPECS} [default: cadence:7]. "
        "rolling:N re-plans every N days per run with resupply.planning (slow: tens of "
        "runs).")] = None,
    runs: RunsOpt = 1000, seed: SeedOpt = 0, chunk_runs: ChunkOpt = 1000,
    workers: WorkersOpt = 1, demand: DemandOpt = "scenario", cv: CvOpt = 0.0,
    strikes: StrikesOpt = True, delays: DelaysOpt = True, backorders: BackOpt = False,
    warmup_days: WarmupOpt = 0, as_json: JsonOpt = False, force: ForceOpt = False,
) -> None:
    """Monte Carlo stress test of a plan or a policy; writes metrics.json and bands.parquet.

    Metrics per family, standard, depot and overall (mean, P5/P50/P95 across runs):
    stockout probability and days, fill rate, rounds short, strike losses, peak exposed stock,
    the date each family runs dry. Ctrl-C keeps the runs done so far, marked "partial".

    Example: resupply simulate tiny --policy cadence:7 --runs 2000 --seed 1 --out sim/

    Example: resupply simulate tiny --policy order-up-to:1200 --backorders --demand poisson
    --runs 500 --out calib/
    """
    check_output_dir(out_dir, OutputKind.SIMULATE, force=force)
    problem = compile_problem(load_scenario(scenario))
    chosen = policy_for(problem, policy, plan_dir)
    options = make_options(runs=runs, seed=seed, chunk_runs=chunk_runs, workers=workers,
                           demand=demand, cv=cv, strikes=strikes, delays=delays,
                           backorders=backorders, warmup_days=warmup_days)
    with progress_bar(runs, chosen.name) as update:
        result = simulate(problem, chosen, options, progress=update)
    metrics = summarize(result)
    write_run_dir(out_dir, OutputKind.SIMULATE, {
        "bands.parquet": bands(result).to_parquet(index=False),
        "metrics.json": json.dumps(metrics, indent=2) + "\n"}, force=force)
    if as_json:
        out.print_json(json.dumps(metrics))
        return
    out.print(_overall_line(metrics), markup=False, highlight=False)
    out.print(f"wrote {out_dir / 'metrics.json'} and {out_dir / 'bands.parquet'}",
              markup=False, highlight=False)


def _overall_line(m: dict[str, Any]) -> str:
    o = m["overall"]
    partial = f" (PARTIAL: {m['runs']} of {m['runs_asked']} runs)" if m["partial"] else ""
    return (f"{m['scenario']} / {m['policy']}: {m['runs']} runs{partial}; P(stockout) "
            f"{o['stockout_prob']:.3f}, stockout days {o['stockout_days']['mean']:.1f}, fill "
            f"rate {o['fill_rate']['mean']:.3f}, lost to strikes {o['lost_tons']['mean']:,.1f} t "
            f"/ EUR {o['lost_value']['mean']:,.0f}")


DEFAULT_POLICIES = "lump,cadence:30,cadence:7,cadence:1,order-up-to,plan"
DEFAULT_SCOPE = "ammunition"


def _policy_list(problem: Problem, text: str, explicit: bool) -> list[Any]:
    specs = split_specs(text)
    if "plan" in specs and planner() is None:
        if explicit:
            raise SimulationError("policy 'plan' needs resupply.planning, which is not "
                                  "installed; leave it out of --policies")
        err.print("note: 'plan' left out: resupply.planning is not installed", markup=False)
        specs.remove("plan")
    return [policy_for(problem, spec, None) for spec in specs]


@app.command("compare")
@user_errors
def compare_cmd(
    scenario: ScenarioArg,
    *,
    policies: Annotated[str | None, typer.Option(
        "--policies", help=f"Comma-separated policies [default: {DEFAULT_POLICIES}].")] = None,
    runs: RunsOpt = 1000, seed: SeedOpt = 0, chunk_runs: ChunkOpt = 1000,
    workers: WorkersOpt = 1,
    risk_limit: Annotated[float, typer.Option(
        "--risk-limit", min=0.0, max=1.0, help="Largest acceptable P(stockout).")] = 0.05,
    scope_text: Annotated[str, typer.Option(
        "--scope", help="Families the stockout figures count: ammunition (coverable "
        "ammunition; the default, since spare parts are planned in fractions per depot while "
        "they fail whole), coverable (all but those that run dry whatever the policy), or a "
        "comma-separated list of families.")] = DEFAULT_SCOPE,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Also write frontier.json and each policy's metrics here.")] = None,
    as_json: JsonOpt = False,
    force: ForceOpt = False,
) -> None:
    """Compare policies on the tranche trade-off: strike losses against running out.

    Prints one table (means across runs, same seed for every policy) with the frontier
    marked, and the policy with the least expected strike loss among those whose probability
    of a stockout is within --risk-limit. Families that run dry even with all donor supply
    sent at once (see `resupply explain`) are left out of the stockout figures.

    Example: resupply compare ukraine-2022 --policies lump,cadence:30,cadence:7,cadence:1
    --runs 2000 --risk-limit 0.05

    Example: resupply compare ukraine-2022 --scope ammunition --runs 1000
    """
    if out_dir is not None:
        check_output_dir(out_dir, OutputKind.COMPARE, force=force)
    problem = compile_problem(load_scenario(scenario))
    chosen = _policy_list(problem, policies or DEFAULT_POLICIES, policies is not None)
    options = make_options(runs=runs, seed=seed, chunk_runs=chunk_runs, workers=workers,
                           demand="scenario", cv=0.0)
    scope = risk_scope(problem, scope_text)
    result, all_metrics = compare_policies(problem, chosen, options, scope, risk_limit)
    if out_dir is not None:
        _write_compare(out_dir, result, all_metrics, force=force)
    if as_json:
        out.print_json(json.dumps(result.to_dict()))
        return
    out.print(frontier_table(problem.name, result, runs), markup=False)
    if result.out_of_scope:
        out.print(f"left out of the stockout figures (--scope {scope_text}): "
                  f"{', '.join(result.out_of_scope)}", markup=False, highlight=False)
    verdict = "" if result.best_meets_limit else " (no policy meets the limit: least risky)"
    out.print(f"best with P(stockout) <= {risk_limit:g}: {result.best}{verdict}",
              markup=False, highlight=False)


def compare_policies(problem: Problem, chosen: list[Any], options: SimOptions, scope: np.ndarray,
             risk_limit: float) -> tuple[Frontier, list[dict[str, Any]]]:
    """Simulate each policy with the same options; the frontier and each one's metrics."""
    dropped = tuple(f for f, keep in zip(problem.families, scope, strict=True) if not keep)
    all_metrics, points = [], []
    for policy in chosen:
        with progress_bar(options.runs, policy.name) as update:
            sim = simulate(problem, policy, options, progress=update)
        all_metrics.append(summarize(sim))
        points.append(PolicyPoint.from_result(sim, scope))
        if sim.partial:
            err.print(f"interrupted: {policy.name} partial ({sim.runs} runs), later policies "
                      "not run", markup=False, highlight=False)
            break
    return frontier(points, risk_limit, dropped), all_metrics


def risk_scope(problem: Problem, text: str) -> np.ndarray:
    """[f] families the compare's stockout figures count (see ``--scope``)."""
    coverable = np.array([f.runs_dry_with_all_supply is None
                          for f in explain(problem).families])
    if text == "coverable":
        return coverable
    if text == "ammunition":
        return coverable & ~problem.family_is_spare
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = sorted(set(names) - set(problem.families))
    if unknown or not names:
        raise SimulationError(f"--scope: unknown families {', '.join(unknown) or '(none)'}; "
                              f"use coverable, ammunition or some of "
                              f"{', '.join(problem.families)}")
    return np.isin(np.array(problem.families), names)


def _write_compare(out_dir: Path, result: Frontier, metrics: list[dict[str, Any]], *,
                   force: bool = False) -> None:
    write_run_dir(out_dir, OutputKind.COMPARE, compare_files(result, metrics), force=force)


def compare_files(result: Frontier, metrics: list[dict[str, Any]]) -> dict[str, str | bytes]:
    """What a compare directory holds: frontier.json and metrics-POLICY.json per policy."""
    files: dict[str, str | bytes] = {
        f"metrics-{m['policy'].replace(':', '-')}.json": json.dumps(m, indent=2) + "\n"
        for m in metrics}
    files["frontier.json"] = json.dumps(result.to_dict(), indent=2) + "\n"
    return files


def frontier_table(scenario: str, result: Frontier, runs: int) -> Table:
    """The compare table, one row per policy, frontier marked."""
    table = Table(title=f"{scenario}: policies over {runs} runs (means)")
    for col in ("policy", "P(stockout)", "stockout days", "fill rate", "lost to strikes (t)",
                "lost (EUR)", "peak exposed (t)", "frontier"):
        table.add_column(col, justify="left" if col == "policy" else "right")
    for p in result.points:
        table.add_row(p.policy, f"{p.stockout_prob:.3f}", f"{p.stockout_days:.1f}",
                      f"{p.fill_rate:.3f}", f"{p.lost_tons:,.1f}", f"{p.lost_value:,.0f}",
                      f"{p.peak_exposed_tons:,.1f}", "*" if p.on_frontier else "")
    return table
