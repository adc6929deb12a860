"""The workspace's database: one engine for the ledger (`resupply.store`) and for the
service's own tables (users, sessions, audit, scenarios, jobs, published plans).

`Workspace.open` is called by the app factory at start-up, never at import.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar, cast

from sqlalchemy import Connection, Engine, Table

from resupply.store import SqlStore, open_store
from resupply.store.engine import retrying, write_transaction
from resupply.store.models import (
    ApiTokenRow,
    AuditRow,
    JobRow,
    PublishedPlanRow,
    SessionRow,
    ShareRow,
    StoredScenarioRow,
    UserRow,
)

T = TypeVar("T")
USERS = cast(Table, UserRow.__table__)
TOKENS = cast(Table, ApiTokenRow.__table__)
SESSIONS = cast(Table, SessionRow.__table__)
AUDIT = cast(Table, AuditRow.__table__)
SCENARIOS = cast(Table, StoredScenarioRow.__table__)
JOBS = cast(Table, JobRow.__table__)
PUBLISHED = cast(Table, PublishedPlanRow.__table__)
SHARES = cast(Table, ShareRow.__table__)


def utcnow() -> dt.datetime:
    """Now, in UTC, to the second's microsecond."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored time as an aware UTC datetime (SQLite hands back naive ones)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@dataclass
class Workspace:
    """The open database of a service instance."""

    store: SqlStore
    url: str
    ledger_lock: threading.Lock = field(default_factory=threading.Lock)
    """One ledger writer per server (as Datasette has one writer): concurrent requests queue
    here instead of failing serialization races on PostgreSQL; several servers on one
    database still meet the store's retries."""

    @classmethod
    def open(cls, url: str | None) -> Workspace:
        """Open (and on an empty database create) the workspace at ``url``."""
        store = open_store(url)
        return cls(store, store.engine.url.render_as_string(hide_password=False))

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine."""
        return self.store.engine

    def close(self) -> None:
        """Close the pooled connections."""
        self.store.close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection."""
        with self.engine.connect() as conn:
            yield conn

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(conn)`` in one write transaction, re-run after a serialization race."""
        def once() -> T:
            with write_transaction(self.engine) as conn:
                return work(conn)

        return retrying(once)

