"""The API's shapes: what a client sends (``*In``, extra fields forbidden, so that a donor
cannot slip in ``donor`` or ``role``) and what it gets back (``*Out``). Stored shapes are the
SQLAlchemy rows of `resupply.store.models` and the frozen records of the service modules;
each ``*Out`` is built from one of those by an explicit ``of`` function, never by passing a
row through. Pages are rendered from the same ``*Out`` models (`pages`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Name = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class In(BaseModel):
    """Base of request bodies: unknown fields are an error (422)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Out(BaseModel):
    """Base of responses."""

    model_config = ConfigDict(frozen=True)


# --- auth -------------------------------------------------------------------------------

class LoginIn(In):
    """Log in with a username and password (sets the session cookie)."""

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class MeOut(Out):
    """Who the request acts as."""

    username: str
    role: str
    donor: str | None
    csrf_token: str = Field("", description="Send as X-CSRF-Token with cookie-session writes.")


# --- errors and pages -------------------------------------------------------------------

class IssueOut(Out):
    """One located problem of an uploaded file (1-based line and column)."""

    file: str
    line: int
    col: int
    path: str
    message: str


class ErrorOut(Out):
    """Every error answer: a message, and the located issues of an invalid upload."""

    detail: str
    issues: list[IssueOut] = []


class PageMeta(Out):
    """Where a page of a list is: rows skipped, rows asked for, rows in all."""

    offset: int
    limit: int
    total: int


# --- scenarios --------------------------------------------------------------------------

class ScenarioVersionOut(Out):
    """One stored version of a scenario."""

    id: int
    name: str
    version: int
    filename: str
    scenario_hash: str
    uploaded_by: str
    created_at: dt.datetime


class ScenarioListOut(Out):
    """The newest version of each scenario."""

    scenarios: list[ScenarioVersionOut]


# --- ledger -----------------------------------------------------------------------------

EventKindIn = Literal["announced", "committed", "amended", "dispatched", "delivered",
                      "cancelled"]


class PledgeIn(In):
    """A new pledge of the donor in the path (the donor is never a body field)."""

    item: str = Name
    quantity: float = Field(ge=0, le=1e12, description="Units of the item pledged.")
    date: dt.date = Field(description="Day the pledge was made.")
    due: dt.date | None = Field(None, description="Day the pledge is promised by.")
    kind: Literal["announced", "committed"] = "announced"
    note: str = Field("", max_length=2000)


class EventIn(In):
    """One more event on a pledge (a delivery, a dispatch, an amendment, a cancellation)."""

    kind: EventKindIn
    quantity: float | None = Field(None, ge=-1e12, le=1e12, description=(
        "Units; signed for amended, dispatched and delivered (negative corrects)."))
    date: dt.date
    due: dt.date | None = None
    note: str = Field("", max_length=2000)


class EventOut(Out):
    """A ledger event as recorded."""

    seq: int
    pledge_id: str
    kind: str
    donor: str
    item: str
    quantity: float
    date: dt.date
    due: dt.date | None
    recorded_by: str
    note: str


class PledgeOut(Out):
    """A pledge's current state (derived from its events)."""

    pledge_id: str
    donor: str
    item: str
    status: str
    pledged: float
    dispatched: float
    delivered: float
    outstanding: float
    due: dt.date | None
    late: bool
    events: int


class PledgeDetailOut(Out):
    """A pledge and its events."""

    pledge: PledgeOut
    events: list[EventOut]


class PledgeListOut(Out):
    """A page of pledges."""

    page: PageMeta
    pledges: list[PledgeOut]


class ImportOut(Out):
    """What a ledger import did (rows with errors are listed when written partially)."""

    file: str
    format: str
    rows: int
    written: int
    skipped: int = Field(description="Events already recorded (re-imports write nothing).")
    ignored: int
    warnings: list[str]
    errors: list[str]


class StatusRowOut(Out):
    """Pledged against delivered for one donor (or an aggregate) and item. [units]"""

    donor: str
    group: str
    pledges: int | None = Field(description="Pledges counted; None on an aggregate row.")
    pledged: float
    delivered: float
    outstanding: float
    late: float
    cancelled: float


