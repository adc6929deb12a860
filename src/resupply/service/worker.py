"""The process that runs one job: ``python -m resupply.service.worker JOB_ID WORKDIR``, with
the database URL in ``$RESUPPLY_DATABASE_URL`` (not on the command line, where `ps` shows it).

It calls the same workflow functions as the CLI (`resupply.workflow.runs.plan_run`,
`simulation_run`) on the job's scenario version, reports progress into the job's row and ends
the job succeeded (with a summary) or failed (with the message a user should read). The
scheduler (`runner`) starts it, watches it, and stops it on cancel or at the wall clock; a
worker that dies without ending its job is marked failed by the scheduler.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from resupply.errors import ResupplyError
from resupply.service import jobs
from resupply.service.jobs import Job, JobKind, JobState
from resupply.service.scenarios import safe_filename, text_of
from resupply.service.workspace import Workspace
from resupply.store.engine import URL_ENV

REPORT_EVERY_S = 0.5
"""Least time between two progress writes of a simulation. [s]"""


def job_dir(workdir: Path, job_id: int) -> Path:
    """Where a job's input and run directory live."""
    return workdir / "jobs" / str(job_id)


def run_dir(workdir: Path, job_id: int) -> Path:
    """The run directory a job writes (`resupply.workflow.rundir`)."""
    return job_dir(workdir, job_id) / "run"


def _finite(value: Any) -> Any:
    """JSON-safe: NaN and infinities as None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _scenario_file(ws: Workspace, job: Job, workdir: Path) -> Path:
    folder = job_dir(workdir, job.id) / "input"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe_filename(str(job.params.get("filename", "scenario.yaml")))
    path.write_text(text_of(ws, job.scenario_id), encoding="utf-8")
    return path


def run_plan(ws: Workspace, job: Job, workdir: Path) -> dict[str, Any]:
    """Plan the job's scenario (with the ledger's open pledges when asked)."""
    from resupply.analysis import explain
    from resupply.planning import PlanOptions
    from resupply.planning.summary import family_summary
    from resupply.workflow.runs import plan_run

    source = _scenario_file(ws, job, workdir)
    jobs.report(ws, job.id, 0.1, "planning (LP, HiGHS)")
    options = PlanOptions(time_limit=float(job.params["time_limit_s"]))
    run = plan_run(str(source), run_dir(workdir, job.id), options,
                   ledger=bool(job.params["use_ledger"]), db=ws.url)
    result = run.result
    supply = {f.family: f.days_of_supply for f in explain(result.problem).families}
    families = [{**{k: _finite(v) for k, v in row.items()},
                 "days_of_supply": _finite(supply.get(str(row["family"])))}
                for row in family_summary(result).to_dict("records")] \
        if math.isfinite(result.objective) else []
    return {"status": str(result.status), "ok": result.ok, "message": result.message,
            "objective": _finite(result.objective), "explanation": list(result.explanation),
            "notes": list(run.notes), "run_ids": [i for _, i in run.recorded.ids],
            "families": families, "tranches": len(result.tranches) if result.ok else 0}


@contextmanager
def _progress(ws: Workspace, job_id: int, label: str, runs: int) -> Iterator[Any]:
    last = [0.0]

    def tick(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= REPORT_EVERY_S or done >= total:
            last[0] = now
            jobs.report(ws, job_id, 0.05 + 0.9 * done / max(total, 1),
                        f"{label}: {done:,} of {total:,} runs")

    yield tick


def run_simulation_job(ws: Workspace, job: Job, workdir: Path) -> dict[str, Any]:
    """Simulate a policy, or the plan of an earlier plan job, on the job's scenario."""
    from resupply.simulation import SimOptions
    from resupply.simulation.policy_spec import parse_spec
    from resupply.workflow.runs import simulation_run

    source = _scenario_file(ws, job, workdir)
    plan_job = job.params.get("plan_job_id")
    plan_dir = None if plan_job is None else run_dir(workdir, int(plan_job))
    policy = None if plan_dir is not None else parse_spec(str(job.params["policy"]))
    options = SimOptions(runs=int(job.params["runs"]), seed=int(job.params["seed"]))
    run = simulation_run(str(source), run_dir(workdir, job.id), policy=policy,
                         plan_dir=plan_dir, options=options, db=ws.url,
                         progress=lambda label, runs: _progress(ws, job.id, label, runs))
    metrics = run.simulation.metrics
    return {"policy": run.simulation.policy, "runs": metrics.runs,
            "run_ids": [i for _, i in run.recorded.ids],
            "overall_stockout_prob": _finite(metrics.overall.stockout_prob),
            "families": {name: {"stockout_prob": _finite(f.stockout_prob),
                                "fill_rate": _finite(f.fill_rate.mean),
                                "standard": f.standard, "unit": f.unit}
                         for name, f in metrics.families.items()}}


def run_compare_job(ws: Workspace, job: Job, workdir: Path) -> dict[str, Any]:
    """Compare policies on the job's scenario (`resupply.workflow.runs.compare_run`): the
    frontier of strike loss against running out."""
    from resupply.simulation import SimOptions
    from resupply.simulation.policy_spec import parse_spec
    from resupply.workflow.runs import compare_run

    source = _scenario_file(ws, job, workdir)
    policies = [parse_spec(p) for p in job.params["policies"]] or None
    options = SimOptions(runs=int(job.params["runs"]), seed=int(job.params["seed"]))
    run = compare_run(str(source), run_dir(workdir, job.id), policies=policies,
                      options=options, db=ws.url,
                      progress=lambda label, runs: _progress(ws, job.id, label, runs))
    frontier = run.comparison.frontier
    return {"best": frontier.best, "best_meets_limit": frontier.best_meets_limit,
            "risk_limit": frontier.risk_limit, "notes": list(run.notes),
            "run_ids": [i for _, i in run.recorded.ids],
            "policies": [{k: _finite(v) for k, v in p.to_dict().items()}
                         for p in frontier.points]}


RUNNERS = {JobKind.PLAN: run_plan, JobKind.SIMULATION: run_simulation_job,
           JobKind.COMPARE: run_compare_job}


def run_job(ws: Workspace, job_id: int, workdir: Path) -> JobState:
    """Run a claimed job to its end; the state it ended in."""
    job = jobs.get(ws, job_id)
    try:
        result = RUNNERS[job.kind](ws, job, workdir)
    except ResupplyError as exc:
        jobs.finish(ws, job_id, JobState.FAILED, f"failed: {exc}")
        return JobState.FAILED
    except Exception as exc:  # a bug: still a failed job with its message, never "running"
        jobs.finish(ws, job_id, JobState.FAILED,
                    f"failed: internal error {type(exc).__name__}: {exc}")
        raise
    done = "done" if result.get("ok", True) else f"done: the plan is {result['status']}"
    jobs.finish(ws, job_id, JobState.SUCCEEDED, done, result)
    return JobState.SUCCEEDED


def main(argv: list[str]) -> int:
    """Entry point of the worker process."""
    job_id, workdir = int(argv[0]), Path(argv[1])
    ws = Workspace.open(os.environ[URL_ENV])
    try:
        run_job(ws, job_id, workdir)
    finally:
        ws.close()
    return 0


if __name__ == "__main__":  # pragma: no cover  (run as a process by the scheduler)
    sys.exit(main(sys.argv[1:]))
