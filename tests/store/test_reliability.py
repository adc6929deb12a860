"""Reliability: kill -9 mid-import, two concurrent writers, and a stateful model of the ledger."""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from resupply.store import Event, MemoryStore, derive, open_store
from resupply.store.events import EventKind
from resupply.store.imports import import_file, read_events
from resupply.store.ledger import record

from .factories import DAY, ev

FORK = multiprocessing.get_context("fork")
ROWS = 20_000
KILLS = 20


def _big_csv(path: Path, rows: int = ROWS) -> Path:
    lines = ["pledge_id,kind,donor,item,quantity,date,due"]
    lines += [f"p{n % 5000},{'committed' if n < 5000 else 'delivered'},donor{n % 5000 % 7},"
              f"item{n % 5000 % 11},{1 + n % 97},2022-06-{1 + n % 28:02d},2022-09-01"
              for n in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _import(url: str, path: str) -> None:
    import_file(open_store(url), Path(path), "csv", recorded_by="killed")


def _append(url: str, events: list[Event]) -> None:
    open_store(url).append(events)


def _snapshot(url: str) -> list[Event]:
    store = open_store(url)
    try:
        return store.events()
    finally:
        store.engine.dispose()


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


PROGRESS_STEP = 1000
"""SQLite calls the progress handler every this many virtual-machine instructions."""


def _on_each_connection(handler: Any) -> None:
    """In a child process: install `handler` as SQLite progress handler on every connection."""
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    def connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_progress_handler(handler, PROGRESS_STEP)

    event.listen(Pool, "connect", connect)


def _count_write(url: str, events: list[Event], total: Any) -> None:
    """Child: append `events`, counting SQLite progress callbacks into `total`."""
    calls = [0]

    def count() -> int:
        calls[0] += 1
        return 0

    _on_each_connection(count)
    _append(url, events)
    total.value = calls[0]


def _hold() -> None:
    """Stop here until the parent's SIGKILL arrives."""
    while True:
        signal.pause()


def _stopped_in_write(url: str, events: list[Event], point: int, reached: Any) -> None:
    """Child: append `events`, stopping at the `point`-th progress callback of the write."""
    calls = [0]

    def stop() -> int:
        calls[0] += 1
        if calls[0] == point:
            reached.set()
            _hold()
        return 0

    _on_each_connection(stop)
    _append(url, events)


def _stopped_in_parse(url: str, path: str, row: int, reached: Any) -> None:
    """Child: import `path`, stopping when its `row`-th row is parsed."""
    from resupply.store.imports import generic_csv

    real, seen = generic_csv._draft, [0]

    def draft(*args: Any) -> None:
        seen[0] += 1
        if seen[0] == row:
            reached.set()
            _hold()
        real(*args)

    generic_csv._draft = draft  # type: ignore[assignment]
    _import(url, path)


def _kill_when_reached(child: Any, reached: Any) -> None:
    """SIGKILL `child` once it reports its stop point (or finished without reaching it)."""
    child.start()
    while not reached.wait(0.05) and child.is_alive():
        pass
    if child.is_alive():
        os.kill(child.pid or 0, signal.SIGKILL)
    child.join()


def test_kill_9_mid_import_leaves_the_ledger_as_before(tmp_path: Path) -> None:
    """Kills land in the parse phase (import_file) or in the write transaction (append).

    Kill points are counted, not timed: a row of the parse, or a point in the write spread
    over its length in SQLite progress callbacks (and a little past it), so kills fall
    before, during and (rarely) after the commit on any machine; each outcome must be all or
    nothing.
    """
    rng = random.Random(20220601)
    data = _big_csv(tmp_path / "big.csv")
    base = tmp_path / "base.db"
    seed = open_store(f"sqlite:///{base}")
    seed.append([ev("p0", "committed", 1, donor="donor0", item="item0"), ev("x", "announced", 5)])
    seed.engine.dispose()
    before = _snapshot(f"sqlite:///{base}")
    _parsed, events = read_events(data, "csv", recorded_by="killed")
    shutil.copy(base, tmp_path / "full.db")
    total = FORK.Value("q", 0)
    counter = FORK.Process(target=_count_write,
                           args=(f"sqlite:///{tmp_path / 'full.db'}", events, total))
    counter.start()
    counter.join()
    assert counter.exitcode == 0 and total.value > 10
    assert len(_snapshot(f"sqlite:///{tmp_path / 'full.db'}")) == len(before) + ROWS
    killed = 0
    for n in range(KILLS):
        db = tmp_path / f"run{n}.db"
        shutil.copy(base, db)
        url = f"sqlite:///{db}"
        reached = FORK.Event()
        if n % 2 == 1:
            point = rng.randint(1, int(total.value * 1.1) + 1)
            child = FORK.Process(target=_stopped_in_write, args=(url, events, point, reached))
        else:
            row = rng.randint(1, ROWS)
            child = FORK.Process(target=_stopped_in_parse, args=(url, str(data), row, reached))
        _kill_when_reached(child, reached)
        after = _snapshot(url)
        assert _integrity(db) == "ok"
        if child.exitcode == -signal.SIGKILL and len(after) == len(before):
            killed += 1
            assert after == before, f"kill {n} changed the ledger"
        else:  # committed before the kill landed: all of it, once
            assert len(after) == len(before) + ROWS, f"kill {n} left a partial import"
    assert killed >= KILLS // 2
    _import(url, str(data))  # after a kill, the real import path: exactly one copy
    _append(url, events)  # and again: every key is known, nothing is added
    assert len(_snapshot(url)) == len(before) + ROWS


def _writer(url: str, name: str, go: Any, count: int) -> None:
    store = open_store(url)
    go.wait()
    for n in range(count):
        record(store, EventKind.DELIVERED, pledge_id="shared", quantity=1 + n % 3,
               date=DAY, recorded_by=name)


@pytest.mark.parametrize("backend", ["sqlite_url", "pg_url"])
def test_two_processes_on_one_pledge_keep_every_event(
        backend: str, request: pytest.FixtureRequest) -> None:
    url: str = request.getfixturevalue(backend)
    store = open_store(url)
    store.append([ev("shared", "committed", 1000)])
    store.engine.dispose()
    go = FORK.Event()
    writers = [FORK.Process(target=_writer, args=(url, name, go, 30)) for name in ("a", "b")]
    for w in writers:
        w.start()
    go.set()
    for w in writers:
        w.join(60)
    assert [w.exitcode for w in writers] == [0, 0]
    events = _snapshot(url)
    assert [e.recorded_by for e in events].count("a") == 30
    assert [e.recorded_by for e in events].count("b") == 30
    replay = MemoryStore()
    for e in events:
        replay.append([e])
    state = derive(events)["shared"]
    assert state == derive(replay.events())["shared"]
    assert state.delivered == 2 * sum(1 + n % 3 for n in range(30))