class StatusOut(Out):
    """Ledger status: the asker's own rows (all rows for the coordinator) and aggregates
    over all donors per item, where enough other donors contribute (`access`)."""

    as_of: dt.date
    own: list[StatusRowOut]
    aggregates: list[StatusRowOut]
    withheld: list[str] = Field(description="Items of your own whose aggregate is withheld "
                                "(too few other donors to keep each one's figures private); "
                                "other items with too few donors are not named at all.")


# --- jobs and plans ---------------------------------------------------------------------

class PlanJobIn(In):
    """Plan a scenario version in the background."""

    scenario: str = Name
    version: int | None = Field(None, ge=1, description="Default: the newest.")
    use_ledger: bool = Field(True, description="Plan with the ledger's open pledges.")
    time_limit_s: float = Field(120.0, gt=0, le=3600, description="Solver limit. [s]")


class SimulationJobIn(In):
    """Simulate a policy, or the plan of an earlier plan job, in the background."""

    scenario: str = Name
    version: int | None = Field(None, ge=1)
    policy: str = Field("cadence:7", max_length=100, pattern=r"^[a-z0-9:_.-]+$")
    plan_job_id: int | None = Field(None, ge=1, description="Follow this plan job's plan.")
    runs: int = Field(500, ge=1, description="Monte Carlo runs (at most the service limit).")
    seed: int = Field(0, ge=0, le=2**31)


class CompareJobIn(In):
    """Compare policies (the frontier of strike loss against running out) in the
    background; the same runs and seed for each policy."""

    scenario: str = Name
    version: int | None = Field(None, ge=1)
    policies: list[str] = Field(
        default_factory=list, max_length=12, description="Policy specs such as cadence:7; "
        "empty: the workflow's default set.")
    runs: int = Field(300, ge=1, description="Runs per policy (at most the service limit).")
    seed: int = Field(0, ge=0, le=2**31)


class JobOut(Out):
    """A background job and where it is."""

    id: int
    kind: str
    owner: str
    scenario_id: int
    params: dict[str, Any]
    state: str
    progress: float = Field(description="Share done. [0..1]")
    message: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result: dict[str, Any] | None


class JobListOut(Out):
    """A page of jobs."""

    page: PageMeta
    jobs: list[JobOut]


class PublishIn(In):
    """Publish a finished plan job's plan to donors and viewers."""

    job_id: int = Field(ge=1)
    note: str = Field("", max_length=2000)


class TrancheOut(Out):
    """One tranche of a published plan: day, donor, item, family, quantity [units], tons
    [t], depot."""

    day: int
    date: dt.date
    donor: str
    item: str
    family: str
    quantity: float
    tons: float
    depot: str


class FamilyFlowOut(Out):
    """One family over the published plan. The recipient's figures (need, days of supply at
    the start) are shown to all; the figures that come from the donors' supply (delivered,
    shortfall, first short day, simulated risk) are None where they are withheld (fewer than
    two other donors behind them, `access`). [units of the family]"""

    family: str
    need: float | None
    days_of_supply: float | None = Field(None, description="Stock at the start over the "
                                         "need per day then. [days]")
    delivered: float | None = None
    shortfall: float | None = None
    first_short: dt.date | None = Field(None, description="First day short, if any.")
    stockout_prob: float | None = Field(None, description="Simulated risk of running out "
                                        "(latest simulation of this scenario), if any.")
    withheld: bool = False


class PublishedPlanOut(Out):
    """The published plan as the asker may see it: aggregates per family (where enough other
    donors contribute), and the tranches the asker may see (its own; all for the
    coordinator)."""

    id: int
    job_id: int
    scenario: str
    published_by: str
    published_at: dt.datetime
    note: str
    families: list[FamilyFlowOut]
    withheld: list[str]
    tranches: list[TrancheOut]
    tranches_total: int = Field(description="Tranches the asker may see, in all.")


class ShareIn(In):
    """Let donor ``with_donor`` read donor ``donor``'s own pledges, deliveries, tranches."""

    donor: str = Name
    with_donor: str = Name


class ShareOut(Out):
    """A share between two donors (read only), live until revoked."""

    id: int
    donor: str
    with_donor: str
    granted_by: str
    granted_at: dt.datetime
    revoked_at: dt.datetime | None


class AuditOut(Out):
    """One audited write."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditListOut(Out):
    """A page of the audit log, newest first."""

    page: PageMeta
    entries: list[AuditOut]
