"""Plans and simulations as jobs, and the published plan: what the coordinator submits and
publishes, and what each donor and viewer may see of it (`access`)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from resupply.errors import ResupplyError
from resupply.service import audit, jobs
from resupply.service import scenarios as stored
from resupply.service.access import aggregate_visible, require_coordinator
from resupply.service.jobs import Job, JobKind, JobState
from resupply.service.roles import Principal, RoleKind
from resupply.service.schemas import (
    CompareJobIn,
    FamilyFlowOut,
    JobListOut,
    JobOut,
    PageMeta,
    PlanJobIn,
    PublishedPlanOut,
    PublishIn,
    SimulationJobIn,
    TrancheOut,
)
from resupply.service.settings import Limits
from resupply.service.worker import run_dir
from resupply.service.workspace import JOBS, PUBLISHED, Workspace, as_utc, utcnow
from resupply.simulation.policy_spec import parse_spec

TRANCHES_FILE = "tranches.csv"


class UnprocessableError(ResupplyError):
    """The request is well-formed but cannot be done as asked (422)."""


def job_out(job: Job) -> JobOut:
    """The response shape of a job."""
    return JobOut(id=job.id, kind=str(job.kind), owner=job.owner, scenario_id=job.scenario_id,
                  params=job.params, state=str(job.state), progress=job.progress,
                  message=job.message, created_at=job.created_at, started_at=job.started_at,
                  finished_at=job.finished_at, result=job.result)


def submit_plan(ws: Workspace, who: Principal, body: PlanJobIn, limits: Limits) -> JobOut:
    """Queue a plan of a scenario version (coordinator only)."""
    require_coordinator(who)
    version, _ = stored.find(ws, body.scenario, body.version)
    params = {"use_ledger": body.use_ledger, "time_limit_s": body.time_limit_s,
              "filename": version.filename, "scenario": version.name,
              "version": version.version}
    return job_out(jobs.submit(ws, JobKind.PLAN, who.username, version.id, params,
                               max_live=limits.jobs_per_user))


def submit_simulation(ws: Workspace, who: Principal, body: SimulationJobIn,
                      limits: Limits) -> JobOut:
    """Queue a simulation (coordinator only); the runs are capped by the service limit."""
    require_coordinator(who)
    if body.runs > limits.sim_max_runs:
        raise UnprocessableError(f"runs {body.runs:,} is over the limit of {limits.sim_max_runs:,}")
    if body.plan_job_id is None:
        parse_spec(body.policy)  # SimulationError (422) naming the valid forms
    version, _ = stored.find(ws, body.scenario, body.version)
    if body.plan_job_id is not None:
        plan = jobs.get(ws, body.plan_job_id)
        if plan.kind is not JobKind.PLAN or plan.state is not JobState.SUCCEEDED \
                or plan.scenario_id != version.id:
            raise UnprocessableError(f"job {plan.id} is not a finished plan of {version.name} "
                                f"v{version.version}")
    params = {"policy": body.policy, "plan_job_id": body.plan_job_id, "runs": body.runs,
              "seed": body.seed, "filename": version.filename, "scenario": version.name,
              "version": version.version}
    return job_out(jobs.submit(ws, JobKind.SIMULATION, who.username, version.id, params,
                               max_live=limits.jobs_per_user))


def submit_compare(ws: Workspace, who: Principal, body: CompareJobIn,
                   limits: Limits) -> JobOut:
    """Queue a comparison of policies (coordinator only)."""
    require_coordinator(who)
    total = body.runs * max(len(body.policies), 1)
    if total > limits.sim_max_runs:
        raise UnprocessableError(f"{body.runs:,} runs per policy is over the limit of "
                                 f"{limits.sim_max_runs:,} runs in all")
    for spec in body.policies:
        parse_spec(spec)  # SimulationError (422) naming the valid forms
    version, _ = stored.find(ws, body.scenario, body.version)
    params = {"policies": list(body.policies), "runs": body.runs, "seed": body.seed,
              "filename": version.filename, "scenario": version.name,
              "version": version.version}
    return job_out(jobs.submit(ws, JobKind.COMPARE, who.username, version.id, params,
                               max_live=limits.jobs_per_user))


def job_page(ws: Workspace, who: Principal, offset: int, limit: int) -> JobListOut:
    """A page of jobs (coordinator only)."""
    require_coordinator(who)
    total, rows = jobs.page(ws, offset, limit)
    return JobListOut(page=PageMeta(offset=offset, limit=limit, total=total),
                      jobs=[job_out(j) for j in rows])


def job(ws: Workspace, who: Principal, job_id: int) -> JobOut:
    """One job (coordinator only)."""
    require_coordinator(who)
    return job_out(jobs.get(ws, job_id))


def cancel(ws: Workspace, who: Principal, job_id: int) -> JobOut:
    """Cancel a job (coordinator only)."""
    require_coordinator(who)
    return job_out(jobs.cancel(ws, job_id, who.username))


def _tranches(ws: Workspace, job: Job) -> list[dict[str, Any]]:
    run_id = int((job.result or {})["run_ids"][0])
    data = ws.store.run(run_id).files[TRANCHES_FILE].decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(data)))
    return [{"day": int(r["day"]), "date": r["date"], "donor": r["donor"], "item": r["item"],
             "family": r["family"], "quantity": float(r["quantity"]), "tons": float(r["tons"]),
             "depot": r["depot"]} for r in rows]


def publish(ws: Workspace, who: Principal, body: PublishIn) -> PublishedPlanOut:
    """Publish a finished, optimal plan job (coordinator only); audited."""
    require_coordinator(who)
    job_row = jobs.get(ws, body.job_id)
    if job_row.kind is not JobKind.PLAN or job_row.state is not JobState.SUCCEEDED \
            or not (job_row.result or {}).get("ok"):
        raise UnprocessableError(f"job {job_row.id} is not a finished optimal plan "
                            f"({job_row.kind}, {job_row.state}); publish one that is")
    summary = {"scenario": job_row.params.get("scenario", ""),
               "version": job_row.params.get("version"),
               "scenario_id": job_row.scenario_id,
               "families": (job_row.result or {}).get("families", [])}
    tranches = _tranches(ws, job_row)

    def work(conn: Connection) -> int:
        result = conn.execute(insert(PUBLISHED).values(
            job_id=job_row.id, published_by=who.username, published_at=utcnow(),
            note=body.note, summary=summary, tranches=tranches))
        pub_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        audit.log(conn, who.username, "plan.publish", f"published plan {pub_id}",
                  after={"job_id": job_row.id, "tranches": len(tranches),
                         "scenario": summary["scenario"], "version": summary["version"]})
        return pub_id

    ws.write(work)
    return published(ws, who, 0, 100)


def _risk(ws: Workspace, scenario_id: int) -> dict[str, Any]:
    """Per-family stockout probability of the newest finished simulation of a version."""
    with ws.read() as conn:
        rows = conn.execute(select(JOBS.c.result).where(
            JOBS.c.kind == JobKind.SIMULATION, JOBS.c.state == JobState.SUCCEEDED,
            JOBS.c.scenario_id == scenario_id).order_by(JOBS.c.id.desc()).limit(1)).all()
    return dict(rows[0].result.get("families", {})) if rows else {}


def published(ws: Workspace, who: Principal, offset: int, limit: int) -> PublishedPlanOut:
    """The newest published plan as ``who`` may see it; `NotFoundError` when none is."""
    with ws.read() as conn:
        row = conn.execute(select(PUBLISHED).order_by(PUBLISHED.c.id.desc()).limit(1)).first()
    if row is None:
        raise stored.NotFoundError("no plan has been published yet")
    all_tranches = [TrancheOut.model_validate(t) for t in row.tranches]
    contributors: dict[str, set[str]] = {}
    for t in all_tranches:
        contributors.setdefault(t.family, set()).add(t.donor)
    risk = _risk(ws, int(row.summary.get("scenario_id", 0)))
    families = [_family(fam, risk, not aggregate_visible(
        who, contributors.get(str(fam["family"]), set())))
        for fam in row.summary.get("families", [])]
    withheld = [f.family for f in families if f.withheld]
    mine = [t for t in all_tranches if who.is_coordinator or t.donor in who.sees]
    if who.role.kind is RoleKind.VIEWER:
        mine = []
    return PublishedPlanOut(
        id=row.id, job_id=row.job_id, scenario=str(row.summary.get("scenario", "")),
        published_by=row.published_by, published_at=as_utc(row.published_at), note=row.note,
        families=families, withheld=withheld, tranches=mine[offset:offset + limit],
        tranches_total=len(mine))


def _family(fam: dict[str, Any], risk: dict[str, Any], withheld: bool) -> FamilyFlowOut:
    """A family's row; the donor-derived figures left out when ``withheld``."""
    public = {"family": str(fam["family"]), "need": fam.get("need"),
              "days_of_supply": fam.get("days_of_supply"), "withheld": withheld}
    if withheld:
        return FamilyFlowOut.model_validate(public)
    return FamilyFlowOut.model_validate({
        **public, "delivered": fam.get("delivered"), "shortfall": fam.get("shortfall"),
        "first_short": fam.get("first_short") or None,
        "stockout_prob": risk.get(str(fam["family"]), {}).get("stockout_prob")})


def report_html(ws: Workspace, who: Principal, job_id: int, workdir: Path) -> str:
    """The report of a finished job's run directory (`resupply.workflow.reporting`: stock
    and buffer charts of a plan; fan charts of a simulation), coordinator only."""
    from resupply.workflow.reporting import make_report
    from resupply.workflow.rundir import load_run

    require_coordinator(who)
    job_row = jobs.get(ws, job_id)
    folder = run_dir(workdir, job_id)
    if job_row.state is not JobState.SUCCEEDED:
        raise UnprocessableError(f"job {job_id} is {job_row.state}: no report yet")
    if not folder.is_dir():
        raise stored.NotFoundError(f"the run directory of job {job_id} is gone ({folder}); "
                                   "its results are still recorded in the store")
    return make_report(load_run(folder)).html


def results_of(ws: Workspace, who: Principal, job_id: int) -> dict[str, Any]:
    """A finished job's result summary (coordinator only)."""
    require_coordinator(who)
    job_row = jobs.get(ws, job_id)
    if job_row.state is not JobState.SUCCEEDED or job_row.result is None:
        raise UnprocessableError(f"job {job_id} is {job_row.state}: {job_row.message}")
    return job_row.result

