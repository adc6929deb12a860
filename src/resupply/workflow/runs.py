"""What each command runs, once for every face: load, run the steps, write the run directory,
record the run. Each returns typed results and notes for the face to show; none prints."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from resupply.compile import Problem, compile_problem
from resupply.domain.load import load_scenario
from resupply.domain.schema import Scenario
from resupply.errors import PlanningError, SimulationError
from resupply.simulation import PlanInput, SimOptions
from resupply.simulation.policies import Policy
from resupply.simulation.policy_spec import SPECS, PlanSpec, PolicySpec
from resupply.workflow.certify import Certificate, CertifyOptions, certify
from resupply.workflow.comparisons import (
    RISK_LIMIT,
    Comparison,
    compare,
    compare_files,
    metrics_file,
)
from resupply.workflow.frontier import CertifiedPoint, certified_frontier, finding
from resupply.workflow.plans import (
    SolveHook,
    make_plan,
    parquet_bytes,
    plan_files,
    previous_warm_start,
)
from resupply.workflow.policies import (
    DEFAULT_POLICIES,
    DEFAULT_SCOPE,
    plan_input,
    planner_installed,
    policy_for,
    read_plan,
    reference_for,
    risk_scope,
    uncounted,
)
from resupply.workflow.recording import Recorded, record
from resupply.workflow.rundir import (
    BUFFERS,
    CERTIFICATE,
    CERTIFIED_FRONTIER,
    SCENARIO,
    RunKind,
    check_output,
    new_manifest,
    write_run,
)
from resupply.workflow.simulations import (
    ProgressHook,
    Simulation,
    no_progress,
    run_simulation,
    simulation_files,
    simulation_options,
)

if TYPE_CHECKING:
    from resupply.planning import PlanOptions, PlanResult


@dataclass(frozen=True, eq=False)
class PlanRun:
    """A plan written to its run directory and recorded."""

    result: PlanResult
    recorded: Recorded
    notes: tuple[str, ...] = ()
    """What a face should show besides the result (ledger pledges left out...)."""


@dataclass(frozen=True, eq=False)
class CertifiedPlanRun:
    """A plan certified to a risk, written to its run directory and recorded."""

    certificate: Certificate
    recorded: Recorded


@dataclass(frozen=True, eq=False)
class SimulationRun:
    """A simulation written to its run directory and recorded."""

    simulation: Simulation
    recorded: Recorded


@dataclass(frozen=True, eq=False)
class CompareRun:
    """A comparison (written to a run directory when one was asked for)."""

    problem: Problem
    comparison: Comparison
    recorded: Recorded
    notes: tuple[str, ...] = ()


def with_ledger(scenario: Scenario, db: str | None) -> tuple[Scenario, tuple[str, ...]]:
    """The scenario with the ledger's open pledges (minimum quantities by their due dates;
    they replace scenario pledges of the same id), and notes on the pledges left out."""
    from resupply.store import derive, open_pledges, open_store

    with open_store(db) as store:
        states = derive(store.events()).values()
    pledges, left_out = open_pledges(states, scenario)
    ids = {p.id for p in pledges}
    kept = [p for p in scenario.pledges if p.id not in ids]
    notes = (*(f"ledger pledge left out: {line}" for line in left_out),
             f"ledger: {len(pledges)} open pledges used, {len(left_out)} left out")
    return scenario.model_copy(update={"pledges": [*kept, *pledges]}), notes


def plan_run(scenario_name: str, out_dir: Path, options: PlanOptions | None = None, *,
             actuals: Path | None = None, from_day: int | None = None, freeze_days: int = 0,
             ledger: bool = False, db: str | None = None, force: bool = False,
             on_solve: SolveHook | None = None) -> PlanRun:
    """Plan a scenario (with the ledger's open pledges when ``ledger``; a rolling re-plan from
    ``from_day`` on the ``actuals`` file), write ``out_dir`` and record the plan. ``out_dir``
    is checked first (`rundir.check_output`; ``force`` writes into a folder of another
    kind). ``on_solve`` hears the model's size when its solve starts."""
    from resupply.planning import load_actuals

    if (from_day is None) != (actuals is None):
        raise PlanningError("give --from-day and --actuals together")
    check_output(out_dir, RunKind.PLAN, force=force)
    scenario = load_scenario(scenario_name)
    notes: tuple[str, ...] = ()
    if ledger:
        scenario, notes = with_ledger(scenario, db)
    problem = compile_problem(scenario)
    state = None
    if from_day is not None and actuals is not None:
        state = load_actuals(actuals, problem, from_day)
    result = make_plan(problem, options, actuals=state, freeze_days=freeze_days,
                       warm_start=previous_warm_start(out_dir, problem.scenario_hash),
                       on_solve=on_solve)
    files = plan_files(result)
    manifest = new_manifest(RunKind.PLAN, problem, {
        "plan": result.options.as_dict(), "from_day": from_day, "freeze_days": freeze_days,
        "ledger": ledger})
    write_run(out_dir, manifest, {SCENARIO: scenario.model_dump_json(indent=1), **files},
              force=force)
    return PlanRun(result, record(db, scenario, plan=(result, files)), notes)


