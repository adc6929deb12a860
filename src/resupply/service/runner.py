"""The job scheduler of one server: a thread that starts queued jobs as worker processes,
keeps them alive in the database (heartbeats), stops them on cancel or at the wall clock,
and marks failed the jobs whose worker died (its own or another server's).

Each job runs in its own process (`worker`), so that a plan or simulation that crashes, hangs
or is cancelled takes nothing else down, and stopping it is a signal, not a hope.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from resupply.service import jobs
from resupply.service.jobs import JobState
from resupply.service.settings import ServiceSettings
from resupply.service.worker import job_dir
from resupply.service.workspace import Workspace
from resupply.store.engine import URL_ENV

STALE_POLLS = 20
"""Polls without a heartbeat after which a running job counts as dead."""
LOG_TAIL = 600
"""Characters of a dead worker's log put into the job's message."""


@dataclass
class _Running:
    job_id: int
    process: subprocess.Popen[bytes]
    started: float
    log_path: Path


class Scheduler:
    """Runs the jobs of one workspace (start with `start`, end with `stop`)."""

    def __init__(self, ws: Workspace, settings: ServiceSettings) -> None:
        self.ws, self.settings = ws, settings
        self.running: dict[int, _Running] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the scheduling thread."""
        self._thread = threading.Thread(target=self._loop, name="resupply-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and the workers; their jobs are marked failed (server stopped)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for run in list(self.running.values()):
            self._end(run, JobState.FAILED, "failed: the server stopped while the job ran; "
                      "submit it again")

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # the scheduler must outlive a database hiccup
                print(f"resupply jobs: {type(exc).__name__}: {exc}", file=sys.stderr)
            self._stop.wait(self.settings.poll_s)

    def tick(self) -> None:
        """One round: watch running workers, sweep dead jobs, start queued ones."""
        for run in list(self.running.values()):
            self._watch(run)
        jobs.sweep_dead(self.ws, STALE_POLLS * self.settings.poll_s)
        while len(self.running) < self.settings.limits.workers:
            job = jobs.claim_next(self.ws)
            if job is None:
                break
            self._spawn(job.id)

    def _spawn(self, job_id: int) -> None:
        folder = job_dir(self.settings.workdir, job_id)
        folder.mkdir(parents=True, exist_ok=True)
        log_path = folder / "worker.log"
        env = {**os.environ, URL_ENV: self.ws.url}
        try:
            with log_path.open("wb") as log:  # the worker holds its own copy of the fd
                process = subprocess.Popen(
                    [sys.executable, "-m", "resupply.service.worker", str(job_id),
                     str(self.settings.workdir)], stdout=log, stderr=subprocess.STDOUT,
                    env=env)
        except OSError as exc:
            jobs.finish(self.ws, job_id, JobState.FAILED,
                        f"failed: the worker could not be started: {exc}")
            return
        self.running[job_id] = _Running(job_id, process, time.monotonic(), log_path)

    def _watch(self, run: _Running) -> None:
        job = jobs.get(self.ws, run.job_id)
        limit = self.settings.limits.job_wall_clock_s
        if run.process.poll() is not None:
            self._reap(run)
        elif job.state is not JobState.RUNNING:
            self._end(run, job.state, job.message)
        elif job.cancel_requested:
            self._end(run, JobState.CANCELLED, "cancelled while running")
        elif time.monotonic() - run.started > limit:
            self._end(run, JobState.FAILED, f"failed: stopped after the job wall-clock "
                      f"limit of {limit:g} s")
        else:
            jobs.heartbeat(self.ws, run.job_id)

    def _reap(self, run: _Running) -> None:
        """A worker exited: if its job is still running, it died; say how."""
        self.running.pop(run.job_id, None)
        tail = run.log_path.read_text("utf-8", errors="replace")[-LOG_TAIL:].strip()
        jobs.finish(self.ws, run.job_id, JobState.FAILED,
                    f"failed: the worker exited with code {run.process.returncode} without "
                    f"finishing: {tail or '(no output)'}")

    def _end(self, run: _Running, state: JobState, message: str) -> None:
        """Stop a worker and end its job in ``state`` (unless it ended already)."""
        self.running.pop(run.job_id, None)
        if run.process.poll() is None:
            run.process.terminate()
            try:
                run.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                run.process.kill()
                run.process.wait()
        if state in (JobState.FAILED, JobState.CANCELLED):
            jobs.finish(self.ws, run.job_id, state, message)
