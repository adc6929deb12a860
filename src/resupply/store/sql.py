"""`SqlStore`: the `Store` on SQLite or PostgreSQL through SQLAlchemy Core.

Ledger events are only ever INSERTed or SELECTed here (the append-only rule; a test scans
the package for UPDATE or DELETE statements, and triggers in the database abort them).
Reads use Core rows rather than ORM objects: a status over 100,000 events must stay
well under a second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    String,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError

from resupply.errors import StoreError
from resupply.store import postgres_fast, sqlite_fast
from resupply.store.base import AppendResult, Owner, plan_batch
from resupply.store.engine import describe_failure, retrying, write_transaction
from resupply.store.events import Event, EventKind, LedgerRow
from resupply.store.models import LedgerEventRow, RunFileRow, RunRow
from resupply.store.reconcile import StatusRow
from resupply.store.runs import MAX_RUN_ID, RunRecord
from resupply.store.status_sql import status_by_item

T = TypeVar("T")
EVENTS = cast(Table, LedgerEventRow.__table__)
RUNS = cast(Table, RunRow.__table__)
FILES = cast(Table, RunFileRow.__table__)
ANALYZE_AFTER = 10_000
"""Events in one PostgreSQL batch after which the table's statistics are refreshed."""
STATUS_WORK_MEM = "64MB"
"""PostgreSQL memory for the status query's aggregation (the default 4MB spills to disk)."""
CHUNK = 500
"""Values per IN (...) list when looking up a batch's pledges and keys (SQLite's limit)."""

_EVENT_COLUMNS = [EVENTS.c[name] for name in (
    "pledge_id", "kind", "donor", "item", "quantity", "date", "recorded_by", "source", "due",
    "note", "source_key", "seq", "recorded_at")]


