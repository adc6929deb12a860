"""Request dependencies as `Annotated` aliases: the workspace, the settings and the principal.

Authentication: ``Authorization: Bearer <token>`` (scripts), or the session cookie set by
login (pages). A write with a session cookie must carry the session's CSRF token (header
``X-CSRF-Token``, or the form field ``csrf_token`` of a page form); a bearer token needs none,
a browser never sends one by itself.
"""

from __future__ import annotations

import dataclasses
import hmac
from typing import Annotated

from fastapi import Depends, Request

from resupply.service import accounts, shares
from resupply.service.access import ForbiddenError
from resupply.service.errors import UnauthenticatedError
from resupply.service.roles import Principal
from resupply.service.settings import ServiceSettings
from resupply.service.workspace import Workspace

SESSION_COOKIE = "resupply_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def workspace(request: Request) -> Workspace:
    """The app's open workspace (async: no thread hop for a lookup)."""
    ws: Workspace = request.app.state.workspace
    return ws


async def settings(request: Request) -> ServiceSettings:
    """The app's settings (async: no thread hop for a lookup)."""
    chosen: ServiceSettings = request.app.state.settings
    return chosen


WorkspaceDep = Annotated[Workspace, Depends(workspace)]
SettingsDep = Annotated[ServiceSettings, Depends(settings)]


def authenticate(request: Request, ws: Workspace) -> Principal | None:
    """The principal of a bearer token or a session cookie, or None."""
    header = request.headers.get("authorization", "")
    cookie = request.cookies.get(SESSION_COOKIE)
    if header.lower().startswith("bearer "):
        who = accounts.principal_for_token(ws, header[7:].strip())
    else:
        who = accounts.principal_for_session(ws, cookie) if cookie else None
    if who is None or who.donor is None:
        return who
    return dataclasses.replace(who, shared=shares.shared_with(ws, who.donor))


def check_csrf(principal: Principal, sent: str | None) -> None:
    """`ForbiddenError` when a cookie-session write lacks the session's CSRF token."""
    if principal.via == "session" and not hmac.compare_digest(sent or "", principal.csrf):
        raise ForbiddenError("missing or wrong CSRF token: send the X-CSRF-Token header "
                        "(GET /api/v1/me gives it)")


def principal(request: Request, ws: WorkspaceDep) -> Principal:
    """The authenticated principal (`UnauthenticatedError` otherwise); checks CSRF on API
    writes made with a session cookie."""
    who = authenticate(request, ws)
    if who is None:
        raise UnauthenticatedError("not authenticated: log in (POST /api/v1/auth/login) or send "
                              "Authorization: Bearer <token> (`resupply token create`)")
    if request.method not in SAFE_METHODS:
        check_csrf(who, request.headers.get(CSRF_HEADER))
    return who


PrincipalDep = Annotated[Principal, Depends(principal)]
