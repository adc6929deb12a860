"""Server-rendered pages: each is rendered from the same response model its JSON twin (an API
route, linked from the page) returns, by calling the same service function. Forms post here
with the session's CSRF token as a field; plotly.js is served from the installed package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from resupply.errors import ResupplyError, ScenarioError
from resupply.service import accounts, ledger, plans
from resupply.service import scenarios as stored
from resupply.service.access import require_coordinator
from resupply.service.api import login, me_out, today, version_out
from resupply.service.deps import SESSION_COOKIE, WorkspaceDep, authenticate, check_csrf
from resupply.service.errors import error_body, status_of
from resupply.service.limits import LoginLimiter
from resupply.service.roles import Principal
from resupply.service.schemas import (
    CompareJobIn,
    EventIn,
    LoginIn,
    PlanJobIn,
    PledgeIn,
    PublishedPlanOut,
    PublishIn,
    ScenarioListOut,
    SimulationJobIn,
)
from resupply.service.settings import Limits

Csrf = Annotated[str, Form()]


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The template environment (autoescaped HTML, templates from the package)."""
    env = Environment(loader=PackageLoader("resupply.service", "templates"),
                      autoescape=select_autoescape(["html"]))
    env.globals["num"] = lambda v: "—" if v is None else f"{float(v):,.0f}"
    env.globals["pct"] = lambda v: "—" if v is None else f"{float(v):.1%}"
    return env


