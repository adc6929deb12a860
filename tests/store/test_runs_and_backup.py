"""Stored runs (`record_run`, `diff_runs`) and backups on both back ends."""

from __future__ import annotations

import math
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from resupply.compile import scenario_hash
from resupply.domain import load_scenario
from resupply.errors import StoreError
from resupply.store import MemoryStore, diff_runs, open_store, record_run
from resupply.store.backup import backup, restore

from .factories import ev


def test_record_run_keeps_what_reproduces_the_run(tmp_path: Path) -> None:
    store = MemoryStore()
    tiny = load_scenario("tiny")
    (tmp_path / "plan.json").write_bytes(b"{}")
    run_id = record_run(store, "simulation", tiny, options={"runs": 1000}, seed=42,
                        summary={"p_stockout": {"art152": 0.25}},
                        files={"plan.json": tmp_path / "plan.json", "raw.bin": b"\x00\x01"})
    run = store.run(run_id)
    assert run.scenario_hash == scenario_hash(tiny) and run.scenario_name == "tiny"
    assert (run.seed, run.kind, run.files["raw.bin"]) == (42, "simulation", b"\x00\x01")
    assert run.files["plan.json"] == b"{}"


@pytest.mark.parametrize("bad", [{"x": math.nan}, {"x": object()}])
def test_record_run_refuses_what_json_cannot_hold(bad: dict[str, object]) -> None:
    store = MemoryStore()
    with pytest.raises(ValueError, match="summary must be JSON-serialisable"):
        record_run(store, "plan", load_scenario("tiny"), options={}, seed=None, summary=bad)
    assert store.runs() == []


def test_diff_runs_flattens_and_subtracts() -> None:
    store = MemoryStore()
    tiny = load_scenario("tiny")
    a = store.run(record_run(store, "plan", tiny, options={"w": 1}, seed=1,
                             summary={"cost": {"total": 100.0}, "status": "optimal"}))
    b = store.run(record_run(store, "plan", tiny, options={"w": 1}, seed=2,
                             summary={"cost": {"total": 90.0}, "status": "time_limit"}))
    lines = {d.key: (d.a, d.b, d.delta) for d in diff_runs(a, b)}
    assert lines == {"seed": (1, 2, 1.0), "summary.cost.total": (100.0, 90.0, -10.0),
                     "summary.status": ("optimal", "time_limit", None)}


def test_backup_and_restore_on_each_database(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    store.append([ev("p1", "committed", 10)])
    backup(db_url, tmp_path / "ledger.backup")
    store.append([ev("p1", "delivered", 4)])
    store.engine.dispose()
    restore(db_url, tmp_path / "ledger.backup")
    again = open_store(db_url)
    assert [e.kind.value for e in again.events()] == ["committed"]
    again.append([ev("p1", "delivered", 4)])  # still append-only and writable after restore
    assert again.count() == 2
    again.engine.dispose()


def test_pg_dump_missing_is_a_clear_error(pg_url: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(StoreError, match="pg_dump is not on PATH; install the PostgreSQL"):
        backup(pg_url, tmp_path / "x.dump")


def test_restore_refuses_a_file_that_is_not_a_resupply_backup(sqlite_url: str,
                                                              tmp_path: Path) -> None:
    open_store(sqlite_url).engine.dispose()
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a resupply backup"):
        restore(sqlite_url, other)
    (tmp_path / "text.db").write_text("hello")
    with pytest.raises(StoreError, match="not a SQLite database"):
        restore(sqlite_url, tmp_path / "text.db")


def _ledger_with(url: str, n: int) -> None:
    store = open_store(url)
    store.append([ev(f"p{i}", "committed", 10 + i) for i in range(n)])
    store.engine.dispose()


def _events(url: str) -> list[tuple[str, float]]:
    store = open_store(url)
    try:
        return [(e.pledge_id, e.quantity) for e in store.events()]
    finally:
        store.engine.dispose()


def _damaged_copy(good: Path, bad: Path, page: int = 8, page_size: int = 4096) -> Path:
    data = bytearray(good.read_bytes())
    assert len(data) > (page + 1) * page_size, "the backup needs more pages to damage one"
    data[page * page_size:(page + 1) * page_size] = b"\xab" * page_size
    bad.write_bytes(bytes(data))
    return bad


def test_a_damaged_backup_restores_nothing(sqlite_url: str, tmp_path: Path) -> None:
    _ledger_with(sqlite_url, 2000)
    backup(sqlite_url, tmp_path / "good.db")
    _ledger_with(sqlite_url, 1)  # the ledger moves on after the backup
    before = _events(sqlite_url)
    bad = _damaged_copy(tmp_path / "good.db", tmp_path / "bad.db")
    with pytest.raises(StoreError, match=r"damaged database.*nothing was restored"):
        restore(sqlite_url, bad)
    assert _events(sqlite_url) == before
    assert not list(tmp_path.glob("*before-restore*"))  # nothing left beside the ledger


def test_a_foreign_file_with_an_alembic_table_restores_nothing(sqlite_url: str,
                                                               tmp_path: Path) -> None:
    _ledger_with(sqlite_url, 3)
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        conn.execute("INSERT INTO alembic_version VALUES ('0001')")
        conn.execute("CREATE TABLE ledger_events (seq INTEGER)")
        conn.commit()
    with pytest.raises(StoreError, match="not a resupply backup at revision 0001"):
        restore(sqlite_url, other)
    assert len(_events(sqlite_url)) == 3


def _newer(src: Path, dest: Path) -> Path:
    dest.write_bytes(src.read_bytes())
    with closing(sqlite3.connect(dest)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.execute("INSERT INTO runs (kind, scenario_name, scenario_hash, options, seed, "
                     "version, created_at, summary) VALUES ('plan', 'x', 'h', '{}', 1, '7.2.0', "
                     "'2030-01-01', '{}')")
        conn.commit()
    return dest


def test_a_newer_schema_says_which_resupply_it_needs(sqlite_url: str, tmp_path: Path) -> None:
    _ledger_with(sqlite_url, 2)
    backup(sqlite_url, tmp_path / "good.db")
    newer = _newer(tmp_path / "good.db", tmp_path / "newer.db")
    with pytest.raises(StoreError, match=r"needs resupply >= 7\.2\.0"):
        restore(sqlite_url, newer)
    with pytest.raises(StoreError, match=r"needs resupply >= 7\.2\.0"):
        open_store(f"sqlite:///{newer}")
    assert len(_events(sqlite_url)) == 2


def test_a_restore_that_fails_after_copying_puts_the_ledger_back(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from resupply.store import backup as module

    _ledger_with(sqlite_url, 2)
    backup(sqlite_url, tmp_path / "one.db")
    _ledger_with(sqlite_url, 5)
    before = _events(sqlite_url)
    checked: list[str] = []
    real = module.verify_sqlite_backup

    def verify_then_fail_on_the_live_copy(conn: sqlite3.Connection, label: str) -> None:
        checked.append(label)
        real(conn, label)
        if len(checked) == 2:
            raise StoreError("verification of the restored copy failed")

    monkeypatch.setattr(module, "verify_sqlite_backup", verify_then_fail_on_the_live_copy)
    with pytest.raises(StoreError, match="restored copy failed"):
        restore(sqlite_url, tmp_path / "one.db")
    assert _events(sqlite_url) == before
    assert not list(tmp_path.glob("*before-restore*"))
