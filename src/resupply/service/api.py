"""The REST API under ``/api/v1``: thin routes that validate, call one service function and
return its response model. No SQL and no orchestration here."""


import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status
from fastapi.responses import HTMLResponse

from resupply.service import accounts, ledger, plans, shares
from resupply.service import audit as audit_log
from resupply.service import scenarios as stored
from resupply.service.access import require_coordinator
from resupply.service.deps import SESSION_COOKIE, PrincipalDep, SettingsDep, WorkspaceDep
from resupply.service.errors import ERROR_RESPONSES, UnauthenticatedError
from resupply.service.limits import LoginLimiter
from resupply.service.roles import Principal
from resupply.service.schemas import (
    AuditListOut,
    AuditOut,
    CompareJobIn,
    EventIn,
    ImportOut,
    JobListOut,
    JobOut,
    LoginIn,
    MeOut,
    PageMeta,
    PlanJobIn,
    PledgeDetailOut,
    PledgeIn,
    PledgeListOut,
    PublishedPlanOut,
    PublishIn,
    ScenarioListOut,
    ScenarioVersionOut,
    ShareIn,
    ShareOut,
    SimulationJobIn,
    StatusOut,
)
from resupply.service.settings import Limits
from resupply.store.imports import ImportFormat

PREFIX = "/api/v1"
PledgeStatus = Literal["announced", "committed", "dispatched", "delivered", "cancelled", "late"]


def today() -> dt.date:
    """The day pledges are judged late against by default (UTC)."""
    return dt.datetime.now(dt.UTC).date()


def me_out(who: Principal) -> MeOut:
    """The response shape of the principal."""
    return MeOut(username=who.username, role=str(who.role), donor=who.donor,
                 csrf_token=who.csrf)


def version_out(v: stored.ScenarioVersion) -> ScenarioVersionOut:
    """The response shape of a scenario version."""
    return ScenarioVersionOut(id=v.id, name=v.name, version=v.version, filename=v.filename,
                              scenario_hash=v.scenario_hash, uploaded_by=v.uploaded_by,
                              created_at=v.created_at)


def login(ws: Any, settings: Any, limiter: LoginLimiter, body: LoginIn, *, client: str,
          response: Response) -> MeOut:
    """Check the password (rate-limited per user and address) and set the session cookie."""
    keys = (f"user:{body.username}", f"addr:{client}")
    limiter.check(*keys)
    user = accounts.check_password(ws, body.username, body.password)
    if user is None:
        limiter.failed(*keys)
        ws.write(lambda conn: audit_log.log(conn, body.username, "auth.login.failed",
                                            f"address {client}"))
        raise UnauthenticatedError("wrong username or password")
    cookie, csrf = accounts.open_session(ws, user, settings.limits.session_hours)
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="strict",
                        secure=settings.secure_cookies,
                        max_age=int(settings.limits.session_hours * 3600))
    return MeOut(username=user.username, role=str(user.role), donor=user.role.donor,
                 csrf_token=csrf)


