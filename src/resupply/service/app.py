"""The app factory: `create_app(settings)` builds the FastAPI app; the database is opened and
the job scheduler started when the app starts (lifespan), never at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from resupply.service import errors
from resupply.service.api import build_router
from resupply.service.limits import BodyLimit, LoginLimiter
from resupply.service.runner import Scheduler
from resupply.service.settings import Limits, ServiceSettings
from resupply.service.workspace import Workspace

TITLE = "resupply workspace"


def create_app(settings: ServiceSettings) -> FastAPI:
    """The service for ``settings``: REST API under /api/v1 (OpenAPI at /openapi.json) and
    the pages; jobs run while the app runs when ``settings.run_jobs``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ws = Workspace.open(settings.db)
        app.state.workspace = ws
        scheduler = Scheduler(ws, settings)
        app.state.scheduler = scheduler
        if settings.run_jobs:
            scheduler.start()
        try:
            yield
        finally:
            if settings.run_jobs:
                scheduler.stop()
            ws.close()

    from resupply import __version__

    app = FastAPI(title=TITLE, version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # Swagger UI and ReDoc load from a CDN
                  description="The coalition's shared workspace: ledger, plans, simulations, "
                  "published plans, with per-donor confidentiality.")
    app.state.settings = settings
    limiter = LoginLimiter(settings.limits.login_attempts, settings.limits.login_window_s)
    app.include_router(build_router(settings.limits, limiter))
    from resupply.service.pages import build_pages

    app.include_router(build_pages(settings.limits, limiter))
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.limits.max_body_bytes)
    return app


SETTINGS_ENV = "RESUPPLY_SERVICE_SETTINGS"
"""JSON of the settings (``db``, ``workdir``; optional ``run_jobs`` and ``limits``, the
fields of `Limits`) that `from_environment` reads: how the worker processes of ``resupply
serve --workers N`` get the parent's settings."""


def from_environment() -> FastAPI:
    """The app for the settings in ``$RESUPPLY_SERVICE_SETTINGS`` (a uvicorn factory)."""
    import json
    import os
    from pathlib import Path

    data = json.loads(os.environ[SETTINGS_ENV])
    return create_app(ServiceSettings(db=data["db"], workdir=Path(data["workdir"]),
                                      run_jobs=bool(data.get("run_jobs", True)),
                                      limits=Limits(**data.get("limits", {}))))
