"""Commands of the simulator: simulate, compare.

They parse their options, call `resupply.workflow.runs` and print; the numbers come from the
simulation layer, the planner plugs in through `resupply.workflow.policies`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from resupply.cli.app import DbOpt, ForceOpt, JsonOpt, ScenarioArg, app, err, out, user_errors
from resupply.cli.progress import progress_hook
from resupply.simulation import DemandModel, SimOptions
from resupply.simulation.frontier import Frontier
from resupply.simulation.policy_spec import SPECS, parse_spec
from resupply.workflow.certify import CertifyOptions
from resupply.workflow.frontier import parse_levels
from resupply.workflow.policies import DEFAULT_POLICIES, DEFAULT_SCOPE, SCOPES
from resupply.workflow.runs import certified_compare_run, compare_run, simulation_run

RunsOpt = Annotated[int, typer.Option("--runs", min=1, help="Monte Carlo runs.")]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="Random seed (same seed, same "
                                      "numbers, whatever --chunk-runs or --workers).")]
ChunkOpt = Annotated[int, typer.Option("--chunk-runs", min=1,
                                       help="Runs simulated together (memory).")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")]
DemandOpt = Annotated[str, typer.Option(
    "--demand", help="Consumption model: scenario (the scenario's negative binomial or "
    "lognormal), poisson, normal, lognormal, fixed.")]
CvOpt = Annotated[float, typer.Option("--cv", min=0.0,
                                      help="sd / mean of the normal and lognormal demand "
                                      "models.")]
StrikesOpt = Annotated[bool, typer.Option("--strikes/--no-strikes", help="Depot strikes.")]
DelaysOpt = Annotated[bool, typer.Option("--delays/--no-delays",
                                         help="Random tranche delays and release slips.")]
SurgesOpt = Annotated[bool, typer.Option("--surges/--no-surges",
                                         help="Intensity surges (mean-preserving).")]
PausesOpt = Annotated[bool, typer.Option(
    "--pauses/--no-pauses", help="Random donor pauses (the donors' pause_prob_per_day); "
    "dated pauses always hold.")]
ReplayOpt = Annotated[bool, typer.Option(
    "--deterministic", help="Replay without randomness: demand fixed at the need, strikes at "
    "their expectation (each depot loses strike probability x loss fraction of its stock every "
    "day), no delays, surges or random pauses (dated pauses hold, as planned): a plan's stock, "
    "consumption and shortfall are reproduced.")]
ScopeOpt = Annotated[str, typer.Option(
    "--scope", help=f"Families the headline risk counts: {SCOPES}. ammunition (the default) "
    "is coverable ammunition: spare parts are planned in fractions per depot while they fail "
    "whole, and families that run dry whatever the policy are left to the per-family "
    "figures. A stockout counts as avoidable unless no supply could have met it (before the "
    "first possible arrival, or where the deterministic optimum is itself short).")]
BackOpt = Annotated[bool, typer.Option(
    "--backorders", help="Inventory-theory mode: unmet demand is backordered, not lost.")]
WarmupOpt = Annotated[int, typer.Option("--warmup-days", min=0,
                                        help="Days left out of the per-run totals.")]


REPLAY_KEEPS = ("runs", "seed", "chunk_runs", "workers", "backorders", "warmup_days")
"""The options a deterministic replay keeps from the command line."""


@app.command("simulate")
@user_errors
def simulate_cmd(
    scenario: ScenarioArg,
    *,
    out_dir: Annotated[Path, typer.Option("--out", help="Run directory for metrics.json "
                                          "and bands.parquet (a simulation directory is rewritten; "
                                          "anything else needs --force).")],
    plan_dir: Annotated[Path | None, typer.Option(
        "--plan", help="Follow the plan of run directory DIR (written by `resupply plan` or "
        "`resupply demo`).")] = None,
    policy: Annotated[str | None, typer.Option(
        "--policy", help=f"Policy instead of a plan: {SPECS} [default: cadence:7]. "
        "rolling:N re-plans every N days per run with resupply.planning (slow: tens of "
        "runs).")] = None,
    runs: RunsOpt = 1000, seed: SeedOpt = 0, chunk_runs: ChunkOpt = 1000,
    workers: WorkersOpt = 1, demand: DemandOpt = "scenario", cv: CvOpt = 0.0,
    strikes: StrikesOpt = True, delays: DelaysOpt = True, surges: SurgesOpt = True,
    pauses: PausesOpt = True, deterministic: ReplayOpt = False, backorders: BackOpt = False,
    warmup_days: WarmupOpt = 0, scope_text: ScopeOpt = DEFAULT_SCOPE, as_json: JsonOpt = False,
    db: DbOpt = None, force: ForceOpt = False,
) -> None:
    """Monte Carlo stress test of a plan or a policy; writes metrics.json and bands.parquet.

    Metrics per family, standard, depot and overall (mean, P5/P50/P95 across runs):
    stockout probability and days, fill rate, rounds short, strike losses, peak exposed stock,
    the date each family runs dry; per day, on hand, backorders, orders (donor tranches) and
    the cost h x on hand + p x backorders + K x orders (weights.holding_per_unit_day,
    weights.backorder_per_unit_day, each donor's tranche_fixed_eur). Ctrl-C keeps the runs
    done so far, marked "partial".

    (s,S): sS:LOW:HIGH orders only when a family's inventory position is at or below LOW
    units per depot, then up to HIGH; sS:Nd:Md gives both in days of need beyond the lead
    time, as order-up-to:Nd does. Donors pause on their dated pauses and, with --pauses, at
    random (pause_prob_per_day, resume_prob_per_day): they send nothing while paused and the
    backlog after.

    On a network (ukraine-2022: three entry hubs) every hub holds its own stock, throughput,
    storage limit and strikes; a plan's units take the plan's routes (routes.parquet), other
    units the open routes by shortest transit, each within its capacity; a rear depot sends on
    to a forward one after the day's arrivals (docs/scenario.md, Network).

    Example: resupply simulate tiny --policy cadence:7 --runs 2000 --seed 1 --out sim/

    Example: resupply simulate tiny --policy order-up-to:1200 --backorders --demand poisson
    --runs 500 --out calib/

    Example: resupply simulate tiny --policy sS:2d:10d --demand lognormal --cv 0.4 --runs 500
    --out ss/
    """
    options = SimOptions(runs=runs, seed=seed, chunk_runs=chunk_runs, workers=workers,
                         demand=DemandModel.parse(demand, cv), strikes=strikes, delays=delays,
                         surges=surges, pauses=pauses, backorders=backorders,
                         warmup_days=warmup_days)
    if deterministic:
        options = SimOptions.replay(**{k: getattr(options, k) for k in REPLAY_KEEPS})
    spec = None if policy is None else parse_spec(policy)
    run = simulation_run(scenario, out_dir, policy=spec, plan_dir=plan_dir, options=options,
                         scope=scope_text, db=db, progress=progress_hook, force=force)
    metrics = run.simulation.metrics
    if as_json:
        out.print_json(json.dumps(metrics.to_dict()))
        return
    out.print(metrics.summary(), markup=False, highlight=False)
    out.print(metrics.inventory_line(), markup=False, highlight=False)
    out.print(f"wrote {out_dir}; recorded {run.recorded}", markup=False, highlight=False)


@app.command("compare")
@user_errors
def compare_cmd(
    scenario: ScenarioArg,
    *,
    policies: Annotated[str | None, typer.Option(
        "--policies", help="Comma-separated policies [default: "
        f"{','.join(map(str, DEFAULT_POLICIES))}].")] = None,
    runs: RunsOpt = 1000, seed: SeedOpt = 0, chunk_runs: ChunkOpt = 1000,
    workers: WorkersOpt = 1,
    risk_limit: Annotated[float, typer.Option(
        "--risk-limit", min=0.0, max=1.0,
        help="Largest acceptable probability of an avoidable stockout.")] = 0.05,
    scope_text: ScopeOpt = DEFAULT_SCOPE,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Also write a run directory with frontier.json and each policy's "
        "metrics.")] = None,
    risk_levels: Annotated[str | None, typer.Option(
        "--risk-levels", help="Frontier of certified plans: at each level (e.g. 1,2,5,10,20%) "
        "the plan certified to it beside cadence:7 and order-up-to tuned to the same "
        "certified level; --runs runs per calibration, twice that behind each bound.")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, force: ForceOpt = False,
) -> None:
    """Compare policies on the tranche trade-off: strike losses against running out.

    Prints one table (means across runs, same seed for every policy) with the frontier
    marked, and the policy with the least expected strike loss among those whose probability
    of a stockout is within --risk-limit. Families that run dry even with all donor supply
    sent at once (see `resupply explain`) are left out of the stockout figures.

    Example: resupply compare ukraine-2022 --policies lump,cadence:30,cadence:7,cadence:1
    --runs 2000 --risk-limit 0.05

    Example: resupply compare ukraine-2022 --scope ammunition --runs 1000

    Example: resupply compare tiny --policies sS:2d:10d,sS:5d:20d,order-up-to:10d --runs 500
    (orders/day and cost per day as `simulate` reports them, same seed)
    """
    if risk_levels is not None:
        _certified_compare(scenario, parse_levels(risk_levels), runs=runs, seed=seed,
                           workers=workers, scope=scope_text, out_dir=out_dir,
                           as_json=as_json, force=force)
        return
    options = SimOptions(runs=runs, seed=seed, chunk_runs=chunk_runs, workers=workers)
    specs = None if policies is None else [parse_spec(s) for s in policies.split(",")
                                           if s.strip()]
    run = compare_run(scenario, out_dir, policies=specs, options=options, scope=scope_text,
                      risk_limit=risk_limit, db=db, progress=progress_hook, force=force)
    for note in run.notes:
        err.print(note, markup=False, highlight=False)
    result = run.comparison.frontier
    if as_json:
        out.print_json(json.dumps(result.to_dict()))
        return
    out.print(frontier_table(run.problem.name, result, runs), markup=False)
    if result.out_of_scope:
        out.print(f"left out of the stockout figures (--scope {scope_text}): "
                  f"{', '.join(result.out_of_scope)}", markup=False, highlight=False)
    verdict = "" if result.best_meets_limit else " (no policy meets the limit: least risky)"
    out.print(f"best with P(avoidable stockout) <= {risk_limit:g}: {result.best}{verdict}",
              markup=False, highlight=False)
    out.print(f"recorded {run.recorded}", markup=False, highlight=False)


def _certified_compare(scenario: str, levels: list[float], *, runs: int, seed: int,
                       workers: int, scope: str, out_dir: Path | None, as_json: bool,
                       force: bool = False) -> None:
    options = CertifyOptions(risk=levels[0], calibration_runs=runs,
                             certification_runs=2 * runs, seed=seed, workers=workers)
    points, lines = certified_compare_run(scenario, levels, options, scope=scope,
                                          out_dir=out_dir, force=force)
    if as_json:
        out.print_json(json.dumps([p.to_dict() for p in points]))
        return
    table = Table(title=f"{scenario}: certified frontier ({2 * runs:,} fresh runs per bound)")
    for col in ("risk level", "policy", "bound", "meets", "P(avoidable)", "lost (EUR)",
                "lost (t)", "fill rate"):
        table.add_column(col, justify="left" if col == "policy" else "right")
    for p in points:
        table.add_row(f"{p.level:.0%}", p.point.policy, f"{p.upper_bound:.3f}",
                      "yes" if p.meets else "no", f"{p.point.avoidable_prob:.3f}",
                      f"{p.point.lost_value:,.0f}", f"{p.point.lost_tons:,.1f}",
                      f"{p.point.fill_rate:.3f}")
    out.print(table)
    for line in lines:
        out.print(line, markup=False, highlight=False)


def _maybe(value: float | None, spec: str) -> str:
    """``value`` formatted, or "-" when not recorded."""
    return "-" if value is None else format(value, spec)


def frontier_table(scenario: str, result: Frontier, runs: int) -> Table:
    """The compare table, one row per policy, frontier marked."""
    table = Table(title=f"{scenario}: policies over {runs} runs (means)")
    for col in ("policy", "P(avoidable)", "avoidable days", "P(stockout)", "stockout days",
                "fill rate", "lost to strikes (t)", "lost (EUR)", "peak exposed (t)",
                "orders/day", "cost (EUR/day)", "frontier"):
        table.add_column(col, justify="left" if col == "policy" else "right")
    for p in result.points:
        table.add_row(p.policy, f"{p.avoidable_prob:.3f}", f"{p.avoidable_days:.1f}",
                      f"{p.stockout_prob:.3f}", f"{p.stockout_days:.1f}",
                      f"{p.fill_rate:.3f}", f"{p.lost_tons:,.1f}", f"{p.lost_value:,.0f}",
                      f"{p.peak_exposed_tons:,.1f}", _maybe(p.orders_per_day, ".3f"),
                      _maybe(p.cost_per_day, ",.2f"), "*" if p.on_frontier else "")
    return table
