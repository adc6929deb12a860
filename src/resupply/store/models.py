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
    pledge_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    donor: Mapped[str] = mapped_column(String(200))
    item: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[float] = mapped_column(Double())
    date: Mapped[dt.date] = mapped_column(Date())
    due: Mapped[dt.date | None] = mapped_column(Date(), nullable=True)
    source: Mapped[str] = mapped_column(String(1000), default="")
    source_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    recorded_by: Mapped[str] = mapped_column(String(100))
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