def render(template: str, code: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``template``."""
    return HTMLResponse(environment().get_template(template).render(**context),
                        status_code=code)


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.min.js from the installed plotly package."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def timeline_figure(plan: PublishedPlanOut) -> str:
    """Tons dispatched per day and family, as Plotly figure JSON (``</`` escaped)."""
    import plotly.graph_objects as go

    by: dict[str, dict[dt.date, float]] = {}
    for t in plan.tranches:
        days = by.setdefault(t.family, {})
        days[t.date] = days.get(t.date, 0.0) + t.tons
    fig = go.Figure([go.Bar(name=f, x=[d.isoformat() for d in sorted(days)],
                            y=[days[d] for d in sorted(days)]) for f, days in sorted(by.items())])
    fig.update_layout(barmode="stack", title="Tranches: tons per day by family",
                      xaxis_title="date", yaxis_title="t", template="plotly_white")
    return str(fig.to_json()).replace("</", "<\\/")


def _page(request: Request, ws: Any, work: Callable[[Principal], Response]) -> Response:
    """Run a page for the logged-in principal; log in first, errors as a page."""
    who = authenticate(request, ws)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    try:
        return work(who)
    except ResupplyError as exc:
        return render("base.html", status_of(exc), title="error", me=me_out(who),
                      error=error_body(exc).detail)


def _write(request: Request, ws: Any, csrf: str, work: Callable[[Principal], Response]
           ) -> Response:
    def checked(who: Principal) -> Response:
        check_csrf(who, csrf)
        return work(who)

    return _page(request, ws, checked)


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def build_pages(limits: Limits, limiter: LoginLimiter) -> APIRouter:  # noqa: PLR0915
    """The page router (left out of the OpenAPI schema)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/static/plotly.min.js")
    def plotly() -> Response:
        return Response(plotly_js(), media_type="text/javascript",
                        headers={"Cache-Control": "max-age=86400"})

    @router.get("/login")
    def login_page() -> HTMLResponse:
        return render("login.html", title="log in", me=None)

    @router.post("/login")
    def login_form(request: Request, ws: WorkspaceDep, username: Annotated[str, Form()],
                   password: Annotated[str, Form()]) -> Response:
        response = _back("/")
        client = request.client.host if request.client else "unknown"
        try:
            login(ws, request.app.state.settings, limiter,
                  LoginIn(username=username, password=password), client=client,
                  response=response)
        except (ResupplyError, ValueError) as exc:
            text = error_body(exc).detail if isinstance(exc, ResupplyError) else str(exc)
            code = status_of(exc) if isinstance(exc, ResupplyError) else 422
            return render("login.html", code, title="log in", me=None, error=text)
        return response

    @router.post("/logout")
    def logout(request: Request, ws: WorkspaceDep, csrf_token: Csrf) -> Response:
        def work(who: Principal) -> Response:
            accounts.close_session(ws, request.cookies.get(SESSION_COOKIE, ""))
            response = _back("/login")
            response.delete_cookie(SESSION_COOKIE)
            return response

        return _write(request, ws, csrf_token, work)

    def _published(ws: Any, who: Principal, limit: int) -> PublishedPlanOut | None:
        try:
            return plans.published(ws, who, 0, limit)
        except stored.NotFoundError:
            return None

    @router.get("/")
    def dashboard(request: Request, ws: WorkspaceDep) -> Response:
        return _page(request, ws, lambda who: render(
            "dashboard.html", title="dashboard", me=me_out(who), twin="/api/v1/plans/published",
            plan=_published(ws, who, limits.default_page_size),
            status=ledger.status(ws, who, today())))

    @router.get("/plan")
    def plan_page(request: Request, ws: WorkspaceDep) -> Response:
        def work(who: Principal) -> Response:
            plan = _published(ws, who, limits.max_page_size)
            return render("plan.html", title="published plan", me=me_out(who), plan=plan,
                          twin="/api/v1/plans/published",
                          figure=timeline_figure(plan) if plan and plan.tranches else "")

        return _page(request, ws, work)

    @router.get("/ledger")
    def ledger_page(request: Request, ws: WorkspaceDep, donor: str = "", item: str = "",
                    status: str = "") -> Response:
        query = "&".join(f"{k}={v}" for k, v in (("donor", donor), ("item", item),
                                                 ("status", status)) if v)
        return _page(request, ws, lambda who: render(
            "ledger.html", title="ledger", me=me_out(who), donor=donor, item=item,
            status=status, twin=f"/api/v1/ledger/pledges{'?' + query if query else ''}",
            pledges=ledger.list_pledges(ws, who, donor or None, offset=0,
                                        limit=limits.max_page_size, as_of=today(),
                                        item=item or None, status=status or None)))

    @router.post("/ledger/pledge")
    def pledge_form(request: Request, ws: WorkspaceDep, csrf_token: Csrf,  # noqa: PLR0917
                    item: Annotated[str, Form()], quantity: Annotated[float, Form()],
                    date: Annotated[dt.date, Form()], kind: Annotated[str, Form()] = "announced",
                    due: Annotated[str, Form()] = "", donor: Annotated[str, Form()] = ""
                    ) -> Response:
        def work(who: Principal) -> Response:
            body = PledgeIn.model_validate({"item": item, "quantity": quantity, "date": date,
                                            "kind": kind, "due": due or None})
            ledger.new_pledge(ws, who, who.donor or donor, body, today())
            return _back("/ledger")

        return _write(request, ws, csrf_token, _validated(work))

    @router.post("/ledger/event")
    def event_form(request: Request, ws: WorkspaceDep, csrf_token: Csrf,  # noqa: PLR0917
                   pledge_id: Annotated[str, Form()], kind: Annotated[str, Form()],
                   date: Annotated[dt.date, Form()], quantity: Annotated[str, Form()] = ""
                   ) -> Response:
        def work(who: Principal) -> Response:
            body = EventIn.model_validate({"kind": kind, "date": date,
                                           "quantity": quantity or None})
            ledger.add_event(ws, who, pledge_id, body, today())
            return _back("/ledger")

        return _write(request, ws, csrf_token, _validated(work))

    def _scenario_page(who: Principal, ws: Any, code: int = 200, **extra: Any) -> Response:
        require_coordinator(who)
        listing = ScenarioListOut(scenarios=[version_out(v) for v in stored.latest_versions(ws)])
        return render("scenarios.html", code, title="scenarios", me=me_out(who),
                      twin="/api/v1/scenarios", scenarios=listing, **extra)

    @router.get("/scenarios")
    def scenarios_page(request: Request, ws: WorkspaceDep) -> Response:
        return _page(request, ws, lambda who: _scenario_page(who, ws))

    @router.post("/scenarios")
    def scenario_form(request: Request, ws: WorkspaceDep, csrf_token: Csrf,
                      file: UploadFile) -> Response:
        raw = file.file.read()

        def work(who: Principal) -> Response:
            require_coordinator(who)
            try:
                stored.upload(ws, raw, file.filename or "", who.username)
            except ScenarioError as exc:
                # 200: the page shown is the form with its errors (the API answers 422)
                return _scenario_page(who, ws, **_located(exc, raw, file.filename or ""))
            return _back("/scenarios")

        return _write(request, ws, csrf_token, work)

    @router.get("/jobs")
    def jobs_page(request: Request, ws: WorkspaceDep) -> Response:
        def work(who: Principal) -> Response:
            listing = plans.job_page(ws, who, 0, limits.default_page_size)
            scen = ScenarioListOut(scenarios=[version_out(v)
                                              for v in stored.latest_versions(ws)])
            return render("jobs.html", title="jobs", me=me_out(who), twin="/api/v1/jobs",
                          jobs=listing, scenarios=scen)

        return _page(request, ws, work)

    @router.post("/jobs/plan")
    def plan_form(request: Request, ws: WorkspaceDep, csrf_token: Csrf,
                  scenario: Annotated[str, Form()],
                  use_ledger: Annotated[str, Form()] = "") -> Response:
        def work(who: Principal) -> Response:
            body = PlanJobIn(scenario=scenario, use_ledger=bool(use_ledger))
            job = plans.submit_plan(ws, who, body, limits)
            return _back(f"/jobs/{job.id}")

        return _write(request, ws, csrf_token, _validated(work))

    @router.post("/jobs/simulation")
    def simulation_form(request: Request, ws: WorkspaceDep, csrf_token: Csrf,  # noqa: PLR0917
                        scenario: Annotated[str, Form()], policy: Annotated[str, Form()],
                        runs: Annotated[str, Form()],
                        plan_job_id: Annotated[str, Form()] = "") -> Response:
        def work(who: Principal) -> Response:
            body = SimulationJobIn.model_validate({"scenario": scenario, "policy": policy,
                                                   "runs": runs,
                                                   "plan_job_id": plan_job_id or None})
            job = plans.submit_simulation(ws, who, body, limits)
            return _back(f"/jobs/{job.id}")

        return _write(request, ws, csrf_token, _validated(work))

    @router.post("/jobs/compare")
    def compare_form(request: Request, ws: WorkspaceDep, csrf_token: Csrf,  # noqa: PLR0917
                     scenario: Annotated[str, Form()], policies: Annotated[str, Form()],
                     runs: Annotated[str, Form()]) -> Response:
        def work(who: Principal) -> Response:
            body = CompareJobIn.model_validate({"scenario": scenario, "runs": runs,
                                                "policies": policies.split()})
            job = plans.submit_compare(ws, who, body, limits)
            return _back(f"/jobs/{job.id}")

        return _write(request, ws, csrf_token, _validated(work))

    @router.get("/jobs/{job_id}")
    def job_page(request: Request, ws: WorkspaceDep, job_id: int) -> Response:
        return _page(request, ws, lambda who: render(
            "job.html", title=f"job {job_id}", me=me_out(who), twin=f"/api/v1/jobs/{job_id}",
            job=plans.job(ws, who, job_id)))

    @router.post("/jobs/{job_id}/cancel")
    def cancel_form(request: Request, ws: WorkspaceDep, job_id: int,
                    csrf_token: Csrf) -> Response:
        def work(who: Principal) -> Response:
            plans.cancel(ws, who, job_id)
            return _back(f"/jobs/{job_id}")

        return _write(request, ws, csrf_token, work)

    @router.post("/jobs/{job_id}/publish")
    def publish_form(request: Request, ws: WorkspaceDep, job_id: int, csrf_token: Csrf,
                     note: Annotated[str, Form()] = "") -> Response:
        def work(who: Principal) -> Response:
            plans.publish(ws, who, PublishIn(job_id=job_id, note=note))
            return _back("/plan")

        return _write(request, ws, csrf_token, _validated(work))

    return router


def _validated(work: Callable[[Principal], Response]) -> Callable[[Principal], Response]:
    """A form's pydantic errors as a page error (422), like the API's."""
    from pydantic import ValidationError

    def run(who: Principal) -> Response:
        try:
            return work(who)
        except ValidationError as exc:
            text = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors())
            return render("base.html", 422, title="invalid form", me=me_out(who),
                          error=f"invalid form: {text}")

    return run


def _located(exc: ScenarioError, raw: bytes, filename: str) -> dict[str, Any]:
    """The uploaded lines with their issues, for the upload page."""
    lines = raw.decode("utf-8", errors="replace").splitlines()
    at: dict[int, list[Any]] = {}
    for issue in exc.issues:
        at.setdefault(issue.line, []).append(issue)
    return {"issues": exc.issues, "filename": filename, "issue_lines": at,
            "lines": list(enumerate(lines, start=1))}

