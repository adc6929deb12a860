"""SQLite fast path for bulk ledger I/O: the DB-API directly, in SQLAlchemy's storage format.

SQLAlchemy's per-row parameter processing costs more than SQLite's own work when 100,000
events are inserted or read (an import, a status), so on SQLite `SqlStore` inserts and
selects ledger events with plain ``?`` statements. Values are stored exactly as SQLAlchemy's
SQLite types store them (dates ``YYYY-MM-DD``, datetimes ``YYYY-MM-DD HH:MM:SS.ffffff`` in
UTC), so both paths read each other's rows; the conformance suite checks the round trip.
Only INSERT and SELECT are issued here (the ledger is append-only).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from resupply.store.events import Event, EventKind, LedgerRow

INSERTED = ("pledge_id", "kind", "donor", "item", "quantity", "date", "recorded_by", "source",
            "due", "note", "source_key", "recorded_at")
SELECTED = (*INSERTED[:-1], "seq", "recorded_at")
INSERT_SQL = (f"INSERT INTO ledger_events ({', '.join(INSERTED)}) "
              f"VALUES ({', '.join('?' for _ in INSERTED)})")
SELECT_SQL = f"SELECT {', '.join(SELECTED)} FROM ledger_events"
KIND = {k.value: k for k in EventKind}


def stored_datetime(moment: dt.datetime) -> str:
    """A datetime as SQLAlchemy's SQLite DateTime stores it (UTC clock, no offset)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def insert_events(conn: Connection, events: Sequence[Event], now: dt.datetime) -> None:
    """INSERT `events` (one executemany) in the caller's transaction."""
    stamp = stored_datetime(now)
    rows = [(e.pledge_id, e.kind.value, e.donor, e.item, float(e.quantity), e.date.isoformat(),
             e.recorded_by, e.source, e.due.isoformat() if e.due else None, e.note,
             e.source_key, stored_datetime(e.recorded_at) if e.recorded_at else stamp)
            for e in events]
    conn.exec_driver_sql(INSERT_SQL, rows)


def select_events(conn: Connection, pledge_id: str | None, donor: str | None) -> list[Event]:
    """Events in `seq` order, optionally of one pledge or donor."""
    where: list[str] = []
    params: list[Any] = []
    for column, value in (("pledge_id", pledge_id), ("donor", donor)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = SELECT_SQL + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY seq"
    date, moment = dt.date.fromisoformat, dt.datetime.fromisoformat
    return [Event(pid, KIND[kind], donor_, item, quantity, date(day), by, source,
                  date(due) if due else None, note, key, seq,
                  moment(at).replace(tzinfo=dt.UTC))
            for (pid, kind, donor_, item, quantity, day, by, source, due, note, key, seq, at)
            in conn.exec_driver_sql(sql, tuple(params))]


ROWS_SQL = "SELECT pledge_id, kind, donor, item, quantity, date, due FROM ledger_events"


def select_rows(conn: Connection, donor: str | None,
                pledge_ids: list[str] | None = None) -> list[LedgerRow]:
    """`LedgerRow` of every event (of one donor, of the given pledges), in `seq` order."""
    where: list[str] = []
    params: list[Any] = []
    if donor is not None:
        where.append("donor = ?")
        params.append(donor)
    if pledge_ids is not None:
        where.append(f"pledge_id IN ({', '.join('?' for _ in pledge_ids)})")
        params.extend(pledge_ids)
    sql = ROWS_SQL + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY seq"
    try:
        raw = _driver(conn).execute(sql, params).fetchall()
    except sqlite3.Error as exc:  # as SQLAlchemy would raise it, so messages stay readable
        raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc
    date = dt.date.fromisoformat
    days: dict[str, dt.date] = {}  # a ledger has far fewer distinct days than events
    for text in {r[5] for r in raw} | {r[6] for r in raw if r[6]}:
        days[text] = date(text)
    return [(pid, KIND[kind], donor_, item, quantity, days[day], days[due] if due else None)
            for pid, kind, donor_, item, quantity, day, due in raw]


def _driver(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under `conn` (same transaction): tuples without Row wrappers."""
    driver = conn.connection.driver_connection
    if not isinstance(driver, sqlite3.Connection):  # pragma: no cover  (pysqlite only)
        raise TypeError(f"expected a sqlite3 connection, got {type(driver).__name__}")
    return driver
