"""Errors to answers: every `ResupplyError` becomes a status code and an `ErrorOut` body;
request validation errors become 422 with each field located. Never a traceback.

=========================  ======  ===========================================
error                      status  when
=========================  ======  ===========================================
`UnauthenticatedError`          401     no valid session or token
`ForbiddenError`                403     the role may not call this
`NotFoundError`                 404     no such object, or not the asker's to see
`TooManyJobsError`, rate limit  429     a per-user limit is reached
`ScenarioError`            422     an upload is invalid (issues located)
`ImportRowsError`          422     an import has bad rows (each located)
`UnprocessableError`, ...       422     anything else a user can fix
`StoreError`               503     the database is unreachable
=========================  ======  ===========================================
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from resupply.errors import (
    ImportRowsError,
    ResupplyError,
    ScenarioError,
    StoreError,
    UnknownScenarioError,
)
from resupply.service.access import ForbiddenError
from resupply.service.jobs import TooManyJobsError
from resupply.service.scenarios import NotFoundError
from resupply.service.schemas import ErrorOut, IssueOut


class UnauthenticatedError(ResupplyError):
    """No valid session cookie or API token (401)."""


class RateLimitedError(ResupplyError):
    """Too many attempts in a window (429)."""


STATUS: tuple[tuple[type[ResupplyError], int], ...] = (
    (UnauthenticatedError, 401), (ForbiddenError, 403), (NotFoundError, 404),
    (UnknownScenarioError, 404),
    (TooManyJobsError, 429), (RateLimitedError, 429), (StoreError, 503),
)
"""Error class -> status; a `LedgerError` is a `StoreError` but a user's mistake (422)."""

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut, "description": text} for code, text in (
        (401, "Not authenticated"), (403, "Not allowed for this role"),
        (404, "Not found (or not yours to see)"), (413, "Request body too large"),
        (422, "Invalid request"), (429, "A limit is reached"))}
"""The error answers every API route documents (OpenAPI)."""


def status_of(exc: ResupplyError) -> int:
    """The HTTP status of an error."""
    from resupply.errors import ImportRowsError, LedgerError

    if isinstance(exc, LedgerError | ImportRowsError):  # a user's mistake, not an outage
        return 422
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 422)


def error_body(exc: ResupplyError) -> ErrorOut:
    """The body of an error answer."""
    if isinstance(exc, ScenarioError):
        issues = [IssueOut(file=i.file, line=i.line, col=i.col, path=i.path, message=i.message)
                  for i in exc.issues]
        return ErrorOut(detail=f"{len(issues)} error(s) in the scenario", issues=issues)
    if isinstance(exc, ImportRowsError):
        rows = [IssueOut(file=i.file, line=i.line, col=0, path=i.field, message=i.message)
                for i in exc.issues]
        return ErrorOut(detail=exc.summary, issues=rows)
    return ErrorOut(detail=str(exc))


def error_response(exc: ResupplyError) -> JSONResponse:
    """A JSON error answer (with ``WWW-Authenticate`` on 401)."""
    code = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if code == 401 else None
    return JSONResponse(error_body(exc).model_dump(mode="json"), status_code=code,
                        headers=headers)


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = [IssueOut(file="request", line=0, col=0,
                       path=".".join(str(p) for p in err.get("loc", ())),
                       message=str(err.get("msg", ""))) for err in exc.errors()]
    text = "; ".join(f"{i.path}: {i.message}" for i in issues)
    return JSONResponse(ErrorOut(detail=f"invalid request: {text}", issues=issues)
                        .model_dump(mode="json"), status_code=422)


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse(ErrorOut(detail=str(exc.detail)).model_dump(mode="json"),
                        status_code=exc.status_code, headers=exc.headers)


def _resupply(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ResupplyError)
    return error_response(exc)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app`` (pages handle their own errors first)."""
    app.add_exception_handler(ResupplyError, _resupply)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