class SqlStore:
    """The `Store` on one SQLAlchemy engine (see `resupply.store.open_store`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def close(self) -> None:
        """Close the pooled connections (a command or test is done with the database)."""
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def append(self, events: Sequence[Event]) -> AppendResult:
        """Record `events` in one transaction; re-run whole after a serialization failure."""
        return self._guard(lambda: retrying(lambda: self._append_once(events)))

    def _append_once(self, events: Sequence[Event]) -> AppendResult:
        now = dt.datetime.now(dt.UTC)
        with write_transaction(self.engine) as conn:
            owners = _owners(conn, {e.pledge_id for e in events})
            keys = _stored_keys(conn, {e.source_key for e in events if e.source_key})
            keep, skipped = plan_batch(events, owners, keys)
            if keep and conn.dialect.name == "sqlite":
                sqlite_fast.insert_events(conn, keep, now)
            elif keep and conn.dialect.driver == "psycopg":
                postgres_fast.insert_events(conn, keep, now)
                if len(keep) >= ANALYZE_AFTER:  # fresh statistics for the status query's plan
                    conn.exec_driver_sql("ANALYZE ledger_events")
            elif keep:
                conn.execute(insert(EVENTS), [_event_values(e, now) for e in keep])
        return AppendResult(written=len(keep), skipped=skipped)

    def events(self, *, pledge_id: str | None = None, donor: str | None = None) -> list[Event]:
        """Stored events in `seq` order, optionally of one pledge or one donor."""
        query = select(*_EVENT_COLUMNS).order_by(EVENTS.c.seq)
        if pledge_id is not None:
            query = query.where(EVENTS.c.pledge_id == pledge_id)
        if donor is not None:
            query = query.where(EVENTS.c.donor == donor)

        def read() -> list[Event]:
            with self.engine.connect() as conn:
                if conn.dialect.name == "sqlite":
                    return sqlite_fast.select_events(conn, pledge_id, donor)
                return [_event(row) for row in conn.execute(query)]

        return self._guard(read)

    def ledger_rows(self, *, donor: str | None = None,
                    pledge_ids: Collection[str] | None = None) -> list[LedgerRow]:
        """`LedgerRow` of every event (of one donor, of some pledges), `seq` order per pledge."""
        def read() -> list[LedgerRow]:
            with self.engine.connect() as conn:
                if pledge_ids is not None and not pledge_ids:
                    return []
                return _rows(conn, donor, pledge_ids)

        return self._guard(read)

    def status_rows(self, as_of: dt.date, *, donor: str | None = None) -> list[StatusRow]:
        """Reconciliation per (donor, item), computed in the database (`status_sql`)."""
        def read() -> list[StatusRow]:
            with self.engine.connect() as conn, conn.begin():
                if conn.dialect.name == "postgresql":
                    # in memory, and no JIT: compiling the plan cost more than running it
                    conn.exec_driver_sql(f"SET LOCAL work_mem = '{STATUS_WORK_MEM}'")
                    conn.exec_driver_sql("SET LOCAL jit = off")
                return status_by_item(conn, as_of, donor)

        return self._guard(read)

    def count(self) -> int:
        """Number of stored ledger events."""
        def read() -> int:
            with self.engine.connect() as conn:
                return int(conn.execute(select(func.count()).select_from(EVENTS)).scalar_one())

        return self._guard(read)

    def add_run(self, run: RunRecord) -> int:
        """Store a run and its files in one transaction; return the new id."""
        def write() -> int:
            with write_transaction(self.engine) as conn:
                values = _run_values(run)
                result = conn.execute(insert(RUNS).values(values))
                run_id = int(result.inserted_primary_key[0])  # type: ignore[index]
                if run.files:
                    conn.execute(insert(FILES), [{"run_id": run_id, "name": n, "content": c}
                                                 for n, c in sorted(run.files.items())])
                return run_id

        return self._guard(lambda: retrying(write))

    def runs(self) -> list[RunRecord]:
        """Every run, newest first, without file contents."""
        def read() -> list[RunRecord]:
            with self.engine.connect() as conn:
                rows = conn.execute(select(RUNS).order_by(RUNS.c.id.desc()))
                return [_run(row, {}) for row in rows]

        return self._guard(read)

    def run(self, run_id: int) -> RunRecord:
        """One run with its files; `StoreError` when there is none with this id."""
        if not 1 <= run_id <= MAX_RUN_ID:  # beyond a 64-bit key: no such run (and no overflow)
            raise StoreError(f"no run {run_id}; `resupply runs list` shows the stored runs")

        def read() -> RunRecord:
            with self.engine.connect() as conn:
                row = conn.execute(select(RUNS).where(RUNS.c.id == run_id)).first()
                if row is None:
                    raise StoreError(f"no run {run_id}; `resupply runs list` shows the stored runs")
                files = conn.execute(select(FILES.c.name, FILES.c.content)
                                     .where(FILES.c.run_id == run_id).order_by(FILES.c.name))
                return _run(row, {name: bytes(content) for name, content in files})

        return self._guard(read)

    def _guard(self, work: Callable[[], T]) -> T:
        """Run `work`; turn driver errors (server down, disk full) into `StoreError`."""
        try:
            return work()
        except DBAPIError as exc:
            raise describe_failure(exc, self.engine.url.render_as_string(False)) from exc


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def _rows(conn: Connection, donor: str | None,
          pledge_ids: Collection[str] | None) -> list[LedgerRow]:
    if conn.dialect.name == "sqlite":
        if pledge_ids is None:
            return sqlite_fast.select_rows(conn, donor)
        return [row for part in _chunks(pledge_ids)
                for row in sqlite_fast.select_rows(conn, donor, part)]
    query = select(*[EVENTS.c[n] for n in ("pledge_id", "kind", "donor", "item", "quantity",
                                           "date", "due")]).order_by(EVENTS.c.seq)
    if donor is not None:
        query = query.where(EVENTS.c.donor == donor)
    if pledge_ids is not None:
        query = query.where(*_members(conn, EVENTS.c.pledge_id, pledge_ids))
    kind = sqlite_fast.KIND
    return [(p, kind[k], d, i, q, day, due) for p, k, d, i, q, day, due in conn.execute(query)]


def _members(conn: Connection, column: ColumnElement[str],
             values: Iterable[str]) -> Iterator[ColumnElement[bool]]:
    """Conditions `column IN values`: one array parameter on PostgreSQL (one round trip for
    100,000 keys), chunks of `CHUNK` on SQLite (its limit on parameters)."""
    ordered = sorted(values)
    if not ordered:
        return
    if conn.dialect.name == "postgresql":
        yield column == any_(bindparam("members", ordered, type_=ARRAY(String())))
        return
    for start in range(0, len(ordered), CHUNK):
        yield column.in_(ordered[start:start + CHUNK])


def _owners(conn: Connection, pledge_ids: set[str]) -> dict[str, Owner]:
    owners: dict[str, Owner] = {}
    for condition in _members(conn, EVENTS.c.pledge_id, pledge_ids):
        query = (select(EVENTS.c.pledge_id, EVENTS.c.donor, EVENTS.c.item)
                 .where(condition).order_by(EVENTS.c.seq.desc()))
        for pid, donor, item in conn.execute(query):
            owners[pid] = (donor, item)  # descending seq: the first event is applied last
    return owners


def _stored_keys(conn: Connection, keys: set[str | None]) -> set[str]:
    found: set[str] = set()
    for condition in _members(conn, EVENTS.c.source_key, (k for k in keys if k is not None)):
        found.update(conn.execute(select(EVENTS.c.source_key).where(condition)).scalars())
    return found


def _event_values(event: Event, now: dt.datetime) -> dict[str, Any]:
    return {"pledge_id": event.pledge_id, "kind": event.kind.value, "donor": event.donor,
            "item": event.item, "quantity": float(event.quantity), "date": event.date,
            "due": event.due, "source": event.source, "source_key": event.source_key,
            "recorded_by": event.recorded_by, "recorded_at": event.recorded_at or now,
            "note": event.note}


def _event(row: Row[Any]) -> Event:
    (pledge_id, kind, donor, item, quantity, date, recorded_by, source, due, note, source_key,
     seq, recorded_at) = tuple(row)
    return Event(pledge_id, EventKind(kind), donor, item, quantity, date, recorded_by, source,
                 due, note, source_key, seq, _utc(recorded_at))


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes: they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _run_values(run: RunRecord) -> dict[str, Any]:
    return {"kind": run.kind, "scenario_name": run.scenario_name,
            "scenario_hash": run.scenario_hash, "options": run.options, "seed": run.seed,
            "version": run.version, "created_at": run.created_at, "summary": run.summary}


def _run(row: Row[Any], files: dict[str, bytes]) -> RunRecord:
    m = row._mapping
    return RunRecord(kind=m["kind"], scenario_name=m["scenario_name"],
                     scenario_hash=m["scenario_hash"], options=m["options"], seed=m["seed"],
                     version=m["version"], summary=m["summary"],
                     created_at=_utc(m["created_at"]), files=files, id=m["id"])
