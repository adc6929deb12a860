"""Ledger events are never updated or deleted: not by our code, not by anyone's SQL."""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from resupply.store import open_store

from .conftest import need_postgres
from .factories import ev

STORE_SRC = Path(__file__).resolve().parents[2] / "src" / "resupply" / "store"
WRITES = re.compile(r"\b(UPDATE|DELETE)\b", re.IGNORECASE)


def _statements_in_package() -> list[str]:
    """Every place in src/resupply/store that could issue an UPDATE or DELETE."""
    found = []
    for path in sorted(STORE_SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        found += [f"{path.name}:{node.lineno}: {what}" for node in ast.walk(tree)
                  if (what := _writes(node))]
    return found


def _writes(node: ast.AST) -> str:
    """What in `node` could rewrite rows: SQLAlchemy update/delete, Session.delete, raw SQL."""
    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
        names = {a.name for a in node.names} & {"update", "delete"}
        return f"imports {sorted(names)}" if names else ""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return f"{node.func.id}()" if node.func.id in {"update", "delete"} else ""
    if isinstance(node, ast.Attribute):
        owner = node.value.id if isinstance(node.value, ast.Name) else ""
        if node.attr == "delete" or (node.attr == "update" and owner in {"sa", "sqlalchemy"}):
            return f"{owner}.{node.attr}"
    if isinstance(node, ast.Constant) and isinstance(node.value, str) \
            and WRITES.search(node.value) and "ledger_events" in node.value \
            and "TRIGGER" not in node.value.upper() and "append-only" not in node.value:
        return repr(node.value[:60])
    return ""


def test_no_code_in_the_store_package_updates_or_deletes() -> None:
    assert _statements_in_package() == []


@pytest.mark.parametrize("code", [
    "from sqlalchemy import update", "conn.execute(update(EVENTS).values(quantity=0))",
    "session.delete(row)", "sa.update(EVENTS)", "x = 'DELETE FROM ledger_events'"])
def test_the_scan_sees_every_kind_of_rewrite(code: str) -> None:
    assert any(_writes(node) for node in ast.walk(ast.parse(code)))


def test_the_scan_ignores_dict_update() -> None:
    assert not any(_writes(node) for node in ast.walk(ast.parse("d.update(x)")))


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


@pytest.mark.parametrize("statement", ["UPDATE ledger_events SET quantity = 0",
                                       "DELETE FROM ledger_events"])
def test_sqlite_triggers_abort_rewrites(sqlite_url: str, statement: str) -> None:
    open_store(sqlite_url).append([ev("p1", "committed", 10)])
    with sqlite3.connect(_sqlite_path(sqlite_url)) as raw, \
            pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(statement)
    assert open_store(sqlite_url).count() == 1


@pytest.mark.parametrize("statement", ["UPDATE ledger_events SET quantity = 0",
                                       "DELETE FROM ledger_events", "TRUNCATE ledger_events"])
def test_postgres_triggers_abort_rewrites(pg_url: str, statement: str) -> None:
    need_postgres()
    store = open_store(pg_url)
    store.append([ev("p1", "committed", 10)])
    schema = pg_url.rsplit("%3D", 1)[1]
    with psycopg.connect(pg_url.split("?", maxsplit=1)[0].replace("+psycopg", "")) as raw:
        raw.execute(f"SET search_path TO {schema}")
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            raw.execute(statement)
    assert store.count() == 1
    store.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_full_sync(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    store.engine.dispose()
