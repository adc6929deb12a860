"""PostgreSQL fast path for bulk ledger inserts: COPY ... FROM STDIN (psycopg 3).

A multi-row INSERT of 100,000 events spends most of its time building and parsing SQL;
COPY streams the rows in the caller's transaction, so an import stays one transaction and
is still rolled back whole on failure. COPY fires INSERT triggers only; the append-only
triggers (UPDATE, DELETE, TRUNCATE) are untouched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from resupply.store.events import Event

COLUMNS = ("pledge_id", "kind", "donor", "item", "quantity", "date", "recorded_by", "source",
           "due", "note", "source_key", "recorded_at")
COPY_SQL = f"COPY ledger_events ({', '.join(COLUMNS)}) FROM STDIN"


def insert_events(conn: Connection, events: Sequence[Event], now: dt.datetime) -> None:
    """COPY `events` into ledger_events within the caller's transaction."""
    import psycopg

    driver = conn.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):  # pragma: no cover  (psycopg only)
        raise TypeError(f"expected a psycopg connection, got {type(driver).__name__}")
    try:
        with driver.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
            for e in events:
                copy.write_row((e.pledge_id, e.kind.value, e.donor, e.item, float(e.quantity),
                                e.date, e.recorded_by, e.source, e.due, e.note, e.source_key,
                                e.recorded_at or now))
    except psycopg.Error as exc:  # as SQLAlchemy would raise it, so retries and messages work
        raise DBAPIError.instance(COPY_SQL, None, exc, psycopg.Error) from exc
