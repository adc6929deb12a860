"""SQLAlchemy 2 typed models: the storage shape of ledger events and stored runs.

These are storage rows only; the rest of resupply sees `events.Event` and `runs.RunRecord`,
converted at the store's edge. The tables are created by the Alembic migrations in
`resupply.store.migrations`, never by ``create_all``; a test checks the two agree.

Ledger events are append-only: the migration installs triggers that abort any UPDATE or
DELETE of ``ledger_events`` on both SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from resupply.store.events import TEXT_LIMITS

KEY_TYPE = BigInteger().with_variant(Integer(), "sqlite")
"""64-bit keys on PostgreSQL; INTEGER on SQLite so that the key is the rowid (autoincrement)."""

EVENT_KINDS_SQL = "('announced','committed','amended','dispatched','delivered','cancelled')"
RUN_KINDS_SQL = "('plan','simulation')"


class Base(DeclarativeBase):
    """Declarative base of resupply's tables."""


class LedgerEventRow(Base):
    """One append-only ledger event; `seq` orders events in recording order."""

    __tablename__ = "ledger_events"
    __table_args__ = (
        CheckConstraint(f"kind IN {EVENT_KINDS_SQL}", name="ck_ledger_events_kind"),
        Index("ix_ledger_events_pledge", "pledge_id", "seq"),
        Index("ix_ledger_events_donor", "donor"),
    )

    seq: Mapped[int] = mapped_column(KEY_TYPE, primary_key=True, autoincrement=True)
    pledge_id: Mapped[str] = mapped_column(String(TEXT_LIMITS["pledge_id"]))
    kind: Mapped[str] = mapped_column(String(16))
    donor: Mapped[str] = mapped_column(String(TEXT_LIMITS["donor"]))
    item: Mapped[str] = mapped_column(String(TEXT_LIMITS["item"]))
    quantity: Mapped[float] = mapped_column(Double())
    date: Mapped[dt.date] = mapped_column(Date())
    due: Mapped[dt.date | None] = mapped_column(Date(), nullable=True)
    source: Mapped[str] = mapped_column(String(TEXT_LIMITS["source"]), default="")
    source_key: Mapped[str | None] = mapped_column(String(TEXT_LIMITS["source_key"]),
                                                   nullable=True, unique=True)
    recorded_by: Mapped[str] = mapped_column(String(TEXT_LIMITS["recorded_by"]))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text(), default="")


class RunRow(Base):
    """A stored plan or simulation run: what was run, on which scenario, and its summary."""

    __tablename__ = "runs"
    __table_args__ = (CheckConstraint(f"kind IN {RUN_KINDS_SQL}", name="ck_runs_kind"),)

    id: Mapped[int] = mapped_column(KEY_TYPE, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    scenario_name: Mapped[str] = mapped_column(String(200))
    scenario_hash: Mapped[str] = mapped_column(String(64), index=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON())
    seed: Mapped[int | None] = mapped_column(BigInteger(), nullable=True)
    version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON())


class RunFileRow(Base):
    """A result file of a run, stored as a blob (`name` is its file name, unique per run)."""

    __tablename__ = "run_files"
    __table_args__ = (Index("ix_run_files_run", "run_id", "name", unique=True),)

    id: Mapped[int] = mapped_column(KEY_TYPE, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary())


# --- the shared workspace (resupply.service): users, sessions, audit, jobs, plans -------------

JOB_STATES_SQL = "('queued','running','succeeded','failed','cancelled')"
JOB_KINDS_SQL = "('plan','simulation','compare')"


class UserRow(Base):
    """A workspace account: `role` is ``coordinator``, ``viewer`` or ``donor:<id>``; the
    password is stored only as an argon2 hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(KEY_TYPE, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(220))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ApiTokenRow(Base):
    """An API token of a user; only its SHA-256 is stored. Revoked when `revoked_at` is set."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(KEY_TYPE, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)


class SessionRow(Base):
    """A browser session: the cookie's SHA-256, its CSRF token and when it ends."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """One write through the service: who, when, what, and the object before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(KEY_TYPE, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(), nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(), nullable=True)


class StoredScenarioRow(Base):
    """One uploaded version of a scenario (the file's text as uploaded)."""

    __tablename__ = "scenarios"
    __table_args__ = (Index("ix_scenarios_name_version", "name", "version", unique=True),)

    id: Mapped[int] = mapped_column(KEY_TYPE, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer())
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text())
    scenario_hash: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class JobRow(Base):
    """A plan or simulation run in the background: its state lives here, so that it
    survives a restart of the server (`heartbeat_at` tells a live job from a dead one)."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(f"state IN {JOB_STATES_SQL}", name="ck_jobs_state"),
        CheckConstraint(f"kind IN {JOB_KINDS_SQL}", name="ck_jobs_kind"),
        Index("ix_jobs_state", "state"),
    )

    id: Mapped[int] = mapped_column(KEY_TYPE, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(100))
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON())
    state: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Double())
    message: Mapped[str] = mapped_column(Text())
    cancel_requested: Mapped[bool] = mapped_column(Boolean())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON(), nullable=True)


class ShareRow(Base):
    """The coordinator lets donor `viewer_donor` see donor `donor`'s own figures (pledges,
    deliveries, tranches); read access only, until `revoked_at`."""

    __tablename__ = "shares"
    __table_args__ = (Index("ix_shares_viewer", "viewer_donor"),)

    id: Mapped[int] = mapped_column(KEY_TYPE, primary_key=True, autoincrement=True)
    donor: Mapped[str] = mapped_column(String(200))
    viewer_donor: Mapped[str] = mapped_column(String(200))
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)


class PublishedPlanRow(Base):
    """A plan the coordinator published: what donors and viewers see (newest is current)."""

    __tablename__ = "published_plans"

    id: Mapped[int] = mapped_column(KEY_TYPE, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    published_by: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text())
    summary: Mapped[dict[str, Any]] = mapped_column(JSON())
    tranches: Mapped[list[Any]] = mapped_column(JSON())
