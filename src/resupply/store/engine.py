"""Which database, and how to talk to it: URL resolution, engines, write transactions, retries.

Nothing connects at import: `make_engine` is called by whoever opens a store. SQLite gets
WAL mode with ``synchronous=FULL`` (a committed ledger event survives power loss), foreign
keys, and a busy timeout; write transactions start with ``BEGIN IMMEDIATE`` so that two
writers queue on the lock instead of failing half-way. PostgreSQL writes run SERIALIZABLE;
`retrying` re-runs a write that lost a serialization race.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from resupply.errors import StoreError

URL_ENV = "RESUPPLY_DATABASE_URL"
"""Environment variable that overrides the default database URL."""

BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for the lock before giving up. [ms]"""

CACHE_KIB = 65_536
"""SQLite page cache per connection [KiB]: a 100,000-event status reads the table through
its pledge index, which thrashes the default 2 MiB cache."""

MAX_ATTEMPTS = 8
"""Attempts of a write transaction that keeps losing serialization races."""

T = TypeVar("T")


def default_sqlite_path() -> Path:
    """``<user data dir>/resupply/resupply.db`` (platformdirs), the database used by default."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("resupply")) / "resupply.db"


def database_url(url: str | None = None) -> str:
    """The URL to use: `url` if given, else ``$RESUPPLY_DATABASE_URL``, else the default file."""
    chosen = url or os.environ.get(URL_ENV)
    if chosen:
        return chosen
    path = default_sqlite_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def is_sqlite(engine_or_url: Engine | str) -> bool:
    """True for a SQLite engine or URL."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for `url` with resupply's settings for its back end.

    Raises `StoreError` for a malformed URL or a back end other than SQLite and PostgreSQL.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"{url!r} is not a database URL; use sqlite:///PATH or "
                         "postgresql+psycopg://USER@HOST:PORT/DB") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise StoreError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                       f"busy_timeout={BUSY_TIMEOUT_MS}", f"cache_size=-{CACHE_KIB}",
                       "temp_store=MEMORY"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("resupply_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction: committed on success, rolled back on any exception.

    SQLite: ``BEGIN IMMEDIATE`` (takes the write lock up front). PostgreSQL: SERIALIZABLE.
    """
    options: dict[str, Any] = {"resupply_write": True}
    if not is_sqlite(engine):
        options["isolation_level"] = "SERIALIZABLE"
    with engine.connect() as raw:
        conn = raw.execution_options(**options)
        with conn.begin():
            yield conn


def is_retryable(exc: BaseException) -> bool:
    """True for errors where re-running the whole transaction is the right answer.

    PostgreSQL serialization failures and deadlocks (SQLSTATE 40001, 40P01); SQLite
    "database is locked" after the busy timeout.
    """
    if not isinstance(exc, DBAPIError):
        return False
    code = getattr(exc.orig, "sqlstate", None)
    if code in {"40001", "40P01", "23505"}:  # 23505: a key raced in by another writer
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def retrying(work: Callable[[], T], attempts: int = MAX_ATTEMPTS) -> T:
    """Run `work` (one whole transaction), re-running it after a retryable failure.

    Backs off 10 ms, 20 ms, ... with jitter; the last failure propagates.
    """
    for attempt in range(attempts):
        try:
            return work()
        except DBAPIError as exc:
            if attempt == attempts - 1 or not is_retryable(exc):
                raise
            time.sleep(0.01 * 2**attempt * (0.5 + random.random()))
    raise AssertionError("unreachable")  # pragma: no cover


def describe_failure(exc: DBAPIError, url: str) -> StoreError:
    """A readable `StoreError` for a driver failure (server down, file unwritable, ...)."""
    shown = make_url(url).render_as_string(hide_password=True)
    first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return StoreError(f"database {shown}: {first}")