def certified_plan_run(scenario_name: str, out_dir: Path, options: CertifyOptions, *,
                       scope: str = DEFAULT_SCOPE, db: str | None = None,
                       force: bool = False) -> CertifiedPlanRun:
    """Plan a scenario certified to ``options.risk`` (`resupply.workflow.certify`), write
    ``out_dir`` (the plan, its certificate and its buffers; checked first, as `plan_run`)
    and record the plan."""
    check_output(out_dir, RunKind.PLAN, force=force)
    scenario = load_scenario(scenario_name)
    problem = compile_problem(scenario)
    cert = certify(problem, options, risk_scope(problem, scope))
    files = {**plan_files(cert.plan),
             CERTIFICATE: json.dumps(cert.to_dict(), indent=2) + "\n",
             BUFFERS: parquet_bytes(cert.buffer_table())}
    manifest = new_manifest(RunKind.PLAN, problem, {
        "plan": cert.plan.options.as_dict(), "scope": scope,
        "certify": options.as_dict()},
        seeds=(options.seed, options.fresh_seed))
    write_run(out_dir, manifest, {SCENARIO: scenario.model_dump_json(indent=1), **files},
              force=force)
    return CertifiedPlanRun(cert, record(db, scenario, plan=(cert.plan, files)))


def certified_compare_run(scenario_name: str, levels: Sequence[float],
                          options: CertifyOptions, *, scope: str = DEFAULT_SCOPE,
                          out_dir: Path | None = None, force: bool = False
                          ) -> tuple[list[CertifiedPoint], list[str]]:
    """The frontier of certified plans (`resupply.workflow.frontier`) and its findings, one
    per level; written to ``out_dir`` (certified_frontier.json; checked first, as
    `plan_run`) when given."""
    if out_dir is not None:
        check_output(out_dir, RunKind.COMPARE, force=force)
    scenario = load_scenario(scenario_name)
    problem = compile_problem(scenario)
    points, _ = certified_frontier(problem, levels, options, risk_scope(problem, scope))
    lines = [finding(points, level) for level in levels]
    if out_dir is not None:
        manifest = new_manifest(RunKind.COMPARE, problem, {
            "certified_frontier": {"levels": list(levels), "scope": scope,
                                   "certify": options.as_dict()}},
            seeds=(options.seed, options.fresh_seed))
        write_run(out_dir, manifest, {
            SCENARIO: scenario.model_dump_json(indent=1),
            CERTIFIED_FRONTIER: json.dumps({"points": [p.to_dict() for p in points],
                                            "findings": lines}, indent=2) + "\n"},
            force=force)
    return points, lines


