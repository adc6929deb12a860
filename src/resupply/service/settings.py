"""What a running service is configured with: its database, its working directory and its
limits. Frozen and passed to `resupply.service.app.create_app`; nothing is read at import.

Limits (each answered with a message, never a crash; see docs/service.md):

=====================  =======  ===========================================================
limit                  default  over it
=====================  =======  ===========================================================
max_body_bytes         2 MiB    413: request body too large (scenario uploads included)
max_page_size          500      422: ``limit`` above the page size
job_wall_clock_s       900 s    the job is stopped and marked failed, saying so
jobs_per_user          2        429: queued or running jobs of one user
login_attempts         5        429: failed logins per username within `login_window_s`
=====================  =======  ===========================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The service's limits (module docstring)."""

    max_body_bytes: int = 2 * MIB
    """Largest request body accepted. [bytes]"""
    max_page_size: int = 500
    """Largest ``limit`` of a list request. [rows]"""
    default_page_size: int = 100
    """``limit`` when a list request gives none. [rows]"""
    job_wall_clock_s: float = 900.0
    """Longest a job may run before it is stopped and marked failed. [s]"""
    jobs_per_user: int = 2
    """Queued or running jobs one user may have at once. [jobs]"""
    workers: int = 1
    """Jobs run at the same time by one server (each in its own process). [jobs]"""
    login_attempts: int = 5
    """Failed logins of one username allowed per window. [attempts]"""
    login_window_s: float = 300.0
    """The window of `login_attempts`. [s]"""
    session_hours: float = 12.0
    """How long a browser session lasts. [h]"""
    sim_max_runs: int = 20_000
    """Largest Monte Carlo run count a simulation job may ask for. [runs]"""


@dataclass(frozen=True)
class ServiceSettings:
    """A service instance: database URL (None: the default of `resupply.store`), working
    directory for job run directories, limits, and whether cookies need HTTPS."""

    db: str | None
    workdir: Path
    limits: Limits = field(default_factory=Limits)
    secure_cookies: bool = False
    run_jobs: bool = True
    """Start the job scheduler with the app (tests that drive jobs by hand turn it off)."""
    poll_s: float = 0.5
    """How often the scheduler looks for queued jobs and dead ones. [s]"""
