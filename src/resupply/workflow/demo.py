"""The demo: explain -> plan -> simulate the plan -> compare policies -> report -> record,
results passed in memory, one run directory written at the end (see `rundir`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from resupply.analysis import explain
from resupply.compile import compile_problem
from resupply.domain.load import load_scenario
from resupply.errors import PlanningError
from resupply.simulation.policies import PlanPolicy
from resupply.workflow.certify import CertifyOptions, certify
from resupply.workflow.comparisons import RISK_LIMIT, Comparison, compare, compare_files
from resupply.workflow.plans import parquet_bytes, plan_files
from resupply.workflow.policies import (
    DEFAULT_POLICIES,
    DEFAULT_SCOPE,
    plan_input,
    policy_for,
    risk_scope,
)
from resupply.workflow.reconcile import reconcile_losses, reconciliation_lines
from resupply.workflow.recording import Recorded, record
from resupply.workflow.reporting import make_report, report_files, run_data
from resupply.workflow.rundir import (
    BUFFERS,
    CERTIFICATE,
    EXPLAIN,
    PARTS,
    SCENARIO,
    Part,
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
from resupply.workflow.steps import StepHook, no_step

if TYPE_CHECKING:
    from resupply.planning import PlanResult

DEMO_SCENARIO = "ukraine-2022"
DEMO_RUNS = 2000
CALIBRATION_RUNS = 1000
RECONCILE_RUNS = 500
"""Runs of each step of the strike-loss reconciliation (`resupply.workflow.reconcile`)."""


@dataclass(frozen=True)
class DemoSettings:
    """What the demo runs: scenario (file or bundled name), fresh runs of the certificate (on
    which the comparison runs every policy too, so that the plan's row is its certificate),
    runs of each calibration simulation, seed and the risk limit."""

    scenario: str = DEMO_SCENARIO
    runs: int = DEMO_RUNS
    calibration_runs: int = CALIBRATION_RUNS
    seed: int = 0
    risk_limit: float = RISK_LIMIT


@dataclass(frozen=True, eq=False)
class DemoRun:
    """What the demo produced (also written to its run directory)."""

    plan: PlanResult
    simulation: Simulation
    comparison: Comparison
    findings: tuple[str, ...]
    recorded: Recorded


def _in(part: Part, files: dict[str, str | bytes]) -> dict[str, str | bytes]:
    folder = PARTS[RunKind.DEMO][part]
    return {f"{folder}/{name}": data for name, data in files.items()}


def run_demo(settings: DemoSettings, out_dir: Path, *, db: str | None = None,
             step: StepHook = no_step, progress: ProgressHook = no_progress,
             force: bool = False) -> DemoRun:
    """Run the demo and write ``out_dir`` (checked first: `rundir.check_output`; ``force``
    writes into a folder of another kind); records the plan and the simulation in ``db``."""
    check_output(out_dir, RunKind.DEMO, force=force)
    with step("load and compile the scenario"):
        scenario = load_scenario(settings.scenario)
        problem = compile_problem(scenario)
        outlook = explain(problem)
    certify_options = CertifyOptions(risk=settings.risk_limit, seed=settings.seed,
                                     calibration_runs=settings.calibration_runs,
                                     certification_runs=settings.runs)
    with step(f"plan the tranches and certify them at {settings.risk_limit:.0%} risk "
              "(LP on HiGHS, buffers sized by Monte Carlo)"):
        cert = certify(problem, certify_options, risk_scope(problem, DEFAULT_SCOPE))
    plan = cert.plan
    if not plan.ok:
        raise PlanningError(f"the planner found no optimal plan: {plan.status}: {plan.message}")
    arrays = plan_input(plan)
    reference = cert.reference()
    sim_options = certify_options.runs_of(seed=certify_options.fresh_seed, runs=settings.runs)
    if cert.fresh is not None and cert.fresh.options == sim_options:
        sim = Simulation(cert.fresh)  # the certification runs, simulated once
    else:
        with step(f"simulate the certified plan {settings.runs:,} times (its certification "
                  "runs)"):
            sim = run_simulation(problem, PlanPolicy(arrays), sim_options, progress, reference)
    with step("reconcile the plan's expected strike loss with the simulated one"):
        steps = reconcile_losses(problem, arrays, replace(sim_options, runs=RECONCILE_RUNS),
                                 reference)
        reconciled = tuple(reconciliation_lines(steps, plan.terms["strike_loss"]))
    with step(f"compare policies on the same {settings.runs:,} runs"):
        chosen = [policy_for(problem, s, None, arrays) for s in DEFAULT_POLICIES]
        comparison = compare(problem, chosen, sim_options, reference,
                             risk_limit=settings.risk_limit, progress=progress, done=[sim])
    with step("report"):
        run = run_data(out_dir, scenario, problem, explain=outlook, plan=plan, simulation=sim,
                       comparison=comparison, certificate=cert.to_dict(),
                       buffers=cert.buffer_table(), reconciliation=reconciled)
        report = make_report(run)
    plan_part = {**plan_files(plan), CERTIFICATE: json.dumps(cert.to_dict(), indent=2) + "\n",
                 BUFFERS: parquet_bytes(cert.buffer_table())}
    sim_part = simulation_files(sim)
    with step("write the run directory"):
        manifest = new_manifest(RunKind.DEMO, problem, {
            "plan": plan.options.as_dict(), "certify": certify_options.as_dict(),
            "simulation": simulation_options(sim_options),
            "compare": {**simulation_options(sim_options),
                        "policies": [str(s) for s in DEFAULT_POLICIES],
                        "scope": DEFAULT_SCOPE, "risk_limit": settings.risk_limit}},
            seeds=(settings.seed, certify_options.fresh_seed))
        write_run(out_dir, manifest, {
            SCENARIO: scenario.model_dump_json(indent=1),
            EXPLAIN: json.dumps(outlook.to_dict(), indent=1),
            **_in(Part.PLAN, plan_part), **_in(Part.SIMULATION, sim_part),
            **_in(Part.COMPARE, compare_files(comparison)), **report_files(run, report)},
            force=force)
    with step("record the run"):
        recorded = record(db, scenario, plan=(plan, plan_part), simulations=[(sim, sim_part)])
    return DemoRun(plan, sim, comparison, report.findings, recorded)
