"""Store layer: the pledge ledger and stored runs, in SQLite (default) or PostgreSQL.

    >>> from resupply.store import MemoryStore, Event, EventKind, derive
    >>> import datetime as dt
    >>> store = MemoryStore()
    >>> day = dt.date(2022, 6, 1)
    >>> _ = store.append([
    ...     Event("p1", EventKind.COMMITTED, "west", "m795", 1000, day, "analyst"),
    ...     Event("p1", EventKind.DELIVERED, "west", "m795", 400, day, "analyst")])
    >>> derive(store.events())["p1"].outstanding
    600.0

`open_store` connects to a database (nothing connects at import) and brings an empty one to
the current schema.
"""

from __future__ import annotations

from resupply.store.base import AppendResult, Store
from resupply.store.events import Event, EventKind, PledgeState, derive
from resupply.store.memory import MemoryStore
from resupply.store.open import open_store
from resupply.store.pledges import open_pledges
from resupply.store.runs import RunRecord, diff_runs, record_run
from resupply.store.sql import SqlStore

__all__ = [
    "AppendResult",
    "Event",
    "EventKind",
    "MemoryStore",
    "PledgeState",
    "RunRecord",
    "SqlStore",
    "Store",
    "derive",
    "diff_runs",
    "open_pledges",
    "open_store",
    "record_run",
]
