"""Background jobs (plans and simulations): their state, kept in the database.

Life of a job::

    queued --claim--> running --worker--> succeeded | failed
       |                 |--cancel / wall clock / dead worker--> cancelled | failed
       '--cancel--> cancelled

Every change is a conditional UPDATE on the state it expects, so that two parties (the
worker finishing, the scheduler stopping it) never both win. A running job whose heartbeat
stopped (its server died) is marked failed by the next scheduler that looks (`sweep_dead`):
never left running.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, insert, select

from resupply.errors import ResupplyError
from resupply.service import audit
from resupply.service.scenarios import NotFoundError
from resupply.service.workspace import JOBS, Workspace, as_utc, utcnow


class JobState(StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobKind(StrEnum):
    """What a job runs (`resupply.workflow.runs`)."""

    PLAN = "plan"
    SIMULATION = "simulation"
    COMPARE = "compare"


LIVE = (JobState.QUEUED, JobState.RUNNING)


class TooManyJobsError(ResupplyError):
    """The user has as many queued or running jobs as the limit allows (429)."""


@dataclass(frozen=True)
class Job:
    """A job as stored."""

    id: int
    kind: JobKind
    owner: str
    scenario_id: int
    params: dict[str, Any]
    state: JobState
    progress: float
    """Share done. [0..1]"""
    message: str
    cancel_requested: bool
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    heartbeat_at: dt.datetime | None
    result: dict[str, Any] | None


def _opt(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else as_utc(value)


def _job(r: Any) -> Job:
    return Job(r.id, JobKind(r.kind), r.owner, r.scenario_id, dict(r.params), JobState(r.state),
               float(r.progress), r.message, bool(r.cancel_requested), as_utc(r.created_at),
               _opt(r.started_at), _opt(r.finished_at), _opt(r.heartbeat_at), r.result)


def submit(ws: Workspace, kind: JobKind, owner: str, scenario_id: int,
           params: dict[str, Any], *, max_live: int) -> Job:
    """Queue a job; `TooManyJobsError` when ``owner`` already has ``max_live`` live ones."""
    def work(conn: Connection) -> int:
        live = conn.execute(select(func.count()).select_from(JOBS).where(
            JOBS.c.owner == owner, JOBS.c.state.in_(LIVE))).scalar_one()
        if live >= max_live:
            raise TooManyJobsError(f"{owner} has {live} queued or running jobs, the limit is "
                              f"{max_live}; wait for one to finish or cancel one")
        result = conn.execute(insert(JOBS).values(
            kind=str(kind), owner=owner, scenario_id=scenario_id, params=params,
            state=str(JobState.QUEUED), progress=0.0, message="queued",
            cancel_requested=False, created_at=utcnow()))
        job_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        audit.log(conn, owner, f"job.submit.{kind}", f"job {job_id}",
                  after={"kind": str(kind), "scenario_id": scenario_id, "params": params})
        return job_id

    return get(ws, ws.write(work))


def get(ws: Workspace, job_id: int) -> Job:
    """One job; `NotFoundError` when there is none."""
    with ws.read() as conn:
        row = conn.execute(select(JOBS).where(JOBS.c.id == job_id)).first()
    if row is None:
        raise NotFoundError(f"no job {job_id}; GET /api/v1/jobs lists them")
    return _job(row)


def page(ws: Workspace, offset: int, limit: int) -> tuple[int, list[Job]]:
    """(total, a page of jobs, newest first)."""
    with ws.read() as conn:
        total = int(conn.execute(select(func.count()).select_from(JOBS)).scalar_one())
        rows = conn.execute(select(JOBS).order_by(JOBS.c.id.desc()).offset(offset)
                            .limit(limit)).all()
    return total, [_job(r) for r in rows]


def _move(conn: Connection, job_id: int, frm: tuple[JobState, ...], **values: Any) -> bool:
    done = conn.execute(JOBS.update().where(JOBS.c.id == job_id, JOBS.c.state.in_(frm))
                        .values(**values))
    return bool(done.rowcount)


def cancel(ws: Workspace, job_id: int, actor: str) -> Job:
    """Cancel: a queued job at once; a running one is stopped by its scheduler."""
    before = get(ws, job_id)

    def work(conn: Connection) -> None:
        now = utcnow()
        if not _move(conn, job_id, (JobState.QUEUED,), state=str(JobState.CANCELLED),
                     message=f"cancelled by {actor}", finished_at=now):
            _move(conn, job_id, (JobState.RUNNING,), cancel_requested=True,
                  message=f"cancelling (asked by {actor})")
        audit.log(conn, actor, "job.cancel", f"job {job_id}",
                  before={"state": str(before.state)})

    ws.write(work)
    return get(ws, job_id)


def claim_next(ws: Workspace) -> Job | None:
    """Take the oldest queued job into ``running`` (None when there is none)."""
    with ws.read() as conn:
        ids = conn.execute(select(JOBS.c.id).where(JOBS.c.state == JobState.QUEUED)
                           .order_by(JOBS.c.id).limit(5)).scalars().all()
    for job_id in ids:
        if ws.write(functools.partial(_start, job_id=int(job_id))):
            return get(ws, job_id)
    return None


def _start(conn: Connection, *, job_id: int) -> bool:
    now = utcnow()
    return _move(conn, job_id, (JobState.QUEUED,), state=str(JobState.RUNNING),
                 started_at=now, heartbeat_at=now, message="starting", progress=0.0)


def heartbeat(ws: Workspace, job_id: int) -> bool:
    """Mark a running job alive; False when it is no longer running."""
    return ws.write(lambda conn: _move(conn, job_id, (JobState.RUNNING,),
                                       heartbeat_at=utcnow()))


def report(ws: Workspace, job_id: int, progress: float, message: str) -> bool:
    """Record progress of a running job; False when it is no longer running."""
    return ws.write(lambda conn: _move(conn, job_id, (JobState.RUNNING,),
                                       progress=min(max(progress, 0.0), 1.0), message=message))


def finish(ws: Workspace, job_id: int, state: JobState, message: str,
           result: dict[str, Any] | None = None) -> bool:
    """End a running job in ``state``; False when something else ended it first."""
    values: dict[str, Any] = {"state": str(state), "message": message,
                              "finished_at": utcnow()}
    if state is JobState.SUCCEEDED:
        values |= {"progress": 1.0, "result": result}
    return ws.write(lambda conn: _move(conn, job_id, (JobState.RUNNING,), **values))


def sweep_dead(ws: Workspace, stale_after_s: float) -> int:
    """Mark failed every running job without a heartbeat for ``stale_after_s``; how many."""
    cutoff = utcnow() - dt.timedelta(seconds=stale_after_s)

    def work(conn: Connection) -> int:
        done = conn.execute(JOBS.update().where(
            JOBS.c.state == JobState.RUNNING,
            JOBS.c.heartbeat_at.is_(None) | (JOBS.c.heartbeat_at < cutoff)).values(
            state=str(JobState.FAILED), finished_at=utcnow(), message=DEAD_MESSAGE))
        return int(done.rowcount)

    return ws.write(work)


DEAD_MESSAGE = ("failed: its worker stopped without finishing (the server was stopped or "
                "crashed); submit the job again")