def build_router(limits: Limits, limiter: LoginLimiter) -> APIRouter:  # noqa: PLR0915
    """The API router, with the page-size limit in each list route's schema."""
    router = APIRouter(prefix=PREFIX, responses=ERROR_RESPONSES)
    Offset = Annotated[int, Query(ge=0, le=10**9, description="Rows to skip.")]  # noqa: N806
    Limit = Annotated[int, Query(  # noqa: N806
        ge=1, le=limits.max_page_size,
                                 description=f"Rows to return (at most "
                                 f"{limits.max_page_size}).")]
    AsOf = Annotated[dt.date | None, Query(  # noqa: N806
        description="Judge lateness on this day "
                                           "(default: today, UTC).")]
    page_default = limits.default_page_size

    @router.post("/auth/login", tags=["auth"])
    def auth_login(body: LoginIn, request: Request, response: Response,
                   ws: WorkspaceDep, settings: SettingsDep) -> MeOut:
        """Log in: sets the session cookie; answers with the CSRF token for writes."""
        client = request.client.host if request.client else "unknown"
        return login(ws, settings, limiter, body, client=client, response=response)

    @router.post("/auth/logout", tags=["auth"], status_code=status.HTTP_204_NO_CONTENT)
    def auth_logout(who: PrincipalDep, request: Request, ws: WorkspaceDep) -> Response:
        """End the session of the cookie (a token stays valid: revoke it with the CLI)."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            accounts.close_session(ws, cookie)
        response = Response(status_code=status.HTTP_204_NO_CONTENT)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @router.get("/me", tags=["auth"])
    def me(who: PrincipalDep) -> MeOut:
        """Who you are, your role, and the CSRF token of your session."""
        return me_out(who)

    @router.get("/scenarios", tags=["scenarios"])
    def scenario_list(who: PrincipalDep, ws: WorkspaceDep) -> ScenarioListOut:
        """The newest version of each stored scenario (coordinator)."""
        require_coordinator(who)
        return ScenarioListOut(scenarios=[version_out(v) for v in stored.latest_versions(ws)])

    @router.post("/scenarios", tags=["scenarios"], status_code=status.HTTP_201_CREATED)
    def scenario_upload(who: PrincipalDep, ws: WorkspaceDep,
                        file: Annotated[UploadFile, File(description="YAML or JSON")],
                        ) -> ScenarioVersionOut:
        """Upload a scenario file: stored as its next version when valid; 422 with every
        issue located (file, line, column, field) when not (coordinator)."""
        require_coordinator(who)
        raw = file.file.read()
        return version_out(stored.upload(ws, raw, file.filename or "", who.username))

    @router.get("/scenarios/{name}/versions", tags=["scenarios"])
    def scenario_versions(name: str, who: PrincipalDep,
                          ws: WorkspaceDep) -> list[ScenarioVersionOut]:
        """Every version of a scenario, newest first (coordinator)."""
        require_coordinator(who)
        return [version_out(v) for v in stored.versions(ws, name)]

    @router.get("/ledger/pledges", tags=["ledger"])
    def pledge_list(who: PrincipalDep, ws: WorkspaceDep, *, offset: Offset = 0,
                    limit: Limit = page_default, donor: str | None = None,
                    item: str | None = None, status: PledgeStatus | None = None,
                    as_of: AsOf = None) -> PledgeListOut:
        """Pledges you may see (your own as a donor, all as the coordinator), optionally of
        one donor, item or status."""
        return ledger.list_pledges(ws, who, donor, offset=offset, limit=limit,
                                   as_of=as_of or today(), item=item, status=status)

    @router.post("/ledger/donors/{donor}/pledges", tags=["ledger"],
                 status_code=status.HTTP_201_CREATED)
    def pledge_new(donor: str, body: PledgeIn, who: PrincipalDep, ws: WorkspaceDep, *,
                   as_of: AsOf = None) -> PledgeDetailOut:
        """Record a new pledge of a donor (a donor: only its own)."""
        return ledger.new_pledge(ws, who, donor, body, as_of or today())

    @router.get("/ledger/pledges/{pledge_id}", tags=["ledger"])
    def pledge_get(pledge_id: str, who: PrincipalDep, ws: WorkspaceDep,
                   as_of: AsOf = None) -> PledgeDetailOut:
        """One pledge and its events (404 for another donor's)."""
        return ledger.pledge_detail(ws, who, pledge_id, as_of or today())

    @router.post("/ledger/pledges/{pledge_id}/events", tags=["ledger"],
                 status_code=status.HTTP_201_CREATED)
    def pledge_event(pledge_id: str, body: EventIn, who: PrincipalDep, ws: WorkspaceDep, *,
                     as_of: AsOf = None) -> PledgeDetailOut:
        """Record a dispatch, delivery, amendment or cancellation of a pledge."""
        return ledger.add_event(ws, who, pledge_id, body, as_of or today())

    @router.post("/ledger/imports", tags=["ledger"], status_code=status.HTTP_201_CREATED)
    def ledger_import(who: PrincipalDep, ws: WorkspaceDep,
                      file: Annotated[UploadFile, File(description="The file to import")],
                      fmt: Annotated[ImportFormat, Form(alias="format")] = "csv",
                      partial: Annotated[bool, Form()] = False) -> ImportOut:
        """Import a ledger file (kiel-xlsx, kiel-weapons or csv) in one transaction; bad
        rows are 422 with each located, nothing written unless ``partial`` (coordinator)."""
        raw = file.file.read()
        return ledger.import_events(ws, who, raw, file.filename or "", fmt=fmt,
                                    partial=partial)

    @router.get("/ledger/status", tags=["ledger"])
    def ledger_status(who: PrincipalDep, ws: WorkspaceDep, as_of: AsOf = None) -> StatusOut:
        """Pledged against delivered: your own rows and the aggregates you may see."""
        return ledger.status(ws, who, as_of or today())

    @router.post("/jobs/plan", tags=["jobs"], status_code=status.HTTP_202_ACCEPTED)
    def job_plan(body: PlanJobIn, who: PrincipalDep, ws: WorkspaceDep) -> JobOut:
        """Queue a plan (coordinator); poll GET /jobs/{id} for its progress."""
        return plans.submit_plan(ws, who, body, limits)

    @router.post("/jobs/simulation", tags=["jobs"], status_code=status.HTTP_202_ACCEPTED)
    def job_simulation(body: SimulationJobIn, who: PrincipalDep, ws: WorkspaceDep) -> JobOut:
        """Queue a simulation (coordinator)."""
        return plans.submit_simulation(ws, who, body, limits)

    @router.post("/jobs/compare", tags=["jobs"], status_code=status.HTTP_202_ACCEPTED)
    def job_compare(body: CompareJobIn, who: PrincipalDep, ws: WorkspaceDep) -> JobOut:
        """Queue a comparison of policies: the frontier (coordinator)."""
        return plans.submit_compare(ws, who, body, limits)

    @router.get("/jobs", tags=["jobs"])
    def job_list(who: PrincipalDep, ws: WorkspaceDep, offset: Offset = 0,
                 limit: Limit = page_default) -> JobListOut:
        """Jobs, newest first (coordinator)."""
        return plans.job_page(ws, who, offset, limit)

    @router.get("/jobs/{job_id}", tags=["jobs"])
    def job_get(job_id: int, who: PrincipalDep, ws: WorkspaceDep) -> JobOut:
        """A job: state, progress, message (coordinator)."""
        return plans.job(ws, who, job_id)

    @router.post("/jobs/{job_id}/cancel", tags=["jobs"])
    def job_cancel(job_id: int, who: PrincipalDep, ws: WorkspaceDep) -> JobOut:
        """Cancel a queued or running job (coordinator)."""
        return plans.cancel(ws, who, job_id)

    @router.get("/jobs/{job_id}/results", tags=["jobs"])
    def job_results(job_id: int, who: PrincipalDep, ws: WorkspaceDep) -> dict[str, Any]:
        """A finished job's summary (coordinator)."""
        return plans.results_of(ws, who, job_id)

    @router.get("/jobs/{job_id}/report", tags=["jobs"], response_model=None, responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}},
              "description": "The report page"}})
    def job_report(job_id: int, who: PrincipalDep, ws: WorkspaceDep,
                   settings: SettingsDep) -> HTMLResponse:
        """The self-contained HTML report of a finished job (coordinator): a plan's stock
        and buffer charts, a simulation's fan charts."""
        return HTMLResponse(plans.report_html(ws, who, job_id, settings.workdir))

    @router.post("/plans/published", tags=["plans"], status_code=status.HTTP_201_CREATED)
    def plan_publish(body: PublishIn, who: PrincipalDep, ws: WorkspaceDep) -> PublishedPlanOut:
        """Publish a finished plan job's plan (coordinator)."""
        return plans.publish(ws, who, body)

    @router.get("/plans/published", tags=["plans"])
    def plan_published(who: PrincipalDep, ws: WorkspaceDep, offset: Offset = 0,
                       limit: Limit = page_default) -> PublishedPlanOut:
        """The published plan as you may see it (your own tranches; aggregates)."""
        return plans.published(ws, who, offset, limit)

    @router.post("/shares", tags=["shares"], status_code=status.HTTP_201_CREATED)
    def share_grant(body: ShareIn, who: PrincipalDep, ws: WorkspaceDep) -> ShareOut:
        """Let one donor read another donor's own figures (coordinator)."""
        return shares.grant(ws, who, body)

    @router.get("/shares", tags=["shares"])
    def share_list(who: PrincipalDep, ws: WorkspaceDep) -> list[ShareOut]:
        """Every share, newest first (coordinator)."""
        return shares.listing(ws, who)

    @router.post("/shares/{share_id}/revoke", tags=["shares"])
    def share_revoke(share_id: int, who: PrincipalDep, ws: WorkspaceDep) -> ShareOut:
        """End a share (coordinator)."""
        return shares.revoke(ws, who, share_id)

    @router.get("/audit", tags=["audit"])
    def audit(who: PrincipalDep, ws: WorkspaceDep, offset: Offset = 0,
              limit: Limit = page_default) -> AuditListOut:
        """The audit log, newest first (coordinator)."""
        require_coordinator(who)
        total, rows = audit_log.entries(ws, offset, limit)
        return AuditListOut(page=PageMeta(offset=offset, limit=limit, total=total),
                            entries=[AuditOut(id=e.id, at=e.at, actor=e.actor, action=e.action,
                                              target=e.target, before=e.before, after=e.after)
                                     for e in rows])

    return router