def simulation_run(scenario_name: str, out_dir: Path, *, policy: PolicySpec | None = None,
                   plan_dir: Path | None = None, options: SimOptions | None = None,
                   scope: str = DEFAULT_SCOPE, db: str | None = None,
                   progress: ProgressHook = no_progress, force: bool = False) -> SimulationRun:
    """Simulate a policy, or the plan of ``plan_dir``; write ``out_dir`` (checked first, as
    `plan_run`); record the run. Avoidable stockouts are measured against the deterministic
    optimum (`reference_for`)."""
    check_output(out_dir, RunKind.SIMULATION, force=force)
    scenario = load_scenario(scenario_name)
    problem = compile_problem(scenario)
    plan = read_plan(problem, plan_dir) if plan_dir is not None else None
    sim_options = options or SimOptions()
    sim_options.check_horizon(problem.n_days)
    optimum, reference = reference_for(problem, sim_options, scope)
    excluded = None if plan_dir is None else uncounted(problem, plan_dir)
    if excluded is not None:
        reference = replace(reference, limited=reference.limited | excluded)
    chosen = policy_for(problem, policy, plan, plan_input(optimum))
    sim = run_simulation(problem, chosen, sim_options, progress, reference)
    files = simulation_files(sim)
    manifest = new_manifest(RunKind.SIMULATION, problem, {
        "simulation": {"policy": chosen.name, **simulation_options(sim_options),
                       "scope": scope,
                       "plan_dir": None if plan_dir is None else str(plan_dir)}},
        seeds=(sim_options.seed,))
    write_run(out_dir, manifest, {SCENARIO: scenario.model_dump_json(indent=1), **files},
              force=force)
    return SimulationRun(sim, record(db, scenario, simulations=[(sim, files)]))


def policy_list(problem: Problem, specs: Sequence[PolicySpec] | None,
                optimum: PlanInput | None = None) -> tuple[list[Policy], tuple[str, ...]]:
    """The policies to compare (default `DEFAULT_POLICIES`, whose ``plan`` is left out with a
    note when the planner is not installed), and the notes. An empty list is refused (it
    names no policy; None means the defaults)."""
    if specs is not None and not specs:
        raise SimulationError(f"--policies names no policy; give a comma-separated list of "
                              f"{SPECS}")
    chosen = list(specs or DEFAULT_POLICIES)
    notes: tuple[str, ...] = ()
    if PlanSpec() in chosen and not planner_installed():
        if specs is not None:
            raise SimulationError("policy 'plan' needs resupply.planning, which is not "
                                  "installed; leave it out of --policies")
        chosen.remove(PlanSpec())
        notes = ("note: 'plan' left out: resupply.planning is not installed",)
    return [policy_for(problem, spec, None, optimum) for spec in chosen], notes


def compare_run(scenario_name: str, out_dir: Path | None = None, *,
                policies: Sequence[PolicySpec] | None = None,
                options: SimOptions | None = None,
                scope: str = DEFAULT_SCOPE, risk_limit: float = RISK_LIMIT,
                db: str | None = None, progress: ProgressHook = no_progress,
                force: bool = False) -> CompareRun:
    """Compare policies on a scenario; write ``out_dir`` when given (checked first, as
    `plan_run`); record each policy's simulation (the store keeps plans and simulations),
    with what it was compared with."""
    if out_dir is not None:
        check_output(out_dir, RunKind.COMPARE, force=force)
    scenario = load_scenario(scenario_name)
    problem = compile_problem(scenario)
    sim_options = options or SimOptions()
    optimum, reference = reference_for(problem, sim_options, scope)
    chosen, notes = policy_list(problem, policies, plan_input(optimum))
    comparison = compare(problem, chosen, sim_options, reference, risk_limit=risk_limit,
                         progress=progress)
    if comparison.interrupted is not None:
        notes = (*notes, f"interrupted: {comparison.interrupted} partial "
                 f"({comparison.simulations[-1].result.runs} runs), later policies not run")
    settings = {"policies": [p.name for p in chosen], "scope": scope, "risk_limit": risk_limit}
    files = compare_files(comparison)
    if out_dir is not None:
        manifest = new_manifest(RunKind.COMPARE, problem, {
            "compare": {**simulation_options(sim_options), **settings}},
            seeds=(sim_options.seed,))
        write_run(out_dir, manifest, {SCENARIO: scenario.model_dump_json(indent=1), **files},
                  force=force)
    parts = [(s, {metrics_file(s.policy): files[metrics_file(s.policy)]})
             for s in comparison.simulations]
    recorded = record(db, scenario, simulations=parts, context={"compared_with": settings})
    return CompareRun(problem, comparison, recorded, notes)
